"""Who may sign up: the rules for participant data, shared by the sign-up, the waiting list and the office."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.models.enrollments import age_refusal

from ..models import Participant

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


def participant_data(participant):
    """The fields of an existing participant, as `validate_participants` takes them (to sign them up again)."""
    return {name: getattr(participant, name) for name in PARTICIPANT_FIELDS}
