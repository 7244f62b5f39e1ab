"""The access log (NEN 7513): append-only, chained so tampering shows, kept five years, itself logged when read."""

import csv
import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from booking.models import AccessLogEntry, AccessLogPurge, AppendOnlyError
from booking.periodic import run_periodic
from booking.services import access_log
from booking.services.access_log import Action, log_access
from tests.booking.factories import ParticipantFactory, coordinator, planned_group
from tests.booking.test_payments_admin import offline_payment
from tests.factories import CoursePageFactory
from tests.helpers import text
from tests.privacy.factories import history, months_ago

pytestmark = pytest.mark.django_db

LOG = "/admin/inzage/"


@pytest.fixture
def staff(client):
    user = coordinator()
    client.force_login(user)
    return user


def earliest_now():
    """The earlier of the site's clock and the database's: PostgreSQL's own guard against early removal
    counts five years by its clock, so rows made 'long ago' must be that old by both (they agree in
    production; a suite run with the clock ahead moves only the site's)."""
    if connection.vendor != "postgresql":
        return timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        return min(timezone.now(), cursor.fetchone()[0])


def some_rows(user, count=3):
    people = ParticipantFactory.create_batch(count)
    for person in people:
        log_access(user, [person], Action.VIEW, "test")
    return people


def raw(sql, params=()):
    """Change the table behind the application's back, as someone with database access could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")  # triggers off (a superuser can)
        cursor.execute(sql, params)


# --- append-only ----------------------------------------------------------------------------------


def test_the_application_never_changes_or_deletes_a_row():
    some_rows(coordinator(), 1)
    entry = AccessLogEntry.objects.get()
    entry.where = "iets anders"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.filter(pk=entry.pk).update(where="iets anders")
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.all().delete()
    assert AccessLogEntry.objects.get().where == "test"


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the trigger is PostgreSQL's")
def test_on_postgresql_the_database_refuses_changes_and_early_deletes_too():
    some_rows(coordinator(), 1)
    entry = AccessLogEntry.objects.get()
    for sql in (
        "UPDATE booking_accesslogentry SET \"where\" = 'x'",
        "DELETE FROM booking_accesslogentry",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AccessLogEntry.objects.get(pk=entry.pk).where == "test"


# --- the chain ------------------------------------------------------------------------------------


def test_verify_passes_on_an_untouched_log():
    some_rows(coordinator(), 5)
    out = io.StringIO()
    call_command("verify_access_log", stdout=out)
    assert "5 regels gecontroleerd" in out.getvalue()


def test_a_changed_row_shows():
    some_rows(coordinator(), 5)
    third = AccessLogEntry.objects.order_by("pk")[2]
    raw('UPDATE booking_accesslogentry SET "where" = %s WHERE id = %s', ["ergens anders", third.pk])
    with pytest.raises(CommandError, match=f"regel {third.pk}"):
        call_command("verify_access_log", stdout=io.StringIO())


def test_a_removed_row_shows():
    some_rows(coordinator(), 5)
    rows = list(AccessLogEntry.objects.order_by("pk"))
    raw("DELETE FROM booking_accesslogentry WHERE id = %s", [rows[1].pk])
    result = access_log.verify()
    assert result.broken_at == rows[2].pk and result.checked == 1


def test_a_row_slipped_in_shows():
    user = coordinator()
    people = some_rows(user, 3)
    last = AccessLogEntry.objects.order_by("pk").last()
    raw(
        'INSERT INTO booking_accesslogentry (user_id, participant_id, "at", action, "where", chain) '
        "VALUES (%s, %s, %s, %s, %s, %s)",
        [user.pk, people[0].pk, timezone.now(), "view", "test", last.chain],
    )
    assert not access_log.verify().ok


def test_rows_written_at_the_same_time_by_many_screens_form_one_chain():
    user = coordinator()
    people = ParticipantFactory.create_batch(4)
    log_access(user, people, Action.VIEW_LIST, "groep 1: deelnemerslijst")
    log_access(user, people[:2], Action.EXPORT, "aanmeldingen: export (csv)")
    assert access_log.verify().ok and access_log.verify().checked == 6


# --- kept five years, then removed by the periodic run, and written down ------------------------------


def test_rows_older_than_five_years_are_removed_in_order_and_the_rest_still_verifies():
    user = coordinator()
    with time_machine.travel(earliest_now() - datetime.timedelta(days=5 * 366 + 10)):
        old = some_rows(user, 3)
    young = some_rows(user, 2)
    assert old and young

    counts = run_periodic()

    assert counts["access_log_removed"] == 3
    assert AccessLogEntry.objects.count() == 2
    purge = AccessLogPurge.objects.get()
    assert purge.removed == 3
    assert access_log.verify().ok
    assert run_periodic()["access_log_removed"] == 0


def test_the_purge_works_in_batches():
    user = coordinator()
    with time_machine.travel(earliest_now() - datetime.timedelta(days=6 * 366)):
        some_rows(user, 5)
    assert access_log.purge_expired(batch=2, batches=1) == 2
    assert access_log.purge_expired(batch=2) == 3
    assert AccessLogPurge.objects.count() == 3 and access_log.verify().ok


def test_the_period_cannot_be_set_below_five_years(settings):
    settings.GROEPSWIJZER_ACCESS_LOG_YEARS = 1
    with time_machine.travel(timezone.now() - datetime.timedelta(days=2 * 366)):
        some_rows(coordinator(), 2)
    assert access_log.purge_expired() == 0


# --- reading the log --------------------------------------------------------------------------------


def test_reading_the_log_is_logged_too(client, staff):
    other = coordinator(email="ander@groepswijzer.example")
    (person,) = some_rows(other, 1)
    page = client.get(LOG)
    assert page.status_code == 200 and person.full_name in text(page)
    assert AccessLogEntry.objects.filter(user=staff, action="view_log", participant=person).exists()


def test_the_log_cannot_be_searched_by_email_or_name_but_filtered_by_participant_number(client, staff):
    other = coordinator(email="ander@groepswijzer.example")
    person, someone = some_rows(other, 2)
    by_email = text(client.get(LOG, {"q": person.email}))
    by_name = text(client.get(LOG, {"q": person.last_name}))
    assert person.full_name not in by_email and person.full_name not in by_name
    by_number = text(client.get(LOG, {"participant": person.pk}))
    assert person.full_name in by_number and someone.full_name not in by_number


def test_a_coordinator_exports_a_participants_access_history_for_an_inzage_request(client, staff):
    sanne = history(ended_at=months_ago(3))
    other = coordinator(email="ander@groepswijzer.example", first_name="Bram", last_name="Smit")
    log_access(other, [sanne.participant], Action.EXPORT, "aanmeldingen: export (csv)")
    response = client.get(reverse("privacy_access_history", args=(sanne.participant.pk,)))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Moment", "Medewerker", "Handeling", "Waar", "Deelnemernummer"]
    assert ["Bram Smit", "geëxporteerd", "aanmeldingen: export (csv)"] in [row[1:4] for row in rows[1:]]
    # The export is a look at the log: it is in the log.
    assert AccessLogEntry.objects.filter(user=staff, action="view_log", participant=sanne.participant).exists()


def test_the_payment_action_pages_are_logged_when_opened(client, staff):
    payment, enrollment = offline_payment(planned_group(CoursePageFactory(), days=30))
    for name in ("betalingen_mark_paid", "betalingen_waive", "betalingen_refund"):
        assert client.get(reverse(name, args=(payment.pk,))).status_code == 200
    looks = AccessLogEntry.objects.filter(user=staff, participant=enrollment.participant, action="view")
    assert looks.count() == 3
    assert all(entry.where.startswith(f"groep {payment.group_id}: betaling {payment.pk}") for entry in looks)
