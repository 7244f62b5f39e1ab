import copy

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

from booking import geo

from .catalogue import Audience, Delivery, Theme

DISTANCE_CHOICES = [
    ("", _("Elke afstand")),
    ("5", _("Tot 5 km")),
    ("10", _("Tot 10 km")),
    ("25", _("Tot 25 km")),
    ("50", _("Tot 50 km")),
]
STARTS_WITHIN_CHOICES = [("", _("Maakt niet uit")), ("4", _("4 weken")), ("8", _("8 weken")), ("12", _("12 weken"))]


class PostcodeField(forms.CharField):
    """A Dutch postcode, typed any common way; cleans to a geo.Postcode."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 100)  # the real check is in parse_postcode
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"autocomplete": "postal-code", "inputmode": "text", "size": "8", "spellcheck": "false"}
        )

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        return geo.parse_postcode(value)

    def validate(self, value):
        if value is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")

    def run_validators(self, value):
        # max_length would otherwise measure the Postcode object, not the input.
        return None


class FieldsCopiedOnce(dict):
    """A form class's ``base_fields`` whose deep copy (what Django makes for every form, as its ``fields``) is made
    once per process and language and then shared by the forms made from it.

    For a form nobody changes the fields of after it is made (no ``self.fields[…]`` changes in ``__init__``, no
    choices set per visitor): the data, cleaned values, errors and bound fields stay per form.
    """

    def __init__(self, fields):
        super().__init__(fields)
        self._copies = {}

    def __deepcopy__(self, memo):
        language = get_language()
        fields = self._copies.get(language)
        if fields is None:
            fields = {name: copy.deepcopy(field) for name, field in self.items()}
            self._copies[language] = fields
        return dict(fields)


class PostcodeAreaForm(forms.Form):
    """A form with a postcode that decides distances: `area` is its PC4 area, or None.

    The one place where a typed postcode becomes an area: a postcode we do
    not know gets a Dutch message at the field, and the rest of the form
    still works.
    """

    error_css_class = "has-error"

    def clean(self):
        cleaned = super().clean()
        postcode = cleaned.get("postcode")
        cleaned["area"] = None
        if postcode:
            area = geo.find_area(postcode)
            if area is None:
                self.add_error(
                    "postcode",
                    _("Postcode %(postcode)s kennen we niet. Probeer de postcode van een plaats in de buurt.")
                    % {"postcode": postcode},
                )
            cleaned["area"] = area
        return cleaned

    @property
    def area(self):
        if not self.is_bound or not self.is_valid():
            return None
        return self.cleaned_data.get("area")


class GroupPostcodeForm(PostcodeAreaForm):
    """On the course page: a postcode to list the nearest location first. GET, so the sorted page has a URL."""

    postcode = PostcodeField(label=_("Uw postcode"), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "groep_%s")
        super().__init__(*args, **kwargs)


class CourseFilterForm(PostcodeAreaForm):
    """The course finder. GET only, so every search has a URL that can be shared."""

    postcode = PostcodeField(label=_("Uw postcode"), required=False, help_text=_("Bijvoorbeeld 5611 AB of 5611."))
    distance = forms.ChoiceField(label=_("Afstand"), choices=DISTANCE_CHOICES, required=False)
    theme = forms.ModelChoiceField(
        label=_("Thema"),
        queryset=Theme.objects.all(),
        required=False,
        empty_label=_("Alle thema's"),
        to_field_name="slug",
    )
    audience = forms.ChoiceField(label=_("Voor wie"), choices=[("", _("Iedereen"))] + Audience.choices, required=False)
    age = forms.IntegerField(
        label=_("Uw leeftijd"),
        required=False,
        min_value=18,
        max_value=120,
        help_text=_("Dan ziet u alleen trainingen voor uw leeftijd."),
        error_messages={
            "min_value": _("De trainingen zijn voor volwassenen, vanaf 18 jaar."),
            "max_value": _("Vul uw leeftijd in jaren in, bijvoorbeeld 45."),
            "invalid": _("Vul uw leeftijd in met cijfers, bijvoorbeeld 45."),
        },
    )
    delivery = forms.ChoiceField(label=_("Vorm"), choices=[("", _("Alle vormen"))] + Delivery.choices, required=False)
    couples = forms.BooleanField(label=_("Alleen trainingen waar koppels welkom zijn"), required=False)
    free_places = forms.BooleanField(label=_("Alleen trainingen met vrije plaatsen"), required=False)
    starts_within = forms.TypedChoiceField(
        label=_("Start binnen"),
        choices=STARTS_WITHIN_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Trainingen met een groep die binnen zoveel weken begint."),
        error_messages={"invalid_choice": _("Kies 4, 8 of 12 weken, of 'maakt niet uit'.")},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("distance") and not cleaned.get("postcode") and "postcode" not in self.errors:
            self.add_error("postcode", _("Vul uw postcode in om op afstand te zoeken."))
        return cleaned

    @property
    def active_filters(self):
        if not self.is_bound or not hasattr(self, "cleaned_data"):
            return False
        return any(self.data.get(name) for name in self.fields)


# The finder's form is made for every request to the finder and the home page: its nine fields are not copied each
# time (its fields are never changed per form).
CourseFilterForm.base_fields = FieldsCopiedOnce(CourseFilterForm.base_fields)


class CoursePageForm(WagtailAdminPageForm):
    """The editor's form for a training: the delivery mode must fit the chosen locations."""

    def clean(self):
        cleaned = super().clean()
        delivery, locations = cleaned.get("delivery"), cleaned.get("locations")
        if delivery and locations is not None:
            problem = self._meta.model.delivery_problem(delivery, list(locations))
            if problem:
                self.add_error("delivery", problem)
        return cleaned
