"""An export too large to stream while the coordinator waits: made in the background, fetched once through a link."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportFile(models.Model):
    """One file made for one coordinator, kept in a folder the web server never serves, gone after `expires_at`.

    The file holds participants' data while it exists; this row holds none
    (the filter in words, never a search term, and the number of rows).
    `token` is the last part of the download link; only `user` can use it.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("soort"), max_length=40)
    format = models.CharField(_("formaat"), max_length=10)
    filter_description = models.CharField(_("filter"), max_length=300, blank=True)
    rows = models.PositiveIntegerField(_("rijen"))
    token = models.CharField(max_length=64, unique=True)
    path = models.CharField(_("bestand"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    ready_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("exportbestand")
        verbose_name_plural = _("exportbestanden")

    def __str__(self):
        return f"{self.kind} ({self.format}), {self.rows}"
