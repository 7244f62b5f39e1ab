"""Fields every sign-up asks for. Kept apart: allauth imports this while it loads its own forms."""

from django import forms
from django.utils.translation import gettext_lazy as _


class PersonNameSignupForm(forms.Form):
    """Extra fields for every sign-up: just a name, nothing more."""

    first_name = forms.CharField(
        label=_("Voornaam"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Achternaam"),
        help_text=_("Met tussenvoegsel, bijvoorbeeld: van der Berg."),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )

    def signup(self, request, user):
        user.first_name = self.cleaned_data["first_name"].strip()
        user.last_name = self.cleaned_data["last_name"].strip()
        user.save(update_fields=["first_name", "last_name"])
