"""Who runs the site: one set of organisation details for the footer, emails and receipts."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting


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
        FieldPanel("crisis_text"),
    ]

    class Meta:
        verbose_name = _("organisatie")
