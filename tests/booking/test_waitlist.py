"""The waiting list's rules: order, moves, offers of freed places, answers, expiry, the monthly check."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from booking.models import (
    Enrollment,
    Offer,
    OutgoingEmail,
    PartOfDay,
    Payment,
    RegistrationStop,
    WaitlistEntry,
    WaitlistMove,
)
from booking.services import errors
from booking.services.availability import places_left
from booking.services.errors import GroupFull, SignupClosed
from booking.services.offers import offer_freed_places
from booking.services.places import cancel_enrollment, expire_holds, hold_places
from booking.waitlist import checks, estimate
from booking.waitlist import entries as waitlist
from booking.waitlist import offers as waitlist_offers
from tests.booking.factories import (
    AMSTERDAM,
    NOW,
    EnrollmentFactory,
    TrainingGroupFactory,
    WaitlistEntryFactory,
    on_day,
    person,
    planned_group,
)
from tests.factories import LocationFactory, UserFactory

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def full_group(course, location):
    """An open group with 4 places, all taken, meeting in the evening from two weeks after NOW."""
    group = planned_group(
        course,
        location,
        capacity=4,
        min_participants=1,
        first_start=datetime.datetime.combine(on_day(14).date(), datetime.time(19, 0), tzinfo=AMSTERDAM),
    )
    EnrollmentFactory.create_batch(4, group=group)
    return group


@pytest.fixture
def run_after_commit(django_capture_on_commit_callbacks):
    """Run what waits for the commit (emails, passing places on), as it would after a real commit."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def waiting(course, count, **fields):
    return [WaitlistEntryFactory(course=course, **fields) for _ in range(count)]


def status_of(entry):
    entry.refresh_from_db()
    return entry.status


def open_offers(group):
    return Offer.objects.filter(group=group, status=Offer.Status.OPEN)


def sent_to(mailoutbox, address):
    return [message for message in mailoutbox if address in message.to]


# --- joining, position and order -----------------------------------------------------------------


def test_joining_puts_someone_at_the_end_and_emails_their_personal_link(
    course, full_group, run_after_commit, mailoutbox
):
    waiting(course, 2)
    entry = run_after_commit(
        waitlist.join_waitlist,
        course,
        person(1, postcode="5611 ab", phone="06-12345678"),
        preferred_locations=[full_group.location],
        part_of_day=PartOfDay.EVENING,
        consent_text_version="2027-01",
        now=NOW,
    )

    assert waitlist.position(entry) == 3
    assert entry.consent_at == NOW and entry.consent_text_version == "2027-01"
    assert entry.participant.postcode == "5611 AB"
    (message,) = mailoutbox
    assert message.to == ["deelnemer1@example.nl"]
    assert "plaats 3" in message.body
    assert "/wachtlijst/status/" in message.body


def test_joining_checks_the_person_like_the_sign_up_does(course):
    with pytest.raises(ValidationError) as error:
        waitlist.join_waitlist(course, person(1, postcode="0123 AB"), consent_text_version="2027-01", now=NOW)
    assert "postcode" in error.value.message_dict
    course.min_age = 21
    with pytest.raises(ValidationError) as error:
        waitlist.join_waitlist(course, person(2, birth_year=2008), consent_text_version="2027-01", now=NOW)
    assert "21 jaar" in error.value.message_dict["birth_year"][0]
    assert not WaitlistEntry.objects.exists()


def test_the_same_email_cannot_join_the_same_list_twice_and_the_message_does_not_show_it(
    course, run_after_commit, mailoutbox
):
    first = run_after_commit(waitlist.join_waitlist, course, person(1), consent_text_version="2027-01", now=NOW)

    with pytest.raises(errors.AlreadyOnWaitlist) as refusal:
        run_after_commit(
            waitlist.join_waitlist,
            course,
            person(1, email="Deelnemer1@Example.nl"),
            consent_text_version="2027-01",
            now=NOW,
        )

    assert "deelnemer1@example.nl" not in str(refusal.value.message).lower()
    assert WaitlistEntry.objects.count() == 1
    # The owner of the address gets their own link again, once a day at most.
    assert len(mailoutbox) == 2 and all(message.to == ["deelnemer1@example.nl"] for message in mailoutbox)
    with pytest.raises(errors.AlreadyOnWaitlist):
        run_after_commit(waitlist.join_waitlist, course, person(1), consent_text_version="2027-01", now=NOW)
    assert len(mailoutbox) == 2
    # After leaving, joining again is fine.
    waitlist.leave_waitlist(first, now=NOW)
    assert waitlist.join_waitlist(course, person(1), consent_text_version="2027-01", now=NOW).status == "waiting"


def test_position_counts_only_people_still_on_the_list_in_order(course):
    first, second, third, fourth = waiting(course, 4)
    second.status = WaitlistEntry.Status.OFFERED
    second.save()
    WaitlistEntry.objects.filter(pk=first.pk).update(status=WaitlistEntry.Status.LEFT)
    first.refresh_from_db()

    assert [waitlist.position(entry) for entry in (first, second, third, fourth)] == [None, 1, 2, 3]


def test_one_list_per_course_not_per_group(course, location):
    other_course_entry = WaitlistEntryFactory()
    entries = waiting(course, 2)
    assert waitlist.position(entries[1]) == 2
    assert waitlist.position(other_course_entry) == 1


def test_moving_someone_needs_a_reason(course):
    entries = waiting(course, 3)
    coordinator = UserFactory()
    for reason in ("", "   "):
        with pytest.raises(ValidationError):
            waitlist.move_entry(entries[2], 1, by=coordinator, reason=reason)
    assert not WaitlistMove.objects.exists()


def test_moving_changes_the_order_and_keeps_the_reason(course):
    a, b, c, d = waiting(course, 4)
    coordinator = UserFactory()

    waitlist.move_entry(d, 1, by=coordinator, reason="Verwezen met spoed door de POH-GGZ")
    waitlist.move_entry(a, 3, by=coordinator, reason="Kan pas over een maand")
    waitlist.move_entry(b, 99, by=coordinator, reason="Zelf gevraagd")

    order = list(waitlist.active_entries(course).values_list("pk", flat=True))
    assert order == [d.pk, a.pk, c.pk, b.pk]
    move = WaitlistMove.objects.get(entry=d)
    assert (move.from_position, move.to_position, move.moved_by, move.reason) == (
        4,
        1,
        coordinator,
        "Verwezen met spoed door de POH-GGZ",
    )
    assert WaitlistMove.objects.get(entry=b).to_position == 4


def test_many_moves_between_the_same_two_people_keep_a_clear_order(course):
    entries = waiting(course, 3)
    coordinator = UserFactory()
    for _ in range(80):
        last = list(waitlist.active_entries(course))[-1]
        waitlist.move_entry(last, 2, by=coordinator, reason="Test van de volgorde")
    ranks = list(waitlist.active_entries(course).values_list("rank", flat=True))
    assert len(set(ranks)) == 3
    assert sorted(ranks) == ranks and len(entries) == 3


# --- expected wait -------------------------------------------------------------------------------


def test_expected_wait_counts_the_places_in_coming_groups_ahead_of_this_person(course, location):
    planned_group(
        course,
        location,
        capacity=2,
        min_participants=1,
        first_start=datetime.datetime.combine(on_day(21).date(), datetime.time(19, 0), tzinfo=AMSTERDAM),
    )  # 3 weeks: 2 free places
    later = planned_group(
        course,
        location,
        capacity=5,
        min_participants=1,
        status="planned",
        first_start=datetime.datetime.combine(on_day(63).date(), datetime.time(19, 0), tzinfo=AMSTERDAM),
    )
    EnrollmentFactory.create_batch(2, group=later)  # a planned group: all its places count
    entries = waiting(course, 4)

    first = estimate.expected_wait(entries[0], now=NOW)
    assert first.weeks == 3
    assert str(first).startswith("We verwachten dat u over ongeveer 3 weken kunt beginnen")
    assert estimate.expected_wait(entries[3], now=NOW).weeks == 9
    assert estimate.expected_wait(entries[3], now=NOW).group == later


def test_expected_wait_says_so_when_we_cannot_tell(course, full_group):
    entry = waiting(course, 1)[0]
    wait = estimate.expected_wait(entry, now=NOW)
    assert wait.weeks is None
    assert "We weten nog niet hoe lang u moet wachten" in str(wait)


def test_expected_wait_only_counts_groups_that_fit_the_wishes(course, location):
    planned_group(
        course,
        location,
        capacity=5,
        min_participants=1,
        first_start=datetime.datetime.combine(on_day(14).date(), datetime.time(10, 0), tzinfo=AMSTERDAM),
    )
    morning = WaitlistEntryFactory(course=course, part_of_day=PartOfDay.MORNING)
    evening = WaitlistEntryFactory(course=course, part_of_day=PartOfDay.EVENING)
    assert estimate.expected_wait(morning, now=NOW).weeks == 2
    assert estimate.expected_wait(evening, now=NOW).weeks is None


# --- offers of freed places ----------------------------------------------------------------------


def test_a_cancellation_offers_the_freed_place_to_the_first_person(course, full_group, run_after_commit, mailoutbox):
    first, second = waiting(course, 2)

    run_after_commit(cancel_enrollment, full_group.enrollments.first(), now=NOW)

    (offer,) = open_offers(full_group)
    assert offer.entry == first and status_of(first) == "offered" and status_of(second) == "waiting"
    assert offer.enrollment.status == Enrollment.Status.HELD
    assert offer.expires_at == NOW + 48 * HOUR == offer.enrollment.hold_expires_at
    (message,) = sent_to(mailoutbox, first.participant.email)
    assert "/wachtlijst/aanbod/" in message.body and "keuze=ja" in message.body and "keuze=nee" in message.body
    assert "/wachtlijst/status/" in message.body


def test_an_offer_holds_its_place_for_48_hours_as_taken(course, full_group, run_after_commit):
    waiting(course, 1)
    run_after_commit(cancel_enrollment, full_group.enrollments.first(), now=NOW)

    assert places_left(full_group, NOW) == 0
    with pytest.raises(GroupFull):
        hold_places(full_group, [person(50)], consent_text_version="2027-01", now=NOW + 47 * HOUR)
    # Past the offer's time the place counts as free again, sweep or not.
    assert places_left(full_group, NOW + 48 * HOUR) == 1


def test_the_offer_time_follows_the_setting(course, full_group, run_after_commit, settings):
    settings.GROEPSWIJZER_OFFER_HOURS = 24
    waiting(course, 1)
    run_after_commit(cancel_enrollment, full_group.enrollments.first(), now=NOW)
    assert open_offers(full_group).get().expires_at == NOW + 24 * HOUR


def test_an_expired_hold_offers_its_place_when_swept(course, location, run_after_commit):
    group = planned_group(
        course,
        location,
        capacity=2,
        min_participants=1,
        first_start=datetime.datetime.combine(on_day(14).date(), datetime.time(19, 0), tzinfo=AMSTERDAM),
    )
    EnrollmentFactory(group=group)
    hold_places(group, [person(1)], consent_text_version="2027-01", now=NOW)
    entry = waiting(course, 1)[0]
    assert not open_offers(group).exists()

    run_after_commit(expire_holds, NOW + 20 * datetime.timedelta(minutes=1))

    assert open_offers(group).get().entry == entry


def test_never_more_offers_than_free_places(course, full_group, run_after_commit):
    waiting(course, 5)
    for enrollment in list(full_group.enrollments.all()[:2]):
        run_after_commit(cancel_enrollment, enrollment, now=NOW)
    # Asking again, as the admin or the sweep would, gives nothing more.
    assert offer_freed_places(full_group, now=NOW) == []
    assert run_after_commit(waitlist_offers.offer_all_free_places, NOW) == []
    assert open_offers(full_group).count() == 2
    assert places_left(full_group, NOW) == 0


def test_a_new_open_group_is_offered_to_fitting_people_in_order(course, location):
    entries = waiting(course, 3)
    group = planned_group(
        course,
        location,
        capacity=2,
        min_participants=1,
        first_start=datetime.datetime.combine(on_day(14).date(), datetime.time(19, 0), tzinfo=AMSTERDAM),
    )

    offers = offer_freed_places(group, now=NOW)

    assert [offer.entry for offer in offers] == entries[:2]


def test_preferred_locations_decide_who_gets_the_place(course, full_group):
    elsewhere = LocationFactory(name="Wijkgebouw 't Hofke", town="Geldrop")
    only_elsewhere = WaitlistEntryFactory(course=course, preferred_locations=[elsewhere])
    here_or_elsewhere = WaitlistEntryFactory(course=course, preferred_locations=[elsewhere, full_group.location])
    full_group.enrollments.first().delete()

    (offer,) = offer_freed_places(full_group, now=NOW)
    assert offer.entry == here_or_elsewhere and status_of(only_elsewhere) == "waiting"


@pytest.mark.parametrize(
    "clock, fitting",
    [
        (datetime.time(9, 30), PartOfDay.MORNING),
        (datetime.time(13, 0), PartOfDay.AFTERNOON),
        (datetime.time(16, 59), PartOfDay.AFTERNOON),
        (datetime.time(17, 0), PartOfDay.EVENING),
    ],
)
def test_part_of_day_follows_the_first_session(course, location, clock, fitting):
    group = planned_group(
        course,
        location,
        capacity=1,
        min_participants=1,
        first_start=datetime.datetime.combine(on_day(14).date(), clock, tzinfo=AMSTERDAM),
    )
    for part in (PartOfDay.MORNING, PartOfDay.AFTERNOON, PartOfDay.EVENING):
        if part != fitting:
            WaitlistEntryFactory(course=course, part_of_day=part)
    wanted = WaitlistEntryFactory(course=course, part_of_day=fitting)

    (offer,) = offer_freed_places(group, now=NOW)
    assert offer.entry == wanted


def test_nobody_fitting_means_no_offer(course, full_group):
    WaitlistEntryFactory(course=course, part_of_day=PartOfDay.MORNING)
    full_group.enrollments.first().delete()
    assert offer_freed_places(full_group, now=NOW) == []


def test_no_offers_behind_a_registration_stop_or_for_a_closed_group(course, full_group):
    waiting(course, 1)
    full_group.enrollments.first().delete()
    stop = RegistrationStop.objects.create(course=course, message="Even geen nieuwe deelnemers.", starts_at=NOW - DAY)
    assert offer_freed_places(full_group, now=NOW) == []

    stop.ends_at = NOW - HOUR
    stop.save()
    full_group.status = "closed"
    full_group.save()
    assert offer_freed_places(full_group, now=NOW) == []

    full_group.status = "open"
    full_group.save()
    assert len(offer_freed_places(full_group, now=NOW)) == 1


def test_someone_who_already_has_a_place_in_the_course_is_passed_over(course, full_group):
    has_place, other = waiting(course, 2)
    EnrollmentFactory(group=TrainingGroupFactory(course=course), participant__email=has_place.participant.email)
    full_group.enrollments.first().delete()

    (offer,) = offer_freed_places(full_group, now=NOW)
    assert offer.entry == other


# --- answers -------------------------------------------------------------------------------------


@pytest.fixture
def offered(course, full_group, run_after_commit):
    """Three people waiting; a cancellation gave the first an offer."""
    entries = waiting(course, 3)
    run_after_commit(cancel_enrollment, full_group.enrollments.first(), now=NOW)
    return open_offers(full_group).get(), entries


def test_accepting_confirms_the_place_and_takes_the_person_off_the_list(offered, run_after_commit, mailoutbox):
    offer, (first, second, _third) = offered
    mailoutbox.clear()

    run_after_commit(waitlist_offers.accept_offer, offer, NOW + HOUR, consent_text_version="2027-02")

    offer.refresh_from_db()
    assert offer.status == Offer.Status.ACCEPTED and offer.decided_at == NOW + HOUR
    assert offer.enrollment.status == Enrollment.Status.CONFIRMED
    assert offer.enrollment.consent_text_version == "2027-02"
    assert status_of(first) == "placed" and waitlist.position(second) == 1
    (message,) = sent_to(mailoutbox, first.participant.email)
    assert "bevestig" in message.subject.lower() and message.attachments  # with the calendar file
    # The coordinator finds an open payment for the first session, to mark paid or waive.

    assert Payment.objects.get(party=offer.enrollment.party).status == Payment.Status.OPEN
    # Accepting again changes and sends nothing.
    run_after_commit(waitlist_offers.accept_offer, offer, NOW + 2 * HOUR)
    assert len(mailoutbox) == 1


def test_declining_passes_the_place_to_the_next_person_at_once(offered, run_after_commit, mailoutbox):
    offer, (first, second, _third) = offered

    run_after_commit(waitlist_offers.decline_offer, offer, NOW + HOUR)

    offer.refresh_from_db()
    assert offer.status == Offer.Status.DECLINED and offer.enrollment.status == Enrollment.Status.CANCELLED
    assert status_of(first) == "waiting" and waitlist.position(first) == 1
    next_offer = open_offers(offer.group).get()
    assert next_offer.entry == second
    assert len(sent_to(mailoutbox, second.participant.email)) == 1
    with pytest.raises(errors.OfferAnswered):
        waitlist_offers.accept_offer(offer, NOW + HOUR)


def test_a_declined_group_is_not_offered_to_the_same_person_again(offered, run_after_commit):
    offer, (_first, _second, third) = offered
    run_after_commit(waitlist_offers.decline_offer, offer, NOW + HOUR)
    run_after_commit(waitlist_offers.decline_offer, open_offers(offer.group).get(), NOW + HOUR)

    assert open_offers(offer.group).get().entry == third
    run_after_commit(waitlist_offers.decline_offer, open_offers(offer.group).get(), NOW + HOUR)
    assert not open_offers(offer.group).exists()
    assert places_left(offer.group, NOW + HOUR) == 1


def test_an_offer_nobody_answers_expires_and_passes_on_with_one_email(offered, run_after_commit, mailoutbox):
    offer, (first, second, _third) = offered
    later = NOW + 49 * HOUR

    expired = run_after_commit(waitlist_offers.expire_offers, later)
    again = run_after_commit(waitlist_offers.expire_offers, later)

    assert [o.pk for o in expired] == [offer.pk] and again == []
    offer.refresh_from_db()
    assert offer.status == Offer.Status.EXPIRED and offer.enrollment.status == Enrollment.Status.EXPIRED
    assert status_of(first) == "waiting"
    assert open_offers(offer.group).get().entry == second
    expiry_mails = [m for m in sent_to(mailoutbox, first.participant.email) if "verlopen" in m.subject]
    assert len(expiry_mails) == 1 and "/wachtlijst/status/" in expiry_mails[0].body


def test_accepting_too_late_is_refused_and_the_place_passes_on(offered, run_after_commit):
    offer, (_first, second, _third) = offered
    with pytest.raises(errors.OfferExpired):
        run_after_commit(waitlist_offers.accept_offer, offer, NOW + 48 * HOUR)
    offer.refresh_from_db()
    assert offer.status == Offer.Status.EXPIRED
    assert open_offers(offer.group).get().entry == second


def test_an_offer_by_hand_keeps_who_made_it(course, full_group, run_after_commit):
    first, second = waiting(course, 2)
    coordinator = UserFactory()
    with pytest.raises(GroupFull):
        waitlist_offers.offer_place(second, full_group, by=coordinator, now=NOW)

    full_group.enrollments.first().delete()
    offer = waitlist_offers.offer_place(second, full_group, by=coordinator, now=NOW)

    assert offer.offered_by == coordinator and offer.entry == second and status_of(first) == "waiting"
    with pytest.raises(errors.NotOnWaitlist):
        waitlist_offers.offer_place(second, full_group, by=coordinator, now=NOW)


def test_an_offer_by_hand_needs_an_open_group(course, full_group):
    entry = waiting(course, 1)[0]
    full_group.enrollments.first().delete()
    full_group.status = "closed"
    full_group.save()
    with pytest.raises(SignupClosed):
        waitlist_offers.offer_place(entry, full_group, now=NOW)


def test_leaving_with_an_open_offer_gives_the_place_to_the_next(offered, run_after_commit):
    offer, (first, second, _third) = offered
    run_after_commit(waitlist.leave_waitlist, first, NOW + HOUR)
    assert first.status == "left"
    assert open_offers(offer.group).get().entry == second
    # Leaving again changes nothing.
    assert waitlist.leave_waitlist(first, NOW + 2 * HOUR).left_at == NOW + HOUR


# --- the monthly check ---------------------------------------------------------------------------


def test_the_monthly_check_goes_once_and_silence_removes_after_14_days(course, run_after_commit, mailoutbox):
    old = WaitlistEntryFactory(course=course, joined=NOW - 31 * DAY)
    new = WaitlistEntryFactory(course=course, joined=NOW - 5 * DAY)

    asked = run_after_commit(checks.send_waitlist_checks, NOW)
    assert [entry.pk for entry in asked] == [old.pk]
    assert run_after_commit(checks.send_waitlist_checks, NOW + DAY) == []
    (check,) = mailoutbox
    assert "Ja, ik wil blijven wachten" in check.body and "Nee, haal mij van de lijst" in check.body
    assert "/wachtlijst/blijven/" in check.body and "/wachtlijst/afmelden/" in check.body

    assert run_after_commit(checks.remove_unanswered, NOW + 13 * DAY) == []
    removed = run_after_commit(checks.remove_unanswered, NOW + 14 * DAY)
    assert [entry.pk for entry in removed] == [old.pk] and status_of(old) == "removed"
    assert run_after_commit(checks.remove_unanswered, NOW + 15 * DAY) == []
    removal = mailoutbox[-1]
    assert "niet meer op de wachtlijst" in removal.subject and f"/wachtlijst/{course.pk}/" in removal.body
    assert len(mailoutbox) == 2 and status_of(new) == "waiting"


def test_answering_stay_keeps_the_place_and_the_next_check_comes_a_month_later(course, run_after_commit, mailoutbox):
    entry = WaitlistEntryFactory(course=course, joined=NOW - 30 * DAY)
    run_after_commit(checks.send_waitlist_checks, NOW)

    waitlist.stay_on_waitlist(entry, NOW + 3 * DAY)

    assert run_after_commit(checks.remove_unanswered, NOW + 20 * DAY) == []
    assert run_after_commit(checks.send_waitlist_checks, NOW + 32 * DAY) == []
    assert len(run_after_commit(checks.send_waitlist_checks, NOW + 33 * DAY)) == 1
    assert len(mailoutbox) == 2 and status_of(entry) == "waiting"


def test_stay_after_removal_says_why(course):
    entry = WaitlistEntryFactory(course=course, status=WaitlistEntry.Status.REMOVED)
    with pytest.raises(errors.NotOnWaitlist) as refusal:
        waitlist.stay_on_waitlist(entry, NOW)
    assert "geen antwoord" in str(refusal.value.message)


def test_the_commands_change_and_send_nothing_twice(course, full_group, run_after_commit, mailoutbox):
    today = timezone.now()
    WaitlistEntryFactory(course=course, joined=today - 40 * DAY)
    waiting(course, 2)
    run_after_commit(cancel_enrollment, full_group.enrollments.first(), now=today)
    # The offer ran out an hour ago, as seen from today.
    Offer.objects.update(expires_at=today - HOUR)
    Enrollment.objects.filter(offer__isnull=False).update(hold_expires_at=today - HOUR)

    def run_both():
        run_after_commit(call_command, "expire_offers", stdout=io.StringIO())
        run_after_commit(call_command, "send_waitlist_checks", stdout=io.StringIO())
        return (
            list(Offer.objects.order_by("pk").values_list("status", flat=True)),
            list(WaitlistEntry.objects.order_by("pk").values_list("status", "check_sent_at")),
            OutgoingEmail.objects.count(),
            len(mailoutbox),
        )

    first = run_both()
    assert first[0] == ["expired", "open"]
    assert OutgoingEmail.objects.filter(kind="offer_expired").count() == 1
    assert OutgoingEmail.objects.filter(kind="waitlist_check").count() == 1
    assert run_both() == first
