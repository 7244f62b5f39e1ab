"""Emails the periodic run queues are built when the worker sends them, not in the run, and arrive the same."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking import periodic
from booking.models import Enrollment, OutgoingEmail, Session
from booking.selfservice import reminders
from booking.services import notifications
from booking.services.places import expire_holds, hold_places, notify_expired_holds
from tests.booking.factories import NOW, on_day, person, place_in, planned_group
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db

LATER = NOW + datetime.timedelta(minutes=16)  # every hold made at NOW has run out


def what_arrives(message):
    """Everything a person receives of one email (the Date and Message-ID headers differ per send)."""
    return {
        "to": message.to,
        "from": message.from_email,
        "subject": message.subject,
        "body": message.body,
        "alternatives": [(content, mimetype) for content, mimetype in message.alternatives],
        "attachments": message.attachments,
        "headers": message.extra_headers,
    }


@pytest.fixture
def group(course):
    return planned_group(course, LocationFactory(), first_start=on_day(36))


@pytest.mark.parametrize("language", ["nl", "en"])
def test_an_email_queued_with_its_address_arrives_exactly_as_one_built_when_queued(
    group, language, mailoutbox, django_capture_on_commit_callbacks
):
    (held,) = hold_places(group, [person(1)], consent_text_version="2027-01", now=NOW, language=language)
    Enrollment.objects.filter(pk=held.pk).update(status=Enrollment.Status.EXPIRED)
    confirmed = place_in(group)
    Enrollment.objects.filter(pk=confirmed.pk).update(language=language)
    first = Session.objects.get(group=group, sequence=1)
    kinds = [
        ("hold_expired", held, {"enrollment_id": held.pk}),
        ("reminder_first", confirmed, {"session_id": first.pk, "enrollment_id": confirmed.pk}),
    ]
    for kind, enrollment, params in kinds:
        # One moment for both sends: the personal links are signed with the time they were made.
        with time_machine.travel(LATER, tick=False), django_capture_on_commit_callbacks(execute=True):
            built_now = notifications.queue_email(
                kind, f"{kind}:built-now", participant=enrollment.participant, **params
            )
            built_when_sent = notifications.queue_email(
                kind,
                f"{kind}:built-when-sent",
                participant=enrollment.participant,
                to=enrollment.participant.email,
                **params,
            )
        assert built_now.subject and built_when_sent.subject == ""  # nothing built yet
        *_before, sent_before, sent_after = mailoutbox
        assert what_arrives(sent_after) == what_arrives(sent_before)
        rows = {row.key: row for row in OutgoingEmail.objects.filter(kind=kind)}
        # The subject is stored as it was sent; both rows say the same.
        assert rows[f"{kind}:built-when-sent"].subject == rows[f"{kind}:built-now"].subject
        assert sent_after.subject.endswith(rows[f"{kind}:built-when-sent"].subject)
        assert rows[f"{kind}:built-when-sent"].sent_at is not None
    subjects = [message.subject for message in mailoutbox]
    if language == "en":
        assert any("has expired" in subject for subject in subjects), subjects
    else:
        assert any("is verlopen" in subject for subject in subjects), subjects


def test_the_periodic_run_queues_the_emails_without_building_them(
    group, mailoutbox, django_capture_on_commit_callbacks
):
    """Queueing an expired hold's email writes its row and reads nothing the email is built from.

    Building one reads the place, its group, its sessions and the course page
    (for the links); the run leaves that to the worker that sends it.
    """
    for number in range(4):
        hold_places(group, [person(number)], consent_text_version="2027-01", now=NOW)
    with django_capture_on_commit_callbacks(execute=False):
        expired = sorted(expire_holds(LATER), key=lambda enrollment: enrollment.pk)
    assert len(expired) == 4
    with django_capture_on_commit_callbacks(execute=False) as queued_one, CaptureQueriesContext(connection) as one:
        assert notify_expired_holds(expired[:1]) == 1
    with django_capture_on_commit_callbacks(execute=False) as queued_three, CaptureQueriesContext(connection) as three:
        assert notify_expired_holds(expired[1:]) == 3
    read = " ".join(query["sql"] for query in [*one.captured_queries, *three.captured_queries])
    assert "booking_session" not in read and "wagtailcore_page" not in read
    # Each more email costs the same few statements: its row (with its savepoints), nothing else.
    per_email = (len(three) - len(one)) / 2
    assert per_email <= 6
    rows = OutgoingEmail.objects.filter(kind="hold_expired").order_by("pk")
    assert [(row.to, row.subject, row.sent_at) for row in rows] == [
        (enrollment.participant.email, "", None) for enrollment in expired
    ]

    # The worker builds and sends them; then the rows say what was sent.
    for callback in [*queued_one, *queued_three]:
        callback()
    assert len(mailoutbox) == 4
    assert all("is verlopen" in message.subject for message in mailoutbox)
    assert {row.subject for row in OutgoingEmail.objects.filter(kind="hold_expired")} == {
        message.subject.removeprefix(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX) for message in mailoutbox
    }


def test_reminders_of_the_periodic_run_are_queued_unbuilt_and_sent_once(
    group, mailoutbox, django_capture_on_commit_callbacks
):
    enrollment = place_in(group)
    first = Session.objects.get(group=group, sequence=1)
    due = first.start - datetime.timedelta(days=2)
    # At that moment (the outbox stamps its rows with the clock; the run's retry leaves new rows to the worker).
    with time_machine.travel(due, tick=False), django_capture_on_commit_callbacks(execute=False) as queued:
        assert periodic.run_periodic(due)["reminders"] == 1
    row = OutgoingEmail.objects.get(key=reminders.reminder_key(first, enrollment))
    assert (row.to, row.subject, row.sent_at) == (enrollment.participant.email, "", None)
    for callback in queued:
        callback()
    a_minute_later = due + datetime.timedelta(minutes=1)
    with time_machine.travel(a_minute_later, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert periodic.run_periodic(a_minute_later)["reminders"] == 0
    (email,) = mailoutbox
    row.refresh_from_db()
    assert row.sent_at is not None and email.subject.endswith(row.subject) and "Herinnering" in row.subject
