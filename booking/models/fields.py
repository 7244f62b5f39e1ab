"""The per-course choice of ways to pay, as a model field for the course page.

Stored as a JSON list of provider names (["mollie", "offline", "transfer"]); edited in the
Wagtail page editor as checkboxes. Whether a way can really be used is still
up to the provider itself (online payment needs a Mollie key), see
``booking.payments.providers_for``.
"""

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

# The ways a coordinator can offer participants. "exempt" is not among them:
# only a coordinator waives a contribution, for one person, with a reason.
CHOICES = [
    ("mollie", _("Online betalen met iDEAL of een andere methode (via Mollie)")),
    ("offline", _("Betalen bij de eerste bijeenkomst")),
    ("transfer", _("Zelf overmaken naar de bankrekening van de organisatie (alleen als die is ingesteld)")),
]
NAMES = [name for name, label in CHOICES]
# A new course offers these; transfer is chosen per course.
DEFAULTS = ["mollie", "offline"]


def default_providers():
    return list(DEFAULTS)


class ProviderChoiceFormField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", CHOICES)
        kwargs.setdefault("error_messages", {"required": _("Kies minstens één manier van betalen.")})
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return list(value or [])


class PaymentProvidersField(models.JSONField):
    """A list of provider names; the form shows checkboxes and refuses an empty choice."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", default_providers)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        defaults = {
            "required": not self.blank,
            "label": self.verbose_name[:1].upper() + self.verbose_name[1:] if self.verbose_name else None,
            "help_text": self.help_text,
            "initial": default_providers(),
        }
        # The page editor may pass its own widget; checkboxes are what this field needs.
        kwargs.pop("widget", None)
        kwargs.pop("form_class", None)
        kwargs.pop("encoder", None)
        kwargs.pop("decoder", None)
        defaults.update(
            {
                key: value
                for key, value in kwargs.items()
                if key in ("required", "label", "help_text", "initial", "disabled")
            }
        )
        return ProviderChoiceFormField(**defaults)


def offered_names(course):
    """The provider names the course offers, in the order of CHOICES; unknown names are ignored."""
    chosen = getattr(course, "payment_providers", None)
    if chosen is None:
        return default_providers()
    if isinstance(chosen, str):
        chosen = [part.strip() for part in chosen.split(",")]
    return [name for name in NAMES if name in set(chosen or ())]
