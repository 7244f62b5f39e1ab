"""Holding, confirming, cancelling and expiring places. Capacity is always counted from enrollments."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from booking.models import Enrollment, Participant, SignupClosedReason, TrainingGroup
from booking.services.availability import places_left
from booking.services.errors import AlreadyEnrolled, EnrollmentNotActive, GroupFull, HoldExpired, SignupClosed
from booking.services.places import cancel_enrollment, confirm_enrollment, expire_holds, hold_places
from booking.services.planning import plan_sessions
from tests.booking.factories import NOW, EnrollmentFactory, TrainingGroupFactory, person
from tests.factories import CoursePageFactory

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)


def hold(group, *people, now=NOW):
    return hold_places(group, list(people), consent_text_version="2027-01", now=now)


@pytest.fixture
def small_group(course, location):
    """Two places."""
    return TrainingGroupFactory(course=course, location=location, capacity=2, min_participants=1)


def test_places_left_counts_confirmed_places_and_live_holds(group):
    EnrollmentFactory.create_batch(3, group=group)
    hold(group, person(1))
    EnrollmentFactory(group=group, status="cancelled")
    EnrollmentFactory(group=group, status="expired", hold_expires_at=NOW - MINUTE)
    assert places_left(group, NOW) == 10 - 4


def test_expired_hold_no_longer_counts_without_a_sweep(small_group):
    hold(small_group, person(1), person(2))
    assert places_left(small_group, NOW) == 0

    fifteen_minutes_later = NOW + datetime.timedelta(minutes=15)
    assert places_left(small_group, fifteen_minutes_later) == 2
    assert Enrollment.objects.filter(status="held").count() == 2  # no sweep has run
    assert len(hold(small_group, person(3), now=fifteen_minutes_later)) == 1


def test_hold_lasts_the_configured_minutes(group, settings):
    settings.GROEPSWIJZER_HOLD_MINUTES = 30
    (enrollment,) = hold(group, person(1))
    assert enrollment.hold_expires_at == NOW + datetime.timedelta(minutes=30)


def test_couple_takes_two_places_or_none(course, location):
    group = TrainingGroupFactory(course=course, location=location, capacity=3, min_participants=1)
    EnrollmentFactory(group=group)
    couple = hold(group, person(1), person(2))
    assert {e.status for e in couple} == {"held"}
    assert couple[0].party == couple[1].party
    assert couple[0].reference != couple[1].reference
    assert places_left(group, NOW) == 0

    cancel_enrollment(couple[1], now=NOW)
    with pytest.raises(GroupFull) as caught:
        hold(group, person(3), person(4))
    assert str(caught.value) == "Er is nog 1 plaats vrij in deze groep. Samen aanmelden kan daarom niet."
    assert not Participant.objects.filter(email__in=["deelnemer3@example.nl", "deelnemer4@example.nl"]).exists()
    assert places_left(group, NOW) == 1


def test_full_group_refuses_with_a_dutch_message(small_group):
    EnrollmentFactory.create_batch(2, group=small_group)
    with pytest.raises(GroupFull) as caught:
        hold(small_group, person(1))
    assert str(caught.value) == "Deze groep is vol."


def test_couples_sign_up_together_only_where_the_course_welcomes_them(location):
    group = TrainingGroupFactory(course=CoursePageFactory(couples_welcome=False), location=location)
    with pytest.raises(ValidationError) as caught:
        hold(group, person(1), person(2))
    assert caught.value.messages == ["Voor deze training meldt iedereen zich apart aan. Samen aanmelden kan niet."]
    with pytest.raises(ValidationError):
        hold(group, person(1), person(2), person(3))


def test_a_couple_needs_two_email_addresses(group):
    with pytest.raises(ValidationError) as caught:
        hold(group, person(1), person(2, email="DEELNEMER1@example.nl"))
    assert caught.value.message_dict["email"] == ["Vul voor iedere deelnemer een eigen e-mailadres in."]


def test_one_email_address_holds_one_place_per_group(group):
    hold(group, person(1))
    with pytest.raises(AlreadyEnrolled) as caught:
        hold(group, person(2, email=" Deelnemer1@Example.NL "))
    assert str(caught.value) == "Er is al een aanmelding voor deze groep met het e-mailadres deelnemer1@example.nl."
    assert places_left(group, NOW) == 9


def test_same_email_may_sign_up_again_once_the_hold_ran_out_or_was_cancelled(group):
    (first,) = hold(group, person(1))
    later = NOW + datetime.timedelta(minutes=20)
    (second,) = hold(group, person(1), now=later)
    cancel_enrollment(second, now=later)
    assert hold(group, person(1), now=later)


def test_same_email_may_join_another_group(group, course, location):
    hold(group, person(1))
    other = TrainingGroupFactory(course=course, location=location)
    assert hold(other, person(1))


@pytest.mark.parametrize(
    "status, reason",
    [
        (TrainingGroup.Status.PLANNED, SignupClosedReason.NOT_OPEN_YET),
        (TrainingGroup.Status.CLOSED, SignupClosedReason.CLOSED),
        (TrainingGroup.Status.RUNNING, SignupClosedReason.STARTED),
        (TrainingGroup.Status.COMPLETED, SignupClosedReason.STARTED),
        (TrainingGroup.Status.CANCELLED, SignupClosedReason.CANCELLED),
    ],
)
def test_signup_closed_unless_the_group_is_open(group, status, reason):
    TrainingGroup.objects.filter(pk=group.pk).update(status=status)
    with pytest.raises(SignupClosed) as caught:
        hold(group, person(1))
    assert caught.value.reason == reason
    assert str(caught.value) == reason.label
    assert not Enrollment.objects.exists()


def test_signup_closed_after_the_deadline(group):
    TrainingGroup.objects.filter(pk=group.pk).update(signup_deadline=NOW)
    with pytest.raises(SignupClosed) as caught:
        hold(group, person(1))
    assert str(caught.value) == "De aanmeldtermijn voor deze groep is voorbij."


def test_signup_closed_once_the_first_session_has_started(group):
    plan_sessions(group, first_start=NOW - datetime.timedelta(minutes=5), count=3)
    with pytest.raises(SignupClosed) as caught:
        hold(group, person(1))
    assert caught.value.reason == SignupClosedReason.STARTED


def test_signup_with_the_real_clock(group):
    plan_sessions(group, first_start=timezone.now() + datetime.timedelta(days=14), count=3)
    (enrollment,) = hold_places(group, [person(1)], consent_text_version="2027-01")
    assert enrollment.is_live_hold()
    assert places_left(group) == 9


def test_participant_must_be_old_enough_for_the_course(location):
    group = TrainingGroupFactory(course=CoursePageFactory(min_age=65), location=location)
    with pytest.raises(ValidationError) as caught:
        hold(group, person(1, birth_year=1980))
    assert caught.value.message_dict["birth_year"] == ["Deze training is voor mensen van 65 jaar en ouder."]


def test_participant_must_be_an_adult(group):
    with pytest.raises(ValidationError) as caught:
        hold(group, person(1, birth_year=timezone.localdate().year - 16))
    assert caught.value.message_dict["birth_year"] == ["Deze training is voor mensen van 18 jaar en ouder."]


def test_gp_letter_needs_the_practice_and_records_when_consent_was_given(group):
    with pytest.raises(ValidationError) as caught:
        hold(group, person(1, gp_letter_consent=True))
    assert "gp_practice" in caught.value.message_dict

    (enrollment,) = hold(group, person(1, gp_letter_consent=True, gp_practice="Huisartsenpraktijk De Linde"))
    assert enrollment.participant.gp_letter_consent_at == NOW


def test_signup_stores_cleaned_data_and_the_consent_given(group):
    (enrollment,) = hold(group, person(1, email="Sanne.de.Vries@Example.NL", postcode="5611ab"))
    enrollment.refresh_from_db()
    participant = enrollment.participant
    assert (participant.email, participant.postcode) == ("sanne.de.vries@example.nl", "5611 AB")
    assert (enrollment.consent_text_version, enrollment.consent_at) == ("2027-01", NOW)
    assert len(enrollment.reference) == 8 and enrollment.reference.isalnum()


def test_a_signup_cannot_carry_data_we_do_not_keep(group):
    with pytest.raises(TypeError):
        hold(group, person(1, bsn="123456782"))


def test_confirm_turns_a_hold_into_a_place_once(group):
    (enrollment,) = hold(group, person(1))

    confirm_enrollment(enrollment, now=NOW + MINUTE)
    confirm_enrollment(enrollment, now=NOW + 2 * MINUTE)  # a repeated payment message changes nothing

    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.confirmed_at) == ("confirmed", NOW + MINUTE)
    assert places_left(group, NOW + datetime.timedelta(days=1)) == 9


def test_confirm_by_party_confirms_everyone_who_signed_up_together(group):
    first, second = hold(group, person(1), person(2))
    confirmed = confirm_enrollment(str(first.party), now=NOW)
    assert {e.status for e in confirmed} == {"confirmed"} and len(confirmed) == 2


def test_late_confirmation_gets_the_place_while_it_is_still_free(small_group):
    (enrollment,) = hold(small_group, person(1))
    much_later = NOW + datetime.timedelta(hours=1)
    expire_holds(now=much_later)

    confirm_enrollment(enrollment, now=much_later)
    assert enrollment.status == "confirmed"


def test_late_confirmation_is_refused_once_the_place_has_gone(small_group):
    (late,) = hold(small_group, person(1))
    later = NOW + datetime.timedelta(minutes=16)
    hold(small_group, person(2), person(3), now=later)

    with pytest.raises(HoldExpired):
        confirm_enrollment(late, now=later)
    late.refresh_from_db()
    assert late.status == "held"
    assert places_left(small_group, later) == 0


def test_a_cancelled_enrollment_cannot_be_confirmed(group):
    (enrollment,) = hold(group, person(1))
    cancel_enrollment(enrollment, now=NOW)
    with pytest.raises(EnrollmentNotActive):
        confirm_enrollment(enrollment, now=NOW)


def test_cancelling_frees_the_place_at_once_and_only_once(small_group):
    first, second = hold(small_group, person(1), person(2))
    confirm_enrollment(first, now=NOW)

    cancel_enrollment(first.party, now=NOW + MINUTE)
    cancel_enrollment(first.party, now=NOW + 2 * MINUTE)

    first.refresh_from_db()
    assert (first.status, first.cancelled_at) == ("cancelled", NOW + MINUTE)
    assert places_left(small_group, NOW + MINUTE) == 2


def test_a_completed_enrollment_cannot_be_cancelled(group):
    done = EnrollmentFactory(group=group, status="completed")
    with pytest.raises(EnrollmentNotActive):
        cancel_enrollment(done, now=NOW)


def test_unknown_party_is_not_found(group):
    with pytest.raises(Enrollment.DoesNotExist):
        confirm_enrollment(uuid.uuid4(), now=NOW)


def test_expire_holds_returns_what_it_expired_and_is_safe_to_repeat(group, course, location):
    other = TrainingGroupFactory(course=course, location=location)
    lapsed_here = hold(group, person(1), person(2))
    (lapsed_there,) = hold(other, person(3))
    (live,) = hold(group, person(4), now=NOW + datetime.timedelta(minutes=10))
    (confirmed,) = hold(group, person(5))
    confirm_enrollment(confirmed, now=NOW)
    sweep_time = NOW + datetime.timedelta(minutes=20)

    expired = expire_holds(now=sweep_time)

    assert {e.pk for e in expired} == {lapsed_here[0].pk, lapsed_here[1].pk, lapsed_there.pk}
    assert {e.status for e in expired} == {"expired"}
    assert expire_holds(now=sweep_time) == []
    live.refresh_from_db()
    confirmed.refresh_from_db()
    assert (live.status, confirmed.status) == ("held", "confirmed")


def test_expire_holds_command_sweeps_holds_that_ran_out(group, capsys):
    EnrollmentFactory(group=group, status="held", hold_expires_at=timezone.now() - MINUTE)
    call_command("expire_holds")
    assert "Verlopen reserveringen: 1." in capsys.readouterr().out
    assert Enrollment.objects.get().status == "expired"


def test_places_left_is_never_below_zero(small_group):
    EnrollmentFactory.create_batch(2, group=small_group)
    TrainingGroup.objects.filter(pk=small_group.pk).update(capacity=1, min_participants=1)
    assert places_left(small_group, NOW) == 0
