"""Who may sign up: the rules for participant data, shared by the sign-up, the waiting list and the office."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.models.enrollments import age_refusal

from ..models import ConsentChannel, Enrollment, Participant, WaitlistEntry, takes_a_place

MAX_PARTY = 2


PARTICIPANT_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "email",
        "phone",
        "birth_year",
        "postcode",
        "gp_practice",
        "gp_letter_consent",
        "user",
    }
)


def validate_participants(participants_data, *, course, now=None):
    """Unsaved, validated Participants for one sign-up (one person, or a couple where the course welcomes couples).

    Each row is a dict of Participant fields. Raises ValidationError with a
    Dutch message per field: the model's own checks, the age rule
    (`age_refusal`, with the course's minimum age, at `now`), and one email
    address per person.
    """
    now = now or timezone.now()
    rows = list(participants_data)
    if not rows:
        raise ValueError("A sign-up needs at least one participant.")
    if len(rows) > MAX_PARTY:
        raise ValidationError(
            _("U kunt zich alleen aanmelden, of samen met één andere persoon."), code="party_too_large"
        )
    if len(rows) > 1 and not course.couples_welcome:
        raise ValidationError(
            _("Voor deze training meldt iedereen zich apart aan. Samen aanmelden kan niet."), code="no_couples"
        )
    participants = []
    for row in rows:
        unknown = set(row) - PARTICIPANT_FIELDS
        if unknown:
            raise TypeError(f"Unknown participant fields: {', '.join(sorted(unknown))}")
        participant = Participant(
            **{key: value.strip() if isinstance(value, str) else value for key, value in row.items()}
        )
        participant.full_clean(exclude=["gp_letter_consent_at"])
        refusal = age_refusal(participant.birth_year, min_age=course.min_age, now=now)
        if refusal:
            raise ValidationError({"birth_year": refusal})
        if participant.gp_letter_consent:
            participant.gp_letter_consent_at = now
        participants.append(participant)
    emails = [participant.email for participant in participants]
    if len(set(emails)) != len(emails):
        raise ValidationError({"email": _("Vul voor iedere deelnemer een eigen e-mailadres in.")})
    return participants


def consent_record(text_version, *, now, channel, taken_by):
    """The consent fields of a new place or waiting-list entry: the text agreed to, when, and how.

    A consent given to the office (`channel` phone or desk) records the member of staff who took it
    (ValueError without one); one given online records nobody.
    """
    channel = ConsentChannel(channel)
    if channel != ConsentChannel.ONLINE and taken_by is None:
        raise ValueError("A consent given to the office records the member of staff who took it.")
    return {
        "consent_text_version": text_version,
        "consent_at": now,
        "consent_channel": channel,
        "consent_taken_by": taken_by if channel != ConsentChannel.ONLINE else None,
    }


def participant_data(participant):
    """The fields of an existing participant, as `validate_participants` takes them (to sign them up again)."""
    return {name: getattr(participant, name) for name in PARTICIPANT_FIELDS}


# What the office may correct for someone (a typo on the phone): not the year of birth or postcode,
# which decided whether they could sign up at all.
CORRECTABLE_FIELDS = ("first_name", "last_name", "email", "phone", "gp_practice")


def correct_participant(participant, changes, *, now=None):
    """The office corrects a participant's name, email address, phone number or GP practice. Returns what changed.

    The same checks as at sign-up: the model's own (a practice is required
    while the person agreed to a letter to the GP, the email address is
    written in lower case). An email address can have one place per group and
    one place per course's waiting list: a correction that would give an
    address a second one is refused (ValidationError at "email"). The changed
    field names are returned; nothing else about the person changes.
    """
    unknown = set(changes) - set(CORRECTABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not correctable here: {', '.join(sorted(unknown))}")
    now = now or timezone.now()
    with transaction.atomic():
        current = Participant.objects.select_for_update().get(pk=participant.pk)
        before = {name: getattr(current, name) for name in CORRECTABLE_FIELDS}
        for name, value in changes.items():
            setattr(current, name, value.strip() if isinstance(value, str) else value)
        current.full_clean(exclude=["gp_letter_consent_at", "user"])
        changed = [name for name in CORRECTABLE_FIELDS if getattr(current, name) != before[name]]
        if "email" in changed:
            _refuse_second_place(current, now)
        if changed:
            current.save(update_fields=changed)
    for name in changed:
        setattr(participant, name, getattr(current, name))
    return changed


def _refuse_second_place(participant, now):
    groups = participant.enrollments.filter(takes_a_place(now)).values("group_id")
    clash = (
        Enrollment.objects.filter(group_id__in=groups, participant__email=participant.email)
        .filter(takes_a_place(now))
        .exclude(participant=participant)
        .exists()
    )
    courses = participant.waitlist_entries.filter(status__in=WaitlistEntry.ACTIVE).values("course_id")
    clash = (
        clash
        or WaitlistEntry.objects.filter(
            course_id__in=courses, participant__email=participant.email, status__in=WaitlistEntry.ACTIVE
        )
        .exclude(participant=participant)
        .exists()
    )
    if clash:
        raise ValidationError(
            {
                "email": _(
                    "Met dit e-mailadres heeft iemand anders al een plaats in dezelfde groep "
                    "of op dezelfde wachtlijst. Ieder heeft een eigen e-mailadres nodig."
                )
            }
        )
