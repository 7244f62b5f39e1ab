"""Forms of the self-service screens: cancelling a place, and asking for new personal links."""

from django import forms
from django.utils.translation import gettext_lazy as _

ONLY_ME = "me"
BOTH = "both"


class CancelForm(forms.Form):
    """Confirm a cancellation. A partner of a couple chooses whether the other place goes too."""

    who = forms.ChoiceField(
        label=_("Wie meldt u af?"),
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": _("Kies of u alleen uzelf afmeldt, of u allebei.")},
    )

    def __init__(self, *args, partner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.partner = partner
        if partner is None:
            del self.fields["who"]
        else:
            field = self.fields["who"]
            field.required = True
            field.initial = ONLY_ME
            field.choices = [
                (ONLY_ME, _("Alleen mijzelf. %(name)s blijft aangemeld.") % {"name": partner.participant.first_name}),
                (BOTH, _("Mijzelf en %(name)s, wij doen allebei niet mee.") % {"name": partner.participant.first_name}),
            ]
            field.error_messages["required"] = _("Kies of u alleen uzelf afmeldt, of u allebei.")

    @property
    def with_partner(self):
        return self.partner is not None and self.cleaned_data.get("who") == BOTH


class NewLinkForm(forms.Form):
    email = forms.EmailField(
        label=_("Uw e-mailadres"),
        max_length=254,
        help_text=_("Het e-mailadres waarmee u zich heeft aangemeld."),
        error_messages={
            "required": _("Vul uw e-mailadres in."),
            "invalid": _("Dit e-mailadres klopt niet. Vul een e-mailadres in zoals naam@voorbeeld.nl."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
