"""What the office does for people, through the site's own rules: sign-up by phone, confirm, cancel, move,
correct, resend a link, the waiting list, groups under their minimum, merging."""

import datetime
from decimal import Decimal

import pytest
from icalendar import Calendar

from booking.models import (
    AccessLogEntry,
    Enrollment,
    EnrollmentMove,
    Offer,
    OutgoingEmail,
    Payment,
    Refund,
    TrainingGroup,
    WaitlistEntry,
)
from booking.services import consent, fill, places
from booking.services.calendars import enrollment_uid
from booking.services.errors import AlreadyEnrolled, BookingError, EnrollmentNotActive, GroupFull
from booking.staff import actions, office
from booking.waitlist import entries as waitlist
from tests.booking.factories import (
    NOW,
    EnrollmentFactory,
    ParticipantFactory,
    TrainingGroupFactory,
    WaitlistEntryFactory,
    coordinator,
    on_day,
    person,
    place_in,
    planned_group,
)
from tests.factories import CoursePageFactory, LocationFactory
from tests.helpers import emails_to

pytestmark = pytest.mark.django_db

FIRST = on_day(36)  # NOW is a Monday; the first group starts on a Tuesday five weeks later


@pytest.fixture
def ilse(db):
    return coordinator(email="ilse@example.nl")


@pytest.fixture
def helmond(db):
    return LocationFactory(name="Gezondheidscentrum Helmond", town="Helmond")


@pytest.fixture
def first(course, location):
    return planned_group(course, location, first_start=FIRST, capacity=10, min_participants=5)


@pytest.fixture
def second(course, helmond):
    return planned_group(course, helmond, first_start=on_day(38, 10), capacity=4, min_participants=3)


def paid_online(enrollment, amount=Decimal("35.00")):
    payment = Payment.objects.create(
        party=enrollment.party,
        group=enrollment.group,
        amount=amount,
        provider=Payment.Provider.OFFLINE,
        status=Payment.Status.PAID,
        paid_at=NOW,
    )
    payment.enrollments.add(enrollment)
    return payment


# --- signing up by phone -------------------------------------------------------------------------


def test_phone_signup_confirms_records_who_took_the_consent_and_sends_the_sites_confirmation(
    first, ilse, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        (enrollment,) = office.sign_up_for(
            first, [person(1, email="joelle@example.nl", phone="0612345678")], by=ilse, channel="phone", now=NOW
        )

    assert enrollment.status == Enrollment.Status.CONFIRMED
    assert enrollment.consent_text_version == consent.VERSION and enrollment.consent_at == NOW
    assert enrollment.consent_channel == "phone" and enrollment.consent_taken_by == ilse
    assert enrollment.consent_description == "per telefoon gegeven aan Ilse Verhoeven"
    (email,) = emails_to(mailoutbox, "joelle@example.nl")
    assert "Bevestiging van uw aanmelding" in email.subject and enrollment.reference in email.body
    payment = Payment.objects.get(enrollments=enrollment)
    assert payment.provider == Payment.Provider.OFFLINE and payment.status == Payment.Status.OPEN
    (entry,) = AccessLogEntry.objects.filter(action=AccessLogEntry.Action.SIGNUP)
    assert entry.user == ilse and entry.participant == enrollment.participant
    assert entry.where == f"groep {first.pk}: aanmelding (per telefoon)"


def test_phone_signup_of_a_couple_at_the_desk_with_exemption(first, ilse):
    first.course.couples_welcome = True
    first.course.save()
    enrollments = office.sign_up_for(
        first,
        [person(1), person(2)],
        by=ilse,
        channel="desk",
        pay=office.EXEMPT,
        exemption_reason="Minimaal inkomen, afgesproken met de POH.",
        now=NOW,
    )
    assert {e.status for e in enrollments} == {"confirmed"} and len({e.party for e in enrollments}) == 1
    exempt = Payment.objects.get(provider=Payment.Provider.EXEMPT)
    assert exempt.amount == 0 and exempt.exemption_reason.startswith("Minimaal inkomen")
    assert enrollments[0].consent_description == "aan de balie gegeven aan Ilse Verhoeven"


def test_phone_signup_keeps_the_sites_rules_full_group_and_one_place_per_address(first, ilse):
    small = TrainingGroupFactory(course=first.course, capacity=1, min_participants=1)
    planned = planned_group(first.course, first_start=on_day(64), capacity=1, min_participants=1)
    office.sign_up_for(planned, [person(1)], by=ilse, channel="phone", now=NOW)
    with pytest.raises(GroupFull):
        office.sign_up_for(planned, [person(2)], by=ilse, channel="phone", now=NOW)
    office.sign_up_for(first, [person(3)], by=ilse, channel="phone", now=NOW)
    with pytest.raises(AlreadyEnrolled):
        office.sign_up_for(first, [person(3)], by=ilse, channel="phone", now=NOW)
    assert Enrollment.objects.count() == 2
    assert not small.enrollments.exists()


def test_the_office_needs_a_named_member_of_staff_for_a_consent_by_phone(first):
    with pytest.raises(ValueError):
        places.hold_places(first, [person(1)], consent_text_version="v1", consent_channel="phone", now=NOW)


# --- confirming and cancelling -------------------------------------------------------------------


def test_office_confirms_a_hold_to_be_paid_later(first, ilse, mailoutbox, django_capture_on_commit_callbacks):
    held = place_in(first, status="held", email="fleur@example.nl")
    with django_capture_on_commit_callbacks(execute=True):
        office.confirm_for(held, by=ilse, now=NOW)
    held.refresh_from_db()
    assert held.status == "confirmed"
    assert Payment.objects.get(enrollments=held).status == Payment.Status.OPEN
    assert emails_to(mailoutbox, "fleur@example.nl")
    assert AccessLogEntry.objects.get(action=AccessLogEntry.Action.CONFIRM).user == ilse


def test_confirming_a_waitlist_offer_accepts_it(first, ilse):
    entry = WaitlistEntryFactory(course=first.course)
    held = EnrollmentFactory(
        group=first, participant=entry.participant, status="held", hold_expires_at=NOW + datetime.timedelta(hours=4)
    )
    offer = Offer.objects.create(
        entry=entry, group=first, enrollment=held, expires_at=NOW + datetime.timedelta(hours=4)
    )
    office.confirm_for(held, by=ilse, now=NOW)
    offer.refresh_from_db()
    entry.refresh_from_db()
    assert offer.status == Offer.Status.ACCEPTED and entry.status == WaitlistEntry.Status.PLACED


def test_a_confirmed_place_cannot_be_confirmed_again(first, ilse):
    with pytest.raises(EnrollmentNotActive):
        office.confirm_for(place_in(first), by=ilse, now=NOW)


@pytest.mark.parametrize(
    ("fee", "refunded"), [(office.FEE_BY_TERMS, True), (office.FEE_CHARGED, False), (office.FEE_WAIVED, True)]
)
def test_office_cancels_within_the_terms_with_or_without_the_fee(
    first, ilse, fee, refunded, mailoutbox, django_capture_on_commit_callbacks
):
    enrollment = place_in(first, email="fleur@example.nl")
    paid_online(enrollment)
    with django_capture_on_commit_callbacks(execute=True):
        office.cancel_for(enrollment, by=ilse, fee=fee, now=NOW)
    enrollment.refresh_from_db()
    assert enrollment.status == "cancelled"
    assert Refund.objects.filter(enrollment=enrollment).exists() == refunded
    (email,) = [mail for mail in emails_to(mailoutbox, "fleur@example.nl") if "afgemeld" in mail.subject]
    assert "hebben wij u afgemeld" in email.body
    assert ("Afmelden kost u niets" in email.body) == refunded
    assert AccessLogEntry.objects.get(action=AccessLogEntry.Action.CANCEL).user == ilse


def test_office_cancelling_after_the_terms_keeps_the_fee_unless_waived(first, ilse):
    late = FIRST - datetime.timedelta(days=2)
    kept, waived = place_in(first), place_in(first)
    paid_online(kept)
    paid_online(waived)
    office.cancel_for(kept, by=ilse, now=late)
    office.cancel_for(waived, by=ilse, fee=office.FEE_WAIVED, now=late)
    assert not Refund.objects.filter(enrollment=kept).exists()
    assert Refund.objects.get(enrollment=waived).amount == Decimal("35.00")


def test_a_cancelled_place_cannot_be_cancelled_again(first, ilse):
    enrollment = place_in(first, status="cancelled")
    with pytest.raises(EnrollmentNotActive):
        office.cancel_for(enrollment, by=ilse, now=NOW)


# --- moving --------------------------------------------------------------------------------------


def test_moving_keeps_reference_and_payment_sends_new_dates_and_frees_the_old_place(
    first, second, ilse, mailoutbox, django_capture_on_commit_callbacks
):
    enrollment = place_in(first, email="joelle@example.nl")
    payment = paid_online(enrollment)
    waiting = WaitlistEntryFactory(course=first.course, participant__email="daan@example.nl")
    reference = enrollment.reference

    with django_capture_on_commit_callbacks(execute=True):
        (move,) = office.move_for(enrollment, second, by=ilse, reason="Woont dichter bij Helmond.", now=NOW)

    enrollment.refresh_from_db()
    payment.refresh_from_db()
    assert enrollment.group == second and enrollment.reference == reference and enrollment.status == "confirmed"
    assert payment.group == second
    assert (move.from_group, move.to_group, move.moved_by, move.reason) == (
        first,
        second,
        ilse,
        "Woont dichter bij Helmond.",
    )
    (email,) = emails_to(mailoutbox, "joelle@example.nl")
    assert "Helmond" in email.subject and "Woont dichter bij Helmond." in email.body
    old_file, new_file = (Calendar.from_ical(content) for _name, content, _mimetype in email.attachments)
    # The old dates leave the agenda: a CANCEL with the UIDs of the first group's sessions.
    assert str(old_file["METHOD"]) == "CANCEL"
    old_uids = {str(event["UID"]) for event in old_file.walk("VEVENT")}
    assert old_uids == {enrollment_uid(enrollment, s) for s in first.sessions.all()}
    assert {str(event["STATUS"]) for event in old_file.walk("VEVENT")} == {"CANCELLED"}
    # The new dates come in, one per session of the second group.
    assert str(new_file["METHOD"]) == "PUBLISH"
    assert {str(event["UID"]) for event in new_file.walk("VEVENT")} == {
        enrollment_uid(enrollment, s) for s in second.sessions.all()
    }
    assert Offer.objects.filter(entry=waiting, group=first).exists()  # the freed place went to the list
    assert AccessLogEntry.objects.get(action=AccessLogEntry.Action.MOVE).where == (
        f"groep {first.pk}: verplaatst naar groep {second.pk}"
    )


def test_a_couple_moves_together(first, second, ilse):
    party = EnrollmentFactory(group=first).party
    EnrollmentFactory(group=first, party=party)
    moves = office.move_for(Enrollment.objects.filter(party=party).first(), second, by=ilse, reason="Samen.", now=NOW)
    assert len(moves) == 2 and set(Enrollment.objects.filter(party=party).values_list("group", flat=True)) == {
        second.pk
    }


def test_moving_into_a_full_group_changes_nothing(first, second, ilse):
    for _ in range(second.capacity):
        place_in(second)
    enrollment = place_in(first)
    with pytest.raises(GroupFull):
        office.move_for(enrollment, second, by=ilse, reason="Vol?", now=NOW)
    enrollment.refresh_from_db()
    assert enrollment.group == first and not EnrollmentMove.objects.exists()


def test_moving_is_refused_to_another_course_a_started_group_or_for_a_hold(first, second, ilse, helmond):
    other_course = planned_group(CoursePageFactory(), helmond, first_start=on_day(39))
    with pytest.raises(BookingError):
        office.move_for(place_in(first), other_course, by=ilse, reason="Andere training.", now=NOW)
    with pytest.raises(BookingError):
        office.move_for(place_in(first), second, by=ilse, reason="Te laat.", now=on_day(39))
    with pytest.raises(EnrollmentNotActive):
        office.move_for(place_in(first, status="held"), second, by=ilse, reason="Nog niet bevestigd.", now=NOW)
    assert not EnrollmentMove.objects.exists()


def test_moving_needs_a_reason(first, second, ilse):
    with pytest.raises(Exception) as refused:
        office.move_for(place_in(first), second, by=ilse, reason="  ", now=NOW)
    assert "reason" in refused.value.message_dict


# --- correcting and links ------------------------------------------------------------------------


def test_correcting_details_checks_them_like_the_signup(first, ilse):
    enrollment = place_in(first, first_name="Joelle", email="joelle@example.nl")
    changed = office.correct_for(
        enrollment,
        {
            "first_name": "Joëlle",
            "last_name": "van der Meer",
            "email": "Joelle.vdMeer@Example.nl",
            "phone": "06-12345678",
            "gp_practice": "",
        },
        by=ilse,
    )
    enrollment.participant.refresh_from_db()
    assert set(changed) == {"first_name", "last_name", "email", "phone"}
    assert enrollment.participant.email == "joelle.vdmeer@example.nl"
    assert AccessLogEntry.objects.get(action=AccessLogEntry.Action.EDIT).user == ilse


def test_correcting_to_an_address_that_already_has_a_place_in_the_group_is_refused(first, ilse):
    place_in(first, email="daan@example.nl")
    enrollment = place_in(first, email="joelle@example.nl")
    with pytest.raises(Exception) as refused:
        office.correct_for(enrollment, {"email": "daan@example.nl"}, by=ilse)
    assert "email" in refused.value.message_dict
    enrollment.participant.refresh_from_db()
    assert enrollment.participant.email == "joelle@example.nl"


def test_resending_the_personal_link(first, ilse, mailoutbox, django_capture_on_commit_callbacks):
    enrollment = place_in(first, email="joelle@example.nl")
    with django_capture_on_commit_callbacks(execute=True):
        assert office.resend_link(enrollment, by=ilse)
    (email,) = emails_to(mailoutbox, "joelle@example.nl")
    assert "/mijn-aanmelding/" in email.body
    assert AccessLogEntry.objects.get(action=AccessLogEntry.Action.LINK).user == ilse


# --- the waiting list ------------------------------------------------------------------------------


def test_office_puts_someone_on_the_list_by_phone(course, location, ilse):
    planned_group(course, location, first_start=FIRST)
    entry = office.add_to_waitlist(
        course, person(1), by=ilse, channel="phone", preferred_locations=[location], part_of_day="evening", now=NOW
    )
    assert entry.consent_description == "per telefoon gegeven aan Ilse Verhoeven"
    assert list(entry.preferred_locations.all()) == [location] and entry.part_of_day == "evening"
    assert OutgoingEmail.objects.filter(kind="waitlist_joined", to=entry.participant.email).exists()
    assert AccessLogEntry.objects.get(action=AccessLogEntry.Action.WAITLIST).user == ilse


def test_changing_wishes_keeps_the_place_in_line_and_refuses_other_locations(course, location, helmond, ilse):
    planned_group(course, location, first_start=FIRST)
    ahead, entry = WaitlistEntryFactory(course=course), WaitlistEntryFactory(course=course)
    office.change_wishes_for(entry, by=ilse, preferred_locations=[location], part_of_day="morning")
    entry.refresh_from_db()
    assert entry.part_of_day == "morning" and waitlist.position(entry) == 2
    with pytest.raises(Exception) as refused:
        office.change_wishes_for(entry, by=ilse, preferred_locations=[helmond], part_of_day="any")
    assert "preferred_locations" in refused.value.message_dict
    assert waitlist.position(ahead) == 1


def test_taking_someone_off_keeps_the_reason_and_passes_an_open_offer_on(course, first, ilse):
    entry = WaitlistEntryFactory(course=course)
    behind = WaitlistEntryFactory(course=course)
    held = EnrollmentFactory(
        group=first, participant=entry.participant, status="held", hold_expires_at=NOW + datetime.timedelta(hours=4)
    )
    Offer.objects.create(entry=entry, group=first, enrollment=held, expires_at=NOW + datetime.timedelta(hours=4))
    WaitlistEntry.objects.filter(pk=entry.pk).update(status=WaitlistEntry.Status.OFFERED)

    office.take_off_for(entry, by=ilse, reason="Belde: heeft al hulp bij de praktijk.", now=NOW)

    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.TAKEN_OFF
    assert entry.removed_by == ilse and entry.removal_reason == "Belde: heeft al hulp bij de praktijk."
    assert waitlist.position(behind) == 1
    held.refresh_from_db()
    assert held.status == "cancelled"
    with pytest.raises(Exception) as refused:
        office.take_off_for(behind, by=ilse, reason="", now=NOW)
    assert "reason" in refused.value.message_dict


# --- groups under their minimum ----------------------------------------------------------------------


def test_a_group_under_its_minimum_is_to_decide_on_from_n_days_before_the_start(first, second):
    first.course.minimum_check_days = 10
    first.course.save()
    for _ in range(3):
        place_in(first)
    for _ in range(3):
        place_in(second)  # second's minimum is 3: enough

    assert fill.groups_to_decide(FIRST - datetime.timedelta(days=11)) == []
    assert fill.groups_to_decide(FIRST - datetime.timedelta(days=10)) == [first]
    assert fill.groups_to_decide(FIRST + datetime.timedelta(minutes=1)) == []  # started: too late


def test_a_course_without_its_own_days_uses_fourteen(first):
    first.course.minimum_check_days = None
    first.course.save()
    assert fill.groups_to_decide(FIRST - datetime.timedelta(days=15)) == []
    assert fill.groups_to_decide(FIRST - datetime.timedelta(days=14)) == [first]


def test_going_ahead_is_recorded_and_takes_the_group_off_the_list(first, ilse):
    when = FIRST - datetime.timedelta(days=3)
    actions.go_ahead(first, by=ilse, note="Trainer start ook met 4.", now=when)
    first.refresh_from_db()
    assert (first.go_ahead_at, first.go_ahead_by, first.go_ahead_note) == (when, ilse, "Trainer start ook met 4.")
    assert fill.groups_to_decide(when) == []


def test_merging_moves_everyone_tells_them_and_cancels_the_emptied_group(
    first, second, ilse, mailoutbox, django_capture_on_commit_callbacks
):
    into = planned_group(first.course, first_start=on_day(43), capacity=10)
    joelle = place_in(first, email="joelle@example.nl")
    party = EnrollmentFactory(group=first, participant=ParticipantFactory(email="daan@example.nl")).party
    EnrollmentFactory(group=first, party=party, participant=ParticipantFactory(email="fleur@example.nl"))

    with django_capture_on_commit_callbacks(execute=True):
        moves = actions.merge_group(first, into, by=ilse, reason="Te weinig aanmeldingen.", now=NOW)

    assert len(moves) == 3 and all(move.merged for move in moves)
    assert set(Enrollment.objects.filter(status="confirmed").values_list("group", flat=True)) == {into.pk}
    first.refresh_from_db()
    assert first.status == TrainingGroup.Status.CANCELLED and first.merged_into == into
    assert not first.sessions.filter(status="scheduled").exists()
    for address in ("joelle@example.nl", "daan@example.nl", "fleur@example.nl"):
        (email,) = emails_to(mailoutbox, address)
        assert "samengevoegd" in email.body and email.attachments
    joelle.refresh_from_db()
    assert joelle.group == into


def test_merging_into_a_group_without_room_for_everyone_changes_nothing(first, second, ilse):
    for _ in range(3):
        place_in(first)
    for _ in range(2):
        place_in(second)  # 2 of 4 taken: room for 2, not 3
    with pytest.raises(GroupFull):
        actions.merge_group(first, second, by=ilse, reason="Te weinig.", now=NOW)
    first.refresh_from_db()
    assert first.status == TrainingGroup.Status.OPEN and first.enrollments.filter(status="confirmed").count() == 3


def test_merge_choices_say_which_groups_have_room(first, second):
    for _ in range(5):
        place_in(first)
    choices = {group.pk: group.room for group in actions.merge_choices(first, now=NOW)}
    assert choices == {second.pk: False}
