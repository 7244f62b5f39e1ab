"""Self-service rules: cancellation terms, cancelling, a cancelled group, reminders, the periodic run."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from booking import periodic
from booking.models import (
    Enrollment,
    Offer,
    OutgoingEmail,
    Session,
    TrainingGroup,
    WaitlistEntry,
)
from booking.selfservice import cancellation, personal, reminders
from booking.services import links, notifications
from booking.services.errors import EnrollmentNotActive
from booking.services.places import confirm_enrollment, hold_places
from booking.services.planning import cancel_session
from booking.staff import actions as staff_actions
from booking.waitlist import entries as waitlist
from booking.waitlist import offers as waitlist_offers
from tests.booking.factories import AMSTERDAM, NOW, EnrollmentFactory, on_day, person, place_in, planned_group
from tests.factories import CoursePageFactory, LocationFactory
from tests.helpers import emails_to

pytestmark = pytest.mark.django_db

FIRST = on_day(36)  # a Tuesday, 19:00; the group meets on 6, 13 and 20 April
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def eindhoven(db):
    return LocationFactory(
        name="Gezondheidscentrum De Linde",
        address="Lindelaan 4",
        postcode="5611 AB",
        town="Eindhoven",
        accessibility_notes="Lift aanwezig.",
    )


@pytest.fixture
def planned(course, eindhoven):
    return planned_group(course, eindhoven, first_start=FIRST)


# --- terms ---------------------------------------------------------------------------------------


def test_deadline_is_the_course_days_before_the_first_session_on_the_dutch_clock(planned):
    enrollment = place_in(planned)
    assert planned.course.cancellation_days == 7
    assert cancellation.cancellation_deadline(enrollment) == on_day(29)


def test_deadline_counts_calendar_days_across_the_clock_change(course, eindhoven):
    # Summer time starts on 28 March 2027; 7 days before 2 April 19:00 is still 19:00 on the clock.
    # (Fixed dates on purpose: the rule reads only the group's dates, never the clock.)
    group = planned_group(course, eindhoven, first_start=datetime.datetime(2027, 4, 2, 19, 0, tzinfo=AMSTERDAM))
    assert cancellation.cancellation_deadline(place_in(group)) == datetime.datetime(
        2027, 3, 26, 19, 0, tzinfo=AMSTERDAM
    )


def test_standard_terms_name_the_days_and_the_course_text_wins(planned):
    course = planned.course
    assert cancellation.cancellation_terms_text(course) == (
        "Afmelden kost niets tot 7 dagen voor de eerste bijeenkomst. "
        "Meldt u zich later af? Dan krijgt u de eigen bijdrage niet terug."
    )
    course.cancellation_days = 1
    assert "tot 1 dag voor" in cancellation.cancellation_terms_text(course)
    course.cancellation_terms = "Later afmelden? Dan betaalt u 10 euro administratiekosten."
    assert cancellation.cancellation_terms_text(course) == "Later afmelden? Dan betaalt u 10 euro administratiekosten."


def test_cancelling_is_free_until_the_deadline_and_not_after(planned):
    enrollment = place_in(planned)
    assert cancellation.is_within_cancellation_terms(enrollment, on_day(29, 18, 59))
    assert not cancellation.is_within_cancellation_terms(enrollment, on_day(29, 19, 0))


def test_a_hold_can_always_be_given_up_for_free(planned):
    (held,) = hold_places(planned, [person(1)], consent_text_version="2027-01", now=on_day(31))
    assert cancellation.is_within_cancellation_terms(held, on_day(31, 19, 5))


def test_without_planned_sessions_cancelling_is_free(group):
    assert cancellation.cancellation_terms(place_in(group), NOW).within


# --- cancelling through the personal link --------------------------------------------------------


def test_cancelling_in_time_frees_the_place_and_says_it_costs_nothing(
    planned, mailoutbox, django_capture_on_commit_callbacks
):
    enrollment = place_in(planned, email="fleur@example.nl")
    with django_capture_on_commit_callbacks(execute=True):
        cancelled, terms = cancellation.cancel_by_participant(enrollment, now=NOW)

    assert [e.pk for e in cancelled] == [enrollment.pk]
    assert terms.within
    enrollment.refresh_from_db()
    assert enrollment.status == "cancelled"
    (email,) = emails_to(mailoutbox, "fleur@example.nl")
    assert "U bent afgemeld voor Mentaal Fit" in email.subject
    assert "U heeft zich op tijd afgemeld. Afmelden kost u niets." in email.body
    assert links.manage_url(enrollment).split("/mijn-aanmelding/")[0] in email.body
    assert "/mijn-aanmelding/" in email.body


def test_cancelling_after_the_deadline_applies_the_terms(planned, mailoutbox, django_capture_on_commit_callbacks):
    enrollment = place_in(planned, email="fleur@example.nl")
    with django_capture_on_commit_callbacks(execute=True):
        _, terms = cancellation.cancel_by_participant(enrollment, now=on_day(32, 10, 0))

    assert not terms.within
    (email,) = emails_to(mailoutbox, "fleur@example.nl")
    deadline = date_format(FIRST - datetime.timedelta(days=7), "l j F Y")
    assert f"Kosteloos afmelden kon tot {deadline}, 19:00 uur" in email.body
    assert "Dan krijgt u de eigen bijdrage niet terug." in email.body


def test_a_partner_cancels_only_their_own_place_unless_they_choose_both(
    planned, mailoutbox, django_capture_on_commit_callbacks
):
    me, partner = hold_places(
        planned,
        [person(1, first_name="Joost"), person(2, first_name="Annelies")],
        consent_text_version="2027-01",
        now=NOW,
    )

    confirm_enrollment(me.party, now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        cancellation.cancel_by_participant(me, now=NOW)
    partner.refresh_from_db()
    assert partner.status == "confirmed"
    assert personal.partner_of(partner, NOW) is None

    # Annelies then chooses to cancel both; only her own place was still active.
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cancelled, _ = cancellation.cancel_by_participant(partner, with_partner=True, now=NOW + MINUTE)
    assert [e.pk for e in cancelled] == [partner.pk]
    assert len(mailoutbox) == 1


def test_choosing_both_cancels_the_partner_and_tells_them_who_did_it(
    planned, mailoutbox, django_capture_on_commit_callbacks
):
    me, partner = hold_places(
        planned,
        [person(1, first_name="Joost"), person(2, first_name="Annelies")],
        consent_text_version="2027-01",
        now=NOW,
    )
    with django_capture_on_commit_callbacks(execute=True):
        cancelled, _ = cancellation.cancel_by_participant(me, with_partner=True, now=NOW)

    assert {e.pk for e in cancelled} == {me.pk, partner.pk}
    (to_partner,) = emails_to(mailoutbox, "deelnemer2@example.nl")
    assert "Joost heeft u allebei afgemeld" in to_partner.body
    assert len(emails_to(mailoutbox, "deelnemer1@example.nl")) == 1


def test_cancelling_twice_is_refused_kindly_and_sends_nothing_more(
    planned, mailoutbox, django_capture_on_commit_callbacks
):
    enrollment = place_in(planned)
    with django_capture_on_commit_callbacks(execute=True):
        cancellation.cancel_by_participant(enrollment, now=NOW)
    with pytest.raises(EnrollmentNotActive) as refused:
        cancellation.cancel_by_participant(enrollment, now=NOW + MINUTE)
    assert str(refused.value) == "U bent al afgemeld voor deze groep."
    assert len(mailoutbox) == 1


def test_after_the_last_session_cancelling_is_not_possible(planned):
    enrollment = place_in(planned)
    assert cancellation.cancel_refusal(enrollment, on_day(51)) == (
        "De laatste bijeenkomst van deze groep is voorbij. Afmelden kan niet meer."
    )


# --- the organisation cancels a group ------------------------------------------------------------


def test_group_cancellation_emails_everyone_once_with_the_alternatives_nearest_first(
    course, eindhoven, mailoutbox, django_capture_on_commit_callbacks
):
    group = planned_group(course, eindhoven, first_start=FIRST)
    confirmed = [place_in(group, email=f"deelnemer{n}@example.nl", postcode="5611 AB") for n in range(3)]
    (held,) = hold_places(group, [person(9)], consent_text_version="2027-01", now=NOW)
    place_in(group, status="cancelled", email="al-weg@example.nl")

    geldrop = LocationFactory(name="Huisartsenpraktijk Geldrop", postcode="5664 AB", town="Geldrop")
    den_bosch = LocationFactory(name="Wijkgebouw De Hoven", postcode="5211 AB", town="'s-Hertogenbosch")
    helmond = LocationFactory(name="Gezondheidscentrum Helmond", postcode="5701 AB", town="Helmond")
    planned_group(course, den_bosch, first_start=on_day(37))
    planned_group(course, geldrop, first_start=on_day(38))
    full = planned_group(course, helmond, first_start=on_day(39), capacity=1, min_participants=1)
    place_in(full)
    planned_group(course, helmond, first_start=on_day(40, 10), status=TrainingGroup.Status.CLOSED)
    planned_group(CoursePageFactory(title="Mindfulness"), helmond, first_start=on_day(41))

    with django_capture_on_commit_callbacks(execute=True):
        cancelled = staff_actions.cancel_group(group, reason="Er waren te weinig aanmeldingen.", now=NOW)

    group.refresh_from_db()
    assert group.status == "cancelled"
    assert not Session.objects.filter(group=group, status="scheduled").exists()
    assert {e.pk for e in cancelled} == {e.pk for e in confirmed} | {held.pk}
    assert set(Enrollment.objects.filter(group=group).values_list("status", flat=True)) == {"cancelled"}
    assert emails_to(mailoutbox, "al-weg@example.nl") == []

    for enrollment in [*confirmed, held]:
        (email,) = emails_to(mailoutbox, enrollment.participant.email)
        assert email.subject.endswith("De groep Mentaal Fit in Eindhoven gaat niet door")
        assert "Er waren te weinig aanmeldingen." in email.body
        assert "Geldrop" in email.body and "'s-Hertogenbosch" in email.body
        assert email.body.index("Geldrop") < email.body.index("'s-Hertogenbosch")
        assert "Helmond" not in email.body  # full, closed, or another training
        assert f"/wachtlijst/{course.pk}/" in email.body
        assert "/aanmelden/groep/" in email.body
        assert "/mijn-aanmelding/" in email.body

    # Cancelling again changes nothing and sends nothing.
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_actions.cancel_group(group, now=NOW + MINUTE) == []
    assert mailoutbox == []


def test_group_cancellation_withdraws_an_open_offer_and_keeps_the_person_waiting(
    planned, mailoutbox, django_capture_on_commit_callbacks
):

    entry = waitlist.join_waitlist(
        planned.course,
        person(5, email="wacht@example.nl"),
        consent_text_version="2027-01",
        now=NOW - datetime.timedelta(days=1),
    )
    offer = waitlist_offers.offer_place(entry, planned, now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        staff_actions.cancel_group(planned, now=NOW + MINUTE)
    offer.refresh_from_db()
    entry.refresh_from_db()
    assert offer.status == Offer.Status.WITHDRAWN
    assert entry.status == WaitlistEntry.Status.WAITING
    (email,) = [m for m in emails_to(mailoutbox, "wacht@example.nl") if "gaat niet door" in m.subject]
    assert "U blijft op de wachtlijst staan, op dezelfde plaats." in email.body
    assert "/wachtlijst/status/" in email.body


def test_without_alternatives_the_email_points_to_the_waiting_list(
    planned, mailoutbox, django_capture_on_commit_callbacks
):
    enrollment = place_in(planned)
    with django_capture_on_commit_callbacks(execute=True):
        staff_actions.cancel_group(planned, now=NOW)
    (email,) = mailoutbox
    assert "Op dit moment is er geen andere groep van deze training met plaats." in email.body
    assert f"/wachtlijst/{planned.course.pk}/" in email.body
    assert enrollment.reference in email.body


# --- reminders and the periodic run --------------------------------------------------------------


def test_reminders_go_out_once_when_the_periodic_run_runs_twice(
    planned, mailoutbox, django_capture_on_commit_callbacks
):
    coming = place_in(planned, email="coming@example.nl")
    place_in(planned, status="cancelled", email="cancelled@example.nl")
    hold_places(planned, [person(7)], consent_text_version="2027-01", now=on_day(34))

    three_days_before = FIRST - datetime.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        assert periodic.run_periodic(three_days_before - MINUTE)["reminders"] == 0
        first = periodic.run_periodic(three_days_before)
        second = periodic.run_periodic(three_days_before + MINUTE)
    assert (first["reminders"], second["reminders"]) == (1, 0)
    (email,) = mailoutbox
    assert email.to == ["coming@example.nl"]
    assert email.subject.endswith(f"Herinnering: Mentaal Fit begint op {date_format(FIRST, 'l j F')}")
    assert "Wat neemt u mee?" in email.body
    assert "Lindelaan 4" in email.body and "Lift aanwezig." in email.body
    assert "/mijn-aanmelding/" in email.body
    second_session = Session.objects.get(group=planned, sequence=2)
    assert OutgoingEmail.objects.filter(
        key=f"reminder:session:{Session.objects.get(group=planned, sequence=1).pk}:enrollment:{coming.pk}"
    ).exists()

    # The next session: 24 hours before, once.
    mailoutbox.clear()
    day_before = second_session.start - datetime.timedelta(hours=24)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_reminders(day_before - MINUTE) == 0
        assert reminders.send_reminders(day_before) == 1
        assert reminders.send_reminders(day_before + datetime.timedelta(hours=1)) == 0
    (email,) = mailoutbox
    assert "bijeenkomst 2 van de training Mentaal Fit" in email.body


def test_no_reminder_for_a_cancelled_session_or_a_cancelled_group(
    planned, course, mailoutbox, django_capture_on_commit_callbacks
):
    place_in(planned)
    cancel_session(Session.objects.get(group=planned, sequence=2))
    other = planned_group(course, LocationFactory(), first_start=FIRST)
    place_in(other)
    staff_actions.cancel_group(other, now=NOW)
    mailoutbox.clear()
    second_start = on_day(43)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_reminders(second_start - datetime.timedelta(hours=2)) == 0


def test_the_online_link_is_in_the_reminder_of_online_groups_only(
    course, mailoutbox, django_capture_on_commit_callbacks
):
    online = LocationFactory.build(name="Online", kind="online", address="", postcode="", town="")
    online.save()
    group = planned_group(course, online, first_start=FIRST, online_meeting_url="https://meet.example.nl/mentaal-fit")
    place_in(group, email="online@example.nl")
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_reminders(FIRST - datetime.timedelta(days=2))
    (email,) = mailoutbox
    assert "https://meet.example.nl/mentaal-fit" in email.body
    assert "camera en microfoon" in email.body


def test_an_email_task_that_runs_twice_sends_one_email(planned, mailoutbox, django_capture_on_commit_callbacks):
    enrollment = place_in(planned)
    with django_capture_on_commit_callbacks(execute=False):
        row = notifications.queue_email(
            "reminder_first",
            reminders.reminder_key(Session.objects.get(group=planned, sequence=1), enrollment),
            participant=enrollment.participant,
            session_id=Session.objects.get(group=planned, sequence=1).pk,
            enrollment_id=enrollment.pk,
        )
    assert notifications.deliver(row.pk) is True
    assert notifications.deliver(row.pk) is False
    assert len(mailoutbox) == 1


def test_an_expired_hold_gets_one_email_with_a_way_back(planned, mailoutbox, django_capture_on_commit_callbacks):
    (held,) = hold_places(planned, [person(1, email="laat@example.nl")], consent_text_version="2027-01", now=NOW)
    later = NOW + datetime.timedelta(minutes=16)
    with django_capture_on_commit_callbacks(execute=True):
        first = periodic.run_periodic(later)
        second = periodic.run_periodic(later + MINUTE)
    assert (first["expired_holds"], first["hold_expired_emails"]) == (1, 1)
    assert (second["expired_holds"], second["hold_expired_emails"]) == (0, 0)
    held.refresh_from_db()
    assert held.status == "expired"
    (email,) = mailoutbox
    assert "is verlopen" in email.subject
    assert "Er is nog plaats in deze groep. Meld u dan opnieuw aan:" in email.body
    assert f"/aanmelden/groep/{planned.pk}/" in email.body


def test_the_expire_holds_command_also_sends_the_emails(
    planned, mailoutbox, capsys, django_capture_on_commit_callbacks
):
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    hold_places(planned, [person(1)], consent_text_version="2027-01", now=an_hour_ago)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("expire_holds")
    assert "Verlopen reserveringen: 1. E-mails: 1." in capsys.readouterr().out
    assert len(mailoutbox) == 1


def test_the_run_periodic_command_prints_a_count_per_step(db, capsys):
    call_command("run_periodic")
    out = capsys.readouterr().out
    for label in (
        "Verlopen reserveringen: 0",
        "Verlopen aanbiedingen: 0",
        "Herinneringen: 0",
        "'Wacht u nog?'-e-mails: 0",
    ):
        assert label in out


def test_send_reminders_command(planned, mailoutbox, capsys):
    call_command("send_reminders")
    assert "Herinneringen verstuurd: 0." in capsys.readouterr().out


def test_an_expired_waiting_list_offer_gets_no_hold_expired_email(
    planned, mailoutbox, django_capture_on_commit_callbacks
):

    entry = waitlist.join_waitlist(planned.course, person(5), consent_text_version="2027-01", now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        offer = waitlist_offers.offer_place(entry, planned, now=NOW)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        counts = periodic.run_periodic(offer.expires_at + MINUTE)
    assert counts["hold_expired_emails"] == 0
    assert counts["expired_offers"] == 1
    assert [message.subject for message in mailoutbox if "reservering" in message.subject] == []


@pytest.mark.django_db(transaction=True)
def test_email_that_failed_is_sent_by_the_periodic_retry_once(wagtail_roots, settings):
    """A mail server that was down: the email waits, the retry sends it, a second retry sends nothing."""
    enrollment = EnrollmentFactory()
    settings.EMAIL_BACKEND = "tests.booking.test_selfservice.BrokenBackend"
    mail.outbox = []
    with transaction.atomic():
        notifications.queue_email(
            "cancellation",
            f"test-retry:{enrollment.pk}",
            participant=enrollment.participant,
            enrollment_id=enrollment.pk,
            within_terms=True,
        )
    row = OutgoingEmail.objects.get(key=f"test-retry:{enrollment.pk}")
    assert row.sent_at is None and row.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications.retry_unsent() == 1
    assert notifications.retry_unsent() == 0
    assert len(mail.outbox) == 1


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")
