"""The form to join a course's waiting list.

The questions about the person are the sign-up's own (same fields, same
checks and messages), so both ways in keep one set of rules.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from booking import geo
from booking.forms import PARTNER_PREFIX, PERSON_FIELDS, ParticipantsForm
from booking.models import PartOfDay
from booking.services import consent

PART_OF_DAY_LABELS = {
    PartOfDay.ANY: _("Maakt niet uit"),
    PartOfDay.MORNING: _("Ochtend (begint voor 12.00 uur)"),
    PartOfDay.AFTERNOON: _("Middag (begint tussen 12.00 en 17.00 uur)"),
    PartOfDay.EVENING: _("Avond (begint om 17.00 uur of later)"),
}


def area_for(postcode_text):
    """The PC4 area of what someone typed as postcode, or None when it is empty, wrong or unknown."""
    try:
        return geo.find_area(geo.parse_postcode(postcode_text))
    except ValidationError:
        return None


def describe_distance(km):
    if km is None:
        return ""
    if km < 1:
        return str(_("minder dan 1 km"))
    return str(_("%(km)s km") % {"km": round(km)})


def locations_by_distance(locations, area):
    """Nearest first when the area is known (online last); else by town and name. Returns (location, km) pairs."""
    pairs = [(location, location.distance_to(area)) for location in locations]
    if area is None:
        return sorted(pairs, key=lambda pair: (pair[0].is_online, pair[0].town, pair[0].name))
    return sorted(pairs, key=lambda pair: (pair[1] is None, pair[1] or 0, pair[0].name))


class WaitlistForm(ParticipantsForm):
    """Who is waiting, where and when they can come, and their consent."""

    def __init__(self, *args, course, locations, **kwargs):
        super().__init__(*args, course=course, **kwargs)
        # One person per place on the list: no partner, and no letter to the GP before there is a group.
        for name in ["together", "gp_letter_consent"] + [PARTNER_PREFIX + name for name in PERSON_FIELDS]:
            self.fields.pop(name, None)
        self.fields["email"].help_text = _("Hier sturen wij de link naar uw plaats op de wachtlijst naartoe.")
        self.fields["phone"].help_text = _(
            "Bijvoorbeeld 06-12345678. Dan kunnen wij u bellen als er een plaats vrijkomt."
        )

        postcode_text = self.data.get("postcode") if self.is_bound else self.initial.get("postcode")
        self.area = area_for(postcode_text)
        self.location_rows = locations_by_distance(locations, self.area)
        self._locations = {str(location.pk): location for location, km in self.location_rows}
        self.fields["preferred_locations"] = forms.MultipleChoiceField(
            label=_("Op welke locaties kunt u meedoen?"),
            required=False,
            choices=[(str(location.pk), self._location_label(location, km)) for location, km in self.location_rows],
            widget=forms.CheckboxSelectMultiple,
            help_text=_("Kies één of meer locaties. Kiest u niets, dan is elke locatie goed."),
        )
        self.fields["part_of_day"] = forms.ChoiceField(
            label=_("Welk dagdeel past u het best?"),
            choices=[(value, PART_OF_DAY_LABELS[value]) for value in PartOfDay.values],
            initial=PartOfDay.ANY,
            widget=forms.RadioSelect,
            error_messages={"required": _("Kies een dagdeel, of 'Maakt niet uit'.")},
        )
        # Short label for the summary of errors; the page shows the whole consent text at the box.
        self.consent_text = consent.WAITLIST_TEXT
        self.fields["consent"] = forms.BooleanField(
            label=_("Toestemming"),
            error_messages={
                "required": _(
                    "Geef toestemming om op de wachtlijst te komen. Zonder toestemming kunnen wij u geen plaats "
                    "aanbieden."
                )
            },
        )

    @staticmethod
    def _location_label(location, km):
        name = _("Online, vanuit huis") if location.is_online else str(location)
        distance = describe_distance(km)
        return f"{name} ({distance})" if distance else str(name)

    @property
    def shows_distances(self):
        return self.area is not None

    def clean_preferred_locations(self):
        return [self._locations[value] for value in self.cleaned_data.get("preferred_locations", [])]

    def person(self, *, user=None):
        """What `waitlist.join_waitlist` needs about the person (after is_valid); `user` links their account."""
        row = self.participants(user=user)[0]
        row.pop("gp_letter_consent", None)
        return row
