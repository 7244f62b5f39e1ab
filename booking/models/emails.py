"""The outbox: every email the site sends, once."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutgoingEmail(models.Model):
    """Each email the site sends, keyed so it goes out once even when a task runs twice."""

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40, db_index=True)
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    params = models.JSONField(default=dict, help_text="Ids the email is built from at delivery time.")
    participant = models.ForeignKey(
        "booking.Participant", null=True, blank=True, on_delete=models.CASCADE, related_name="emails"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("verzonden e-mail")
        verbose_name_plural = _("verzonden e-mails")
        ordering = ["-created_at"]

    def __str__(self):
        return self.key
