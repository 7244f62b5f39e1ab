"""Who runs the site: one set of organisation details for the footer, emails and receipts.

The bank account that participants transfer the own contribution to is set
here too (or, when left empty here, in the environment: ``GROEPSWIJZER_IBAN``
and ``GROEPSWIJZER_ACCOUNT_HOLDER``). An IBAN is checked with schwifty.
"""

import contextlib

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from schwifty import IBAN
from schwifty.exceptions import (
    InvalidChecksumDigits,
    InvalidCountryCode,
    InvalidLength,
    InvalidStructure,
    SchwiftyException,
)
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

IBAN_EXAMPLE = "NL91 ABNA 0417 1643 00"


def parse_iban(value):
    """The IBAN in `value` (spaces and small letters allowed), or ValidationError with a Dutch message."""
    try:
        return IBAN(str(value or ""))
    except InvalidChecksumDigits:
        message = _(
            "Dit IBAN klopt niet: de controlecijfers passen niet bij het nummer. Kijk of er een typefout in zit."
        )
    except InvalidLength:
        message = _("Dit IBAN heeft niet het goede aantal tekens. Een Nederlands IBAN heeft er 18, zoals %(example)s.")
    except InvalidCountryCode:
        message = _("Een IBAN begint met een landcode, zoals NL. Deze landcode kennen we niet.")
    except (InvalidStructure, SchwiftyException):
        message = _("Dit is geen IBAN. Een Nederlands IBAN ziet er zo uit: %(example)s.")
    raise ValidationError(message, code="invalid_iban", params={"example": IBAN_EXAMPLE})


def validate_iban(value):
    if value:
        parse_iban(value)


@register_setting(icon="site")
class OrganisationSettings(BaseGenericSetting):
    """Who runs the site: shown in the footer, emails and (later) receipts."""

    name = models.CharField(_("naam organisatie"), max_length=200, default="Groepswijzer")
    region = models.CharField(_("regio"), max_length=100, blank=True)
    email = models.EmailField(_("e-mailadres"), blank=True)
    phone = models.CharField(_("telefoonnummer"), max_length=20, blank=True)
    phone_hours = models.CharField(
        _("bereikbaar"), max_length=100, blank=True, help_text=_("Bijvoorbeeld: op werkdagen van 9.00 tot 12.00 uur.")
    )
    address = models.CharField(_("adres"), max_length=200, blank=True)
    iban = models.CharField(
        _("IBAN voor overboekingen"),
        max_length=42,
        blank=True,
        validators=[validate_iban],
        help_text=_(
            "Het rekeningnummer waarop deelnemers de eigen bijdrage overmaken. Leeg laten: dan kunnen deelnemers "
            "niet kiezen voor overmaken."
        ),
    )
    account_holder = models.CharField(
        _("ten name van"),
        max_length=70,
        blank=True,
        help_text=_("De naam van de rekening, precies zoals de bank die kent."),
    )
    crisis_text = models.CharField(
        _("tekst bij acute nood"),
        max_length=300,
        blank=True,
        help_text=_("Korte tekst onderaan elke pagina: waar iemand heen kan bij acute nood."),
    )

    panels = [
        MultiFieldPanel([FieldPanel("name"), FieldPanel("region")], heading=_("Organisatie")),
        MultiFieldPanel(
            [FieldPanel("email"), FieldPanel("phone"), FieldPanel("phone_hours"), FieldPanel("address")],
            heading=_("Contact"),
        ),
        MultiFieldPanel(
            [FieldPanel("iban"), FieldPanel("account_holder")],
            heading=_("Bankrekening voor overboekingen"),
        ),
        FieldPanel("crisis_text"),
    ]

    class Meta:
        verbose_name = _("organisatie")

    def clean(self):
        super().clean()
        self.account_holder = self.account_holder.strip()
        if self.iban:
            # Stored the way people read it: NL91 ABNA 0417 1643 00. A wrong one is told at the field.
            with contextlib.suppress(ValidationError):
                self.iban = parse_iban(self.iban).formatted
        if self.iban and not self.account_holder:
            raise ValidationError({"account_holder": _("Vul in op wiens naam de rekening staat.")})
        if self.account_holder and not self.iban:
            raise ValidationError({"iban": _("Vul het IBAN in, of maak ook 'ten name van' leeg.")})
