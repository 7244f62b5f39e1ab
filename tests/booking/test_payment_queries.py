"""Starting a payment and the webhook that confirms it keep to a few statements, and the lock to fewer.

Against the fake Mollie, spoken to by the real Mollie client (``tests/fake_mollie.py``).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.models import Enrollment, OutgoingEmail, Payment, PaymentEvent
from booking.payments import online
from booking.payments.gateway import configured_gateway
from booking.payments.lifecycle import latest_payment, party_enrollments
from booking.services import money, places, statements
from groepswijzer import prepared
from tests.booking.factories import person, planned_group, signup_course
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db

REDIRECT = "http://testserver/betalen/terug/"


def _statements(queries):
    return [prepared.as_written(query["sql"]).split()[0].upper() for query in queries.captured_queries]


@pytest.fixture
def couple(course_index):
    course = signup_course(course_index, couples_welcome=True, questions=False)
    group = planned_group(course, LocationFactory(), capacity=6, days=30, count=5)
    return places.hold_places(group, [person(1), person(2)], consent_text_version="t")


def test_a_couple_starts_paying_in_two_short_transactions(couple, mollie):
    with CaptureQueriesContext(connection) as queries:
        payment = online.start_online_payment(
            couple, gateway=configured_gateway(), redirect_url_for=lambda p: REDIRECT, webhook_url=""
        )

    assert payment.status == "open" and payment.checkout_url
    assert payment.places == 2 and set(payment.enrollments.values_list("pk", flat=True)) == {e.pk for e in couple}
    assert list(PaymentEvent.objects.filter(payment=payment).values_list("to_status", flat=True)) == ["created", "open"]
    # Before Mollie: the places with the id of the latest payment (there is none yet); the payment,
    # its links and its log line. After Mollie: Mollie's answer with its status in one update (only
    # while the payment is still created: no lock to take first, nothing is confirmed on this step)
    # and one log line. On PostgreSQL the payment, its links and its log line are one statement, and
    # so are the update and its log line: three in all, and no transaction of their own. Elsewhere one
    # statement each, each group in a transaction (a savepoint and its release in a test).
    if connection.vendor == "postgresql":
        assert _statements(queries) == ["SELECT", "WITH", "WITH"]
    else:
        assert len(queries) == 10
        assert _statements(queries).count("UPDATE") == 1


def test_the_webhook_that_confirms_a_couple_takes_a_dozen_statements_and_a_repeat_one(couple, mollie):
    gateway = configured_gateway()
    payment = online.start_online_payment(couple, gateway=gateway, redirect_url_for=lambda p: REDIRECT, webhook_url="")
    mollie.set_status(payment.mollie_id, "paid")

    with CaptureQueriesContext(connection) as paid:
        payment, changed = online.sync_payment(payment, gateway=gateway, actor="webhook", nowait=True)
    with CaptureQueriesContext(connection) as again:
        payment, changed_again = online.sync_payment(payment, gateway=gateway, actor="webhook", nowait=True)

    assert changed and not changed_again
    assert set(Enrollment.objects.filter(party=payment.party).values_list("status", flat=True)) == {"confirmed"}
    assert OutgoingEmail.objects.filter(kind="confirmation").count() == 2
    # The group's lock (its status and course read with it), the payment's, its update and log line
    # (on PostgreSQL one statement), the sign-up's other payments, the places, their update, the two
    # emails in one insert each; and the savepoint.
    assert len(paid) == (10 if connection.vendor == "postgresql" else 11)
    # The payment as it is now and whether a refund is on its way, in one read without a lock: nothing
    # would change, so nothing is locked.
    assert len(again) == 1
    assert _statements(again) == ["SELECT"]


def test_a_sign_ups_places_are_read_in_one_statement_as_the_orm_reads_them(couple):
    """``party_enrollments`` (a written-out statement) gives what the ORM's select_related gives."""
    party = couple[0].party
    expected = list(
        Enrollment.objects.filter(party=party).select_related("participant", "group__course").order_by("pk")
    )

    with CaptureQueriesContext(connection) as queries:
        places = party_enrollments(party)
        seen = [(p.reference, p.participant.email, p.group.capacity, p.group.course.title) for p in places]

    assert len(queries) == 1
    assert seen == [(e.reference, e.participant.email, e.group.capacity, e.group.course.title) for e in expected]
    for place, orm in zip(places, expected, strict=True):
        for mine, theirs in ((place, orm), (place.participant, orm.participant), (place.group, orm.group)):
            assert [getattr(mine, f.attname) for f in type(mine)._meta.concrete_fields] == [
                getattr(theirs, f.attname) for f in type(theirs)._meta.concrete_fields
            ]
        course, orm_course = place.group.course, orm.group.course
        assert type(course) is type(orm_course)
        fields = type(course)._meta.concrete_fields
        assert [getattr(course, f.attname) for f in fields] == [getattr(orm_course, f.attname) for f in fields]


def test_starting_a_payment_reads_only_the_title_and_contribution_of_the_course(couple):
    """The course page's other columns (its text and blocks) are deferred, and read when touched."""
    party = couple[0].party

    with CaptureQueriesContext(connection) as queries:
        (first, second) = party_enrollments(party, course_fields=("title", "contribution"))
        seen = (first.reference, first.group.amount, first.group.course.title)
    course = first.group.course

    assert len(queries) == 1
    assert seen == (couple[0].reference, couple[0].group.amount, couple[0].group.course.title)
    assert "title" not in course.get_deferred_fields() and "slug" in course.get_deferred_fields()
    with CaptureQueriesContext(connection) as later:
        assert course.slug == couple[0].group.course.slug
    assert len(later) == 1


def test_a_sign_ups_places_come_with_the_id_of_its_latest_payment_of_a_provider(couple):
    party = couple[0].party
    older = money.create_payment(couple, provider="mollie")
    newer = money.create_payment(couple, provider="mollie")
    money.create_payment(couple, provider="offline")

    found, newest = statements.party_places(party, newest_payment="mollie")
    none_yet = statements.party_places(party, newest_payment="transfer")

    assert [p.pk for p in found] == [e.pk for e in couple]
    assert newest == newer.pk == latest_payment(party, "mollie").pk != older.pk
    assert none_yet[1] is None and latest_payment(party, "transfer") is None


def test_an_update_that_finds_its_row_moved_on_writes_nothing_and_logs_nothing(couple):
    """``statements.update_one`` with a condition and a log line: both go in, or neither (one statement on
    PostgreSQL, two elsewhere)."""
    payment = money.create_payment(couple, provider="mollie")
    Payment.objects.filter(pk=payment.pk).update(status="open")  # a second tab got there first

    def update(expected):
        event = money.payment_event(payment, actor="system", from_status=expected, to_status="pending")
        with statements.together():
            saved = statements.update_one(
                Payment, payment.pk, only_if={"status": expected}, then_insert=[event], link="payment", status="pending"
            )
        return saved, event

    missed, unsaved = update("created")
    saved, event = update("open")

    assert missed is None and unsaved.pk is None
    assert (saved.pk, saved.status, saved.amount, saved.party) == (payment.pk, "pending", payment.amount, payment.party)
    assert list(PaymentEvent.objects.filter(payment=payment).order_by("pk").values_list("pk", "to_status")) == [
        (payment.events.get(to_status="created").pk, "created"),
        (event.pk, "pending"),
    ]
