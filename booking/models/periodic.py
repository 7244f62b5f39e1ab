"""Where the periodic run left off: one row per step that works on what changed since its last run."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodicMark(models.Model):
    """A step's bookmark: the moment of its last completed run, and how many runs it completed.

    The catch-up of free places (``services.offers.catch_up_groups``) looks
    only at what changed after `at`, and at one slice of the groups chosen by
    `runs`; without a mark it looks at everything once. Holds no personal data.
    """

    name = models.CharField(_("stap"), max_length=50, unique=True)
    at = models.DateTimeField(_("laatst gedaan op"))
    runs = models.PositiveBigIntegerField(_("aantal keren gedaan"), default=0)

    class Meta:
        verbose_name = _("stand van de periodieke run")
        verbose_name_plural = _("standen van de periodieke run")

    def __str__(self):
        return self.name
