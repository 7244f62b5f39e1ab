from allauth.account.forms import SignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

from . import services
from .models import ProfessionalProfile


class ProfessionalSignupForm(SignupForm):
    """Sign-up for professionals: an account plus a request for access."""

    organisation = forms.CharField(
        label=_("Organisatie"),
        help_text=_("Bijvoorbeeld de zorggroep of het gezondheidscentrum waar u werkt."),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    role = forms.ChoiceField(label=_("Functie"), choices=ProfessionalProfile.Role.choices)
    practice = forms.CharField(
        label=_("Praktijk"),
        help_text=_("Naam en plaats van de praktijk."),
        max_length=200,
    )

    def save(self, request):
        user = super().save(request)
        services.request_professional_access(
            user,
            organisation=self.cleaned_data["organisation"].strip(),
            role=self.cleaned_data["role"],
            practice=self.cleaned_data["practice"].strip(),
        )
        return user
