"""The record of every erasure on request: who, when, why, and which rows. It holds no personal data itself."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ErasureRecord(models.Model):
    """One erasure on request. Kept as proof that the request was carried out (and by whom).

    The ids point to rows that are now anonymised; the reason is written
    without names or addresses (the coordinator's form refuses them).
    """

    class Source(models.TextChoices):
        COORDINATOR = "coordinator", _("door een coördinator")
        PARTICIPANT = "participant", _("door de deelnemer, bevestigd per e-mail")

    at = models.DateTimeField(_("moment"), default=timezone.now, db_index=True)
    source = models.CharField(_("op verzoek van"), max_length=20, choices=Source.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uitgevoerd door"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("reden"), max_length=300)
    participant_ids = models.JSONField(_("deelnemernummers"), default=list)
    account_ids = models.JSONField(_("accountnummers"), default=list)
    rows = models.JSONField(_("geanonimiseerde regels per soort gegevens"), default=dict)

    class Meta:
        verbose_name = _("verwijdering op verzoek")
        verbose_name_plural = _("verwijderingen op verzoek")
        ordering = ["-at", "-pk"]
        permissions = [("erase_personal_data", _("Persoonsgegevens verwijderen op verzoek"))]

    def __str__(self):
        return _("Verwijdering %(number)s") % {"number": self.pk}


class RetentionScan(models.Model):
    """Where the retention run's walk over the people not anonymised yet stopped, so the next run goes on there.

    The walk follows the anchor's retention index (creation date, then id);
    `since` and `row` are the last row looked at, both empty at the start.
    Holds no personal data: a date and a row number.
    """

    name = models.CharField(_("stap"), max_length=50, unique=True)
    since = models.DateTimeField(_("tot en met aangemaakt op"), null=True, blank=True)
    row = models.BigIntegerField(_("tot en met nummer"), null=True, blank=True)
    at = models.DateTimeField(_("bijgewerkt op"))

    class Meta:
        verbose_name = _("stand van de bewaartermijncontrole")
        verbose_name_plural = _("standen van de bewaartermijncontrole")

    def __str__(self):
        return self.name
