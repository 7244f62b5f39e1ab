"""Forms of the sign-up steps after "who": the suitability questions, consent, and the way to pay.

Who signs up is ``booking.forms.ParticipantsForm`` (shared with the waiting list).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.models import SuitabilityQuestion


class SuitabilityForm(forms.Form):
    """Step 3: the course's yes/no questions. Any answer is accepted here; the view decides what follows."""

    error_css_class = "has-error"

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[self.field_name(question)] = forms.ChoiceField(
                label=question.question,
                choices=[(SuitabilityQuestion.Answer.YES, _("Ja")), (SuitabilityQuestion.Answer.NO, _("Nee"))],
                widget=forms.RadioSelect,
                error_messages={"required": _("Kies ja of nee.")},
            )

    @staticmethod
    def field_name(question):
        return f"vraag_{question.pk}"

    def answers(self):
        """{field name: "yes"/"no"}, for the session."""
        return {self.field_name(question): self.cleaned_data[self.field_name(question)] for question in self.questions}

    def not_fitting(self):
        """The questions answered otherwise than the course needs."""
        return [q for q in self.questions if self.cleaned_data.get(self.field_name(q)) != q.fitting_answer]


class ConsentForm(forms.Form):
    """Step 4: consent to the processing of the data; the text and its version come from booking.consent."""

    consent = forms.BooleanField(
        label=_("Ja, ik geef toestemming"),
        error_messages={
            "required": _(
                "Zet een vinkje om toestemming te geven. Zonder toestemming kunnen wij uw aanmelding niet regelen."
            )
        },
    )

    error_css_class = "has-error"


class PaymentChoiceForm(forms.Form):
    """Step 5: how to pay the own contribution, from the providers available for the course."""

    provider = forms.ChoiceField(
        label=_("Hoe wilt u betalen?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Kies hoe u wilt betalen."), "invalid_choice": _("Kies hoe u wilt betalen.")},
    )

    error_css_class = "has-error"

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.providers = list(providers)
        self.fields["provider"].choices = [(provider.name, provider.label) for provider in self.providers]
        if len(self.providers) == 1:
            self.fields["provider"].initial = self.providers[0].name
