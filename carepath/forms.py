"""Forms of the care path: a professional's referral, and the patient's code and consent to share."""

from django import forms
from django.utils.translation import gettext_lazy as _

from booking.models import Location
from courses.models import CoursePage
from home.languages import originals

from .models import CODE_LENGTH, Referral, Screening, normalise_code
from .services import consent


class CourseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.title


class ReferralForm(forms.Form):
    """What a professional fills in for one referral. No name, no diagnosis: the patient brings the code."""

    error_css_class = "has-error"

    course = CourseChoiceField(
        label=_("Training"),
        queryset=CoursePage.objects.none(),
        required=False,
        empty_label=_("Een groepstraining: de patiënt kiest zelf welke"),
        error_messages={"invalid_choice": _("Kies een training uit de lijst.")},
    )
    preferred_location = forms.ModelChoiceField(
        label=_("Voorkeurslocatie"),
        queryset=Location.objects.none(),
        required=False,
        empty_label=_("Geen voorkeur"),
        error_messages={"invalid_choice": _("Kies een locatie uit de lijst.")},
    )
    note = forms.CharField(
        label=_("Korte notitie voor de trainer"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Geen diagnose en geen medische gegevens. Bijvoorbeeld: kan alleen overdag. Hooguit 300 tekens."),
        error_messages={"max_length": _("Schrijf hooguit 300 tekens (nu %(show_value)d).")},
    )
    delivery = forms.ChoiceField(
        label=_("Hoe krijgt de patiënt de verwijzing?"),
        choices=Referral.Delivery.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Kies hoe de patiënt de verwijzing krijgt.")},
    )
    patient_email = forms.EmailField(
        label=_("E-mailadres van de patiënt"),
        required=False,
        help_text=_("Alleen nodig als de verwijzing per e-mail gaat. Wij sturen één e-mail met de link en de code."),
        error_messages={"invalid": _("Vul een geldig e-mailadres in, bijvoorbeeld naam@voorbeeld.nl.")},
    )
    practice = forms.ModelChoiceField(
        label=_("Praktijk"),
        queryset=None,
        required=False,
        empty_label=_("Geen praktijk (alleen ik zie deze verwijzing)"),
        help_text=_("Collega's van dezelfde praktijk zien de verwijzing ook."),
        error_messages={"invalid_choice": _("Kies een praktijk uit de lijst.")},
    )

    def __init__(self, *args, practices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = originals(CoursePage.objects.live().public()).order_by("title")
        self.fields["preferred_location"].queryset = Location.objects.order_by("town", "name")
        self.fields["practice"].queryset = practices
        if practices.count() == 1 and not self.is_bound:
            self.fields["practice"].initial = practices.first().pk
        if not practices.exists():
            del self.fields["practice"]

    def clean(self):
        cleaned = super().clean()
        email_missing = not cleaned.get("patient_email") and "patient_email" not in self.errors
        if cleaned.get("delivery") == Referral.Delivery.EMAIL and email_missing:
            self.add_error("patient_email", _("Vul het e-mailadres van de patiënt in, of kies voor printen."))
        course, location = cleaned.get("course"), cleaned.get("preferred_location")
        if course is not None and location is not None and not course.locations.filter(pk=location.pk).exists():
            self.add_error(
                "preferred_location", _("Deze training wordt niet op deze locatie gegeven. Kies een andere.")
            )
        return cleaned


class CodeForm(forms.Form):
    """The code a patient types over from the printed referral."""

    error_css_class = "has-error"

    code = forms.CharField(
        label=_("Uw verwijscode"),
        max_length=40,
        help_text=_("10 letters en cijfers, bijvoorbeeld ABCDE-FGHJK. Hoofdletters of kleine letters maakt niet uit."),
        error_messages={"required": _("Vul de code van uw verwijzing in.")},
    )

    def clean_code(self):
        code = normalise_code(self.cleaned_data["code"])
        if len(code) != CODE_LENGTH:
            raise forms.ValidationError(
                _("Een verwijscode heeft 10 letters en cijfers, bijvoorbeeld ABCDE-FGHJK. Kijk de code nog eens na.")
            )
        return code


class ShareForm(forms.Form):
    """The separate, optional consent to let the referrer follow how it goes."""

    share = forms.BooleanField(label=_("Ja, mijn verwijzer mag zien hoe het gaat"), required=False)

    consent_text = consent.SHARE_TEXT


class ScreeningForm(forms.Form):
    """The outcome of one call. "Not suitable" needs at least one other way on for the participant."""

    error_css_class = "has-error"

    outcome = forms.ChoiceField(
        label=_("Uitkomst van het gesprek"),
        choices=Screening.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Kies de uitkomst van het gesprek.")},
    )
    note = forms.CharField(
        label=_("Korte notitie"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Alleen voor de trainers en het bureau. Geen diagnose. Hooguit 300 tekens."),
        error_messages={"max_length": _("Schrijf hooguit 300 tekens (nu %(show_value)d).")},
    )
    alternatives = forms.MultipleChoiceField(
        label=_("Andere mogelijkheden voor de deelnemer"),
        choices=Screening.Alternative.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Alleen bij „past niet”: deze staan in de e-mail aan de deelnemer."),
    )
    alternative_courses = forms.ModelMultipleChoiceField(
        label=_("Andere trainingen"),
        queryset=CoursePage.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["alternative_courses"].queryset = (
            originals(CoursePage.objects.live().public()).exclude(pk=course.pk).order_by("title")
        )
        self.fields["alternative_courses"].label_from_instance = lambda page: page.title

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == Screening.Outcome.NOT_SUITABLE and not (
            cleaned.get("alternatives") or cleaned.get("alternative_courses")
        ):
            self.add_error(
                "alternatives",
                _("Kies minstens één andere mogelijkheid. Zo weet de deelnemer wat nu wel kan."),
            )
        return cleaned


class AnswersForm(forms.Form):
    """One line per question, the answers of the questionnaire's scale as radio buttons."""

    error_css_class = "has-error"

    def __init__(self, *args, questionnaire, after=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(questionnaire.items.all())
        choices = questionnaire.answer_choices()
        for number, item in enumerate(self.items, start=1):
            self.fields[self.field_name(item)] = forms.TypedChoiceField(
                label=f"{number}. {item.text}",
                choices=choices,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Kies een antwoord op deze vraag.")},
            )
        if after:
            self.fields["share_with_gp"] = forms.BooleanField(
                label=_("Mijn huisarts mag in de brief over de training lezen hoe mijn score veranderde"),
                required=False,
            )

    @staticmethod
    def field_name(item):
        return f"vraag_{item.pk}"

    def values(self):
        return {item.pk: self.cleaned_data[self.field_name(item)] for item in self.items}

    def answered(self):
        return sum(1 for item in self.items if self.data.get(self.field_name(item)))


class EvaluationForm(forms.Form):
    error_css_class = "has-error"

    grade = forms.TypedChoiceField(
        label=_("Welk rapportcijfer geeft u de training?"),
        choices=[(n, str(n)) for n in range(1, 11)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("1 is heel slecht, 10 is uitstekend."),
        error_messages={"required": _("Kies een cijfer van 1 tot en met 10.")},
    )
    would_recommend = forms.TypedChoiceField(
        label=_("Zou u de training aanraden aan iemand anders?"),
        choices=[("ja", _("Ja")), ("nee", _("Nee"))],
        coerce=lambda value: value == "ja",
        widget=forms.RadioSelect,
        error_messages={"required": _("Kies ja of nee.")},
    )
    helped = forms.CharField(
        label=_("Wat heeft u het meest geholpen?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Schrijf hooguit 1000 tekens (nu %(show_value)d).")},
    )
    comments = forms.CharField(
        label=_("Wilt u nog iets anders kwijt?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Schrijf hooguit 1000 tekens (nu %(show_value)d).")},
    )
