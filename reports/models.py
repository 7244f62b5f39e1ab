"""The reports app keeps no data of its own: every figure is counted from booking's records when asked.

`Figures` only carries the permission to read the office's figures (`reports.view_figures`); it
has no table.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Figures(models.Model):
    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_figures", _("Cijfers en de vraagkaart bekijken"))]
        verbose_name = _("cijfers")
        verbose_name_plural = _("cijfers")

    def __str__(self):
        return str(self._meta.verbose_name)
