"""Written-out statements that PostgreSQL keeps prepared on the connection (``prepared.statement_cursor``)."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from booking.models import TrainingGroup
from groepswijzer import prepared
from tests.booking.factories import planned_group, signup_course

ON_POSTGRESQL = "connection.vendor == 'postgresql'"


def _kept_on_the_connection(text):
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", [f"%{text}%"])
        return cursor.fetchone()[0]


# Written for these tests only, so that the first call on the connection is the first anywhere.
PROBE = f"SELECT capacity FROM {TrainingGroup._meta.db_table} WHERE id = %s AND capacity >= %s"


def _probe(group, at_least):
    with (
        CaptureQueriesContext(connection) as queries,
        transaction.atomic(),
        prepared.statement_cursor(connection) as cursor,
    ):
        cursor.execute(PROBE, [group.pk, at_least])
        row = cursor.fetchone()
    return row, [query["sql"] for query in queries.captured_queries]


@pytest.mark.django_db(transaction=True)
def test_a_statement_gives_the_same_rows_and_queries_the_first_time_after_a_rollback_and_later(
    wagtail_roots, course_index
):
    group = planned_group(signup_course(course_index), capacity=7)
    first, first_queries = _probe(group, 5)
    with pytest.raises(LookupError), transaction.atomic():
        _probe(group, 5)
        raise LookupError("something went wrong after the statement: the transaction is rolled back")
    later, later_queries = _probe(group, 5)
    too_small, _queries = _probe(group, 8)
    assert first == later == (7,)
    assert too_small is None
    # The preparing is part of the connection's setup, not a query of whichever call comes first.
    assert [prepared.as_written(sql) for sql in first_queries] == [prepared.as_written(sql) for sql in later_queries]
    assert any(prepared.as_written(sql).startswith("SELECT capacity FROM") for sql in first_queries)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(f"not ({ON_POSTGRESQL})", reason="prepared statements are PostgreSQL's")
def test_on_postgresql_the_statement_is_prepared_once_and_kept_through_a_rollback(wagtail_roots, course_index):
    group = planned_group(signup_course(course_index))
    _probe(group, 1)
    assert _kept_on_the_connection("capacity >= $2") == 1
    with pytest.raises(LookupError), transaction.atomic():
        _probe(group, 1)
        raise LookupError("rolled back")
    _row, queries = _probe(group, 1)
    assert _kept_on_the_connection("capacity >= $2") == 1
    assert [sql.split()[0] for sql in queries] == ["BEGIN", "EXECUTE", "COMMIT"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(f"not ({ON_POSTGRESQL})", reason="prepared statements are PostgreSQL's")
def test_on_postgresql_a_kept_statement_runs_on_its_one_plan_from_the_first_time(wagtail_roots, course_index):
    group = planned_group(signup_course(course_index), capacity=7)
    rows = [_probe(group, at_least)[0] for at_least in (1, 5, 7, 8)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%capacity >= $2%"],
        )
        plans = cursor.fetchall()
    assert rows == [(7,), (7,), (7,), None]
    # Left to itself PostgreSQL plans the first five runs for their values (and may go on doing so); the
    # site's connections ask for the one plan made for the statement (plan_cache_mode, see the settings).
    assert plans == [(4, 0)]


def test_a_statement_with_a_literal_percent_sign_is_refused():
    with pytest.raises(ValueError, match="parameters"):
        prepared._statement("SELECT 1 WHERE 'a' LIKE '%%'")


def test_the_log_shows_the_statement_an_execute_ran_and_leaves_other_sql_alone():
    name, text = prepared._statement("SELECT id FROM booking_traininggroup WHERE id = %s AND capacity > %s")
    assert text == "SELECT id FROM booking_traininggroup WHERE id = $1 AND capacity > $2"
    assert prepared.as_written(f"EXECUTE {name}(3, 4)") == text
    assert prepared.as_written("SELECT 1") == "SELECT 1"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(f"not ({ON_POSTGRESQL})", reason="prepared statements are PostgreSQL's")
def test_past_the_bound_of_a_connection_a_statement_runs_as_an_ordinary_one(wagtail_roots, course_index, monkeypatch):
    group = planned_group(signup_course(course_index), capacity=7)
    _probe(group, 1)  # the connection and its kept cursor exist
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        kept = cursor.fetchone()[0]
    monkeypatch.setattr(prepared, "PER_CONNECTION", kept + 1)
    table = TrainingGroup._meta.db_table
    logged = []
    for wanted in ("capacity", "min_participants"):
        with CaptureQueriesContext(connection) as queries, prepared.statement_cursor(connection) as cursor:
            cursor.execute(f"SELECT {wanted} FROM {table} WHERE id = %s AND capacity > %s", [group.pk, 0])
            assert cursor.fetchone()[0] == getattr(group, wanted)
        logged.append(queries.captured_queries[-1]["sql"])
    assert logged[0].startswith("EXECUTE ")  # the last one the bound allows
    assert logged[1].startswith("SELECT min_participants FROM")  # past it
    assert _kept_on_the_connection("WHERE id = $1 AND capacity > $2") == 1
