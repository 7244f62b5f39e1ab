"""Emails that go out once, after the transaction that caused them has committed.

Each email has a key (for example ``confirmation:enrollment:12``). Queueing the
same key twice does nothing; the delivery task locks the row and sends only
when it was not sent before, so a task that runs twice sends one email.

Email contents are built at delivery time by a builder registered per kind,
from ids stored with the email, so no message text (and no personal data
beyond the address) is kept in the database.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

logger = logging.getLogger(__name__)

BUILDERS = {}


def email_kind(kind):
    """Register a builder: ``builder(**params) -> Email`` for emails of this kind."""

    def register(builder):
        BUILDERS[kind] = builder
        return builder

    return register


class Email:
    """What a builder returns: rendered from ``templates/emails/<template>.txt`` (and ``.html`` when present)."""

    def __init__(self, *, to, subject, template, context, attachments=()):
        self.to = to
        self.subject = subject
        self.template = template
        self.context = context
        self.attachments = list(attachments)  # (filename, content, mimetype)

    def message(self):
        from home.models import OrganisationSettings

        context = {"organisation": OrganisationSettings.load(), "site_url": settings.WAGTAILADMIN_BASE_URL, **self.context}
        with translation.override(settings.LANGUAGE_CODE):
            text = render_to_string(f"emails/{self.template}.txt", context)
            try:
                html = render_to_string(f"emails/{self.template}.html", context)
            except Exception:  # a plain-text email is fine
                html = None
        message = EmailMultiAlternatives(
            subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{self.subject}",
            body=text,
            to=[self.to],
        )
        if html:
            message.attach_alternative(html, "text/html")
        for filename, content, mimetype in self.attachments:
            message.attach(filename, content, mimetype)
        return message


def queue_email(kind, key, *, participant=None, **params):
    """Queue one email of `kind`; the same `key` is only ever sent once. Returns the row or None.

    Call it inside the transaction that makes the email true (a confirmed
    place, an offer): if that transaction rolls back, so does the email.
    """
    from .models import OutgoingEmail

    if kind not in BUILDERS:
        raise LookupError(f"No email builder for {kind!r}")
    email = BUILDERS[kind](**params)
    row, created = OutgoingEmail.objects.get_or_create(
        key=key,
        defaults={"kind": kind, "to": email.to, "subject": email.subject[:200], "participant": participant, "params": params},
    )
    if not created:
        return None
    transaction.on_commit(lambda: _enqueue(row.pk))
    return row


def _enqueue(email_id):
    from .tasks import deliver_email

    deliver_email.enqueue(email_id)


def deliver(email_id):
    """Send one queued email unless it was sent already. Safe to call any number of times."""
    from .models import OutgoingEmail

    with transaction.atomic():
        row = OutgoingEmail.objects.select_for_update().filter(pk=email_id).first()
        if row is None or row.sent_at is not None:
            return False
        row.attempts += 1
        try:
            BUILDERS[row.kind](**row.params).message().send()
        except Exception as error:
            row.last_error = str(error)[:300]
            row.save(update_fields=["attempts", "last_error"])
            logger.exception("Email %s could not be sent", row.key)
            return False
        row.sent_at = timezone.now()
        row.last_error = ""
        row.save(update_fields=["attempts", "last_error", "sent_at"])
    return True


def retry_unsent():
    """Send what failed before (SMTP down, say). For the periodic run."""
    from .models import OutgoingEmail

    sent = 0
    for email_id in OutgoingEmail.objects.filter(sent_at__isnull=True, attempts__lt=10).values_list("pk", flat=True):
        sent += deliver(email_id)
    return sent
