"""Scheduled publishing: pages an editor set to go live or to expire at a moment (Wagtail's "Go live" and "Expiry")."""

from io import StringIO

from django.core.management import call_command
from django.utils import timezone
from wagtail.models import Page, Revision


def publish_scheduled(now=None):
    """Publish the revisions whose moment has come and unpublish pages that expired; returns how many.

    The work is Wagtail's own `publish_scheduled` command; this counts what
    is due first, so the periodic run can report it and does nothing when
    nothing is due.
    """
    now = now or timezone.now()
    due = Revision.objects.filter(approved_go_live_at__lt=now).count()
    expired = Page.objects.filter(live=True, expire_at__lt=now).count()
    if due or expired:
        call_command("publish_scheduled", stdout=StringIO())
    return due + expired
