"""Forms the journeys share: who a participant is (the sign-up, the waiting list, the office at the phone).

The fields clean what people type the way they type it (06-12345678, 5611ab,
"van der Berg") and check the same rules as the services, with a Dutch
message at the field.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.clock import local_year
from booking.models.enrollments import age_refusal
from courses.forms import PostcodeField

# Nobody alive was born longer ago than this; a year before it is a typing error.
OLDEST_AGE = 120


# Dutch area codes of three digits (with the 0); all other area codes have four.
THREE_DIGIT_AREA_CODES = frozenset(
    [
        "010",
        "013",
        "015",
        "020",
        "023",
        "024",
        "026",
        "030",
        "033",
        "035",
        "036",
        "038",
        "040",
        "043",
        "045",
        "046",
        "050",
        "053",
        "055",
        "058",
        "070",
        "071",
        "072",
        "073",
        "074",
        "075",
        "076",
        "077",
        "078",
        "079",
        "084",
        "085",
        "087",
        "088",
        "091",
    ]
)


PHONE_CHARACTERS = re.compile(r"^[0-9+\-\s().]+$", re.ASCII)


PHONE_MESSAGE = _(
    "Dit telefoonnummer klopt niet. Vul een Nederlands nummer van 10 cijfers in, "
    "bijvoorbeeld 06-12345678 of 040-1234567."
)


def tidy_phone(value):
    """A phone number typed any common way, in one tidy form; ValidationError (Dutch) when it is no number.

    Dutch numbers (also written +31 or 0031) become ``06-12345678`` or
    ``040-1234567``: 10 digits, the area code split off. A number from
    another country keeps its country code: ``+32470123456``. Empty stays
    empty, because a phone number is optional.
    """
    raw = (value or "").strip()
    if not raw:
        return ""
    if len(raw) > 30 or not PHONE_CHARACTERS.match(raw):
        raise ValidationError(PHONE_MESSAGE, code="invalid")
    digits = re.sub(r"[\s\-().]", "", raw)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if digits.startswith("+"):
        international = digits[1:]
        if not international.isdigit():
            raise ValidationError(PHONE_MESSAGE, code="invalid")
        if not international.startswith("31"):
            if 8 <= len(international) <= 15:
                return "+" + international
            raise ValidationError(PHONE_MESSAGE, code="invalid")
        national = international[2:]
        # "+31 (0)6 …": the 0 in brackets is written but not dialled.
        national = national if national.startswith("0") else "0" + national
    else:
        national = digits
    if not national.isdigit() or len(national) != 10 or not national.startswith("0") or national[1] == "0":
        raise ValidationError(PHONE_MESSAGE, code="invalid")
    if national.startswith("06"):
        return f"06-{national[2:]}"
    split = 3 if national[:3] in THREE_DIGIT_AREA_CODES else 4
    return f"{national[:split]}-{national[split:]}"


PERSON_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "birth_year",
    "postcode",
    "gp_practice",
    "gp_letter_consent",
)


PARTNER_PREFIX = "partner_"


def _person_fields(*, partner):
    """The fields of one participant. A partner's are optional here; `clean` requires them for a couple."""

    def label(text):
        # The summary of errors names each field; for the partner it must say whose field it is.
        return _("%(field)s van uw partner") % {"field": text} if partner else text

    required = not partner
    return {
        "first_name": forms.CharField(
            label=label(_("Voornaam")),
            max_length=100,
            required=required,
            error_messages={"required": _("Vul de voornaam in.")},
            widget=forms.TextInput(attrs={"autocomplete": "off" if partner else "given-name"}),
        ),
        "last_name": forms.CharField(
            label=label(_("Achternaam")),
            max_length=150,
            required=required,
            help_text=_("Met tussenvoegsel, bijvoorbeeld: van der Berg."),
            error_messages={"required": _("Vul de achternaam in.")},
            widget=forms.TextInput(attrs={"autocomplete": "off" if partner else "family-name"}),
        ),
        "email": forms.EmailField(
            label=label(_("E-mailadres")),
            max_length=254,
            required=required,
            help_text=(
                _("Een eigen e-mailadres, niet hetzelfde als dat van u.")
                if partner
                else _("Hier sturen wij de bevestiging naartoe.")
            ),
            error_messages={
                "required": _("Vul het e-mailadres in."),
                "invalid": _("Dit e-mailadres klopt niet. Vul een e-mailadres in zoals naam@voorbeeld.nl."),
            },
            widget=forms.EmailInput(attrs={"autocomplete": "off" if partner else "email", "spellcheck": "false"}),
        ),
        "phone": forms.CharField(
            label=label(_("Telefoonnummer")),
            max_length=30,
            required=False,
            help_text=_("Bijvoorbeeld 06-12345678. De trainer belt u misschien voor de eerste bijeenkomst."),
            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off" if partner else "tel"}),
        ),
        "birth_year": forms.CharField(
            label=label(_("Geboortejaar")),
            max_length=10,
            required=required,
            help_text=_("Bijvoorbeeld 1980."),
            error_messages={"required": _("Vul het geboortejaar in.")},
            widget=forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "off" if partner else "bday-year", "size": "8"}
            ),
        ),
        "postcode": PostcodeField(
            label=label(_("Postcode")),
            required=required,
            help_text=_("Bijvoorbeeld 5611 AB."),
            error_messages={"required": _("Vul de postcode in, bijvoorbeeld 5611 AB.")},
        ),
        "gp_practice": forms.CharField(
            label=label(_("Huisartsenpraktijk")),
            max_length=200,
            required=False,
            help_text=_("Naam en plaats, bijvoorbeeld: Huisartsenpraktijk De Linde, Geldrop."),
        ),
        "gp_letter_consent": forms.BooleanField(
            label=(
                _("Mijn partner vindt het goed dat de huisarts een brief krijgt over de training.")
                if partner
                else _("Ik vind het goed dat mijn huisarts een brief krijgt over de training.")
            ),
            required=False,
            help_text=_("In de brief staat dat u meedoet. Niet wat u in de groep vertelt."),
        ),
    }


class ParticipantsForm(forms.Form):
    """Step 2: who signs up. One person, or two together when the course welcomes couples."""

    error_css_class = "has-error"

    def __init__(self, *args, course, now=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.course = course
        self.now = now or timezone.now()
        self.year = local_year(self.now)
        self.fields.update(_person_fields(partner=False))
        if course.couples_welcome:
            self.fields["together"] = forms.BooleanField(
                label=_("Ik meld mij aan samen met mijn partner"),
                required=False,
                help_text=_(
                    "U neemt dan samen twee plaatsen in de groep. Samen krijgt u allebei een plaats, of geen van "
                    "beiden."
                ),
            )
            for name, partner_field in _person_fields(partner=True).items():
                self.fields[PARTNER_PREFIX + name] = partner_field

    @property
    def together_wanted(self):
        return self.course.couples_welcome and bool(self.cleaned_data.get("together"))

    def partner_fields(self):
        return [self[PARTNER_PREFIX + name] for name in PERSON_FIELDS if PARTNER_PREFIX + name in self.fields]

    def person_fields(self):
        return [self[name] for name in PERSON_FIELDS]

    def _clean_year(self, value, *, partner):
        value = (value or "").strip()
        if not value:
            return None
        if not re.fullmatch(r"[0-9]{4}", value, re.ASCII):
            raise ValidationError(_("Vul het geboortejaar in met 4 cijfers, bijvoorbeeld 1980."), code="invalid")
        year = int(value)
        if year > self.year or year < self.year - OLDEST_AGE:
            raise ValidationError(
                _("Dit geboortejaar klopt niet. Vul het jaar in waarin u geboren bent, bijvoorbeeld 1980."),
                code="implausible",
            )
        refusal = age_refusal(year, min_age=self.course.min_age, now=self.now)
        if refusal:
            if not partner:
                refusal = _("%(rule)s Bent u jonger? Vraag uw huisarts welke hulp er voor u is.") % {"rule": refusal}
            raise ValidationError(refusal, code="too_young")
        return year

    def clean_birth_year(self):
        return self._clean_year(self.cleaned_data.get("birth_year"), partner=False)

    def clean_partner_birth_year(self):
        return self._clean_year(self.cleaned_data.get(PARTNER_PREFIX + "birth_year"), partner=True)

    def clean_phone(self):
        return tidy_phone(self.cleaned_data.get("phone"))

    def clean_partner_phone(self):
        return tidy_phone(self.cleaned_data.get(PARTNER_PREFIX + "phone"))

    def clean_email(self):
        return (self.cleaned_data.get("email") or "").strip().lower()

    def clean_partner_email(self):
        return (self.cleaned_data.get(PARTNER_PREFIX + "email") or "").strip().lower()

    def clean(self):
        cleaned = super().clean()
        prefixes = [""]
        if self.course.couples_welcome:
            if cleaned.get("together"):
                prefixes.append(PARTNER_PREFIX)
                for name in ("first_name", "last_name", "email", "birth_year", "postcode"):
                    key = PARTNER_PREFIX + name
                    if key not in self.errors and not cleaned.get(key):
                        self.add_error(key, self.fields[key].error_messages["required"])
                email, partner_email = cleaned.get("email"), cleaned.get(PARTNER_PREFIX + "email")
                if email and partner_email and email == partner_email:
                    self.add_error(
                        PARTNER_PREFIX + "email",
                        _("Vul voor uw partner een eigen e-mailadres in. Ieder krijgt een eigen bevestiging."),
                    )
            else:
                # The partner's fields were hidden; what is in them does not count and must not block.
                for name in PERSON_FIELDS:
                    self.errors.pop(PARTNER_PREFIX + name, None)
                    cleaned.pop(PARTNER_PREFIX + name, None)
        for prefix in prefixes:
            if cleaned.get(prefix + "gp_letter_consent") and not (cleaned.get(prefix + "gp_practice") or "").strip():
                self.add_error(
                    prefix + "gp_practice",
                    _("Vul de naam van de huisartsenpraktijk in. Dan kunnen wij de brief sturen."),
                )
        return cleaned

    def participants(self, *, user=None):
        """What `services.hold_places` needs: one dict of Participant fields per person (after is_valid)."""
        rows = []
        prefixes = [""] + ([PARTNER_PREFIX] if self.together_wanted else [])
        for prefix in prefixes:
            data = self.cleaned_data
            row = {
                "first_name": data[prefix + "first_name"].strip(),
                "last_name": data[prefix + "last_name"].strip(),
                "email": data[prefix + "email"],
                "phone": data.get(prefix + "phone") or "",
                "birth_year": data[prefix + "birth_year"],
                "postcode": str(data[prefix + "postcode"]),
                "gp_practice": (data.get(prefix + "gp_practice") or "").strip(),
                "gp_letter_consent": bool(data.get(prefix + "gp_letter_consent")),
            }
            if not prefix and user is not None:
                row["user"] = user
            rows.append(row)
        return rows


CORRECTION_FIELDS = ("first_name", "last_name", "email", "phone", "gp_practice")


class CorrectionForm(forms.Form):
    """The office corrects a name, email address, phone number or practice: the sign-up's own fields and checks."""

    error_css_class = "has-error"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = _person_fields(partner=False)
        for name in CORRECTION_FIELDS:
            self.fields[name] = fields[name]
        self.fields["email"].help_text = _("Hier gaan de e-mails over de aanmelding naartoe.")
        self.fields["phone"].help_text = _("Bijvoorbeeld 06-12345678.")

    def clean_phone(self):
        return tidy_phone(self.cleaned_data.get("phone"))

    def clean_email(self):
        return (self.cleaned_data.get("email") or "").strip().lower()

    def changes(self):
        return {name: self.cleaned_data[name] or "" for name in CORRECTION_FIELDS}
