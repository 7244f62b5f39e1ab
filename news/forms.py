"""The newsletter sign-up form: an email address and the consent, with Dutch messages at the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import consent


class SignupForm(forms.Form):
    email = forms.EmailField(
        label=_("Uw e-mailadres"),
        max_length=254,
        help_text=_("Wij sturen u eerst een e-mail met een link. Pas als u op die link klikt, bent u aangemeld."),
        error_messages={
            "required": _("Vul uw e-mailadres in."),
            "invalid": _("Dit is geen e-mailadres. Een e-mailadres ziet er zo uit: naam@voorbeeld.nl"),
            "max_length": _("Dit e-mailadres is te lang. Gebruik een korter adres."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    agree = forms.BooleanField(
        label=_("Ja, ik wil deze nieuwsbrief ontvangen"),
        required=True,
        error_messages={"required": _("Zet een vinkje als u de nieuwsbrief wilt ontvangen.")},
    )

    def __init__(self, *args, newsletter, **kwargs):
        super().__init__(*args, **kwargs)
        self.newsletter = newsletter
        # What they agree to, right below the box and read out with it; its version is stored on sign-up.
        self.fields["agree"].help_text = consent.text(newsletter)
