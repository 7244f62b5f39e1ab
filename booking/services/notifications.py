"""Emails that go out once, after the transaction that caused them has committed.

Each email has a key (for example ``confirmation:enrollment:12``). Queueing the
same key twice does nothing; the delivery task locks the row and sends only
when it was not sent before, so a task that runs twice sends one email.

Email contents are built at delivery time by a builder registered per kind,
from ids stored with the email, so no message text (and no personal data
beyond the address) is kept in the database. An email to an address that
has since been anonymised is not sent, and neither is one whose builder
returns None at delivery time: what it was for no longer holds (a newsletter
for someone who unsubscribed in the meantime).

Queueing builds the email once more to learn its address and subject, unless
the caller names the address (``to=``): then nothing is built until the
worker sends it, and the subject is stored as it was sent. The periodic run
queues that way, so its cost follows the rows it writes, not the emails'
contents (each build reads the place, its sessions and its links).
"""

import datetime
import functools
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task

from home.organisation import OrganisationSettings
from privacy.registry import is_placeholder_email, placeholder_email

from ..models import OutgoingEmail
from . import statements

logger = logging.getLogger(__name__)

BUILDERS = {}
FORGET_AFTER_SENDING = set()
# A row that failed this often is left alone by the retry (and by then an address to forget is forgotten).
MAX_ATTEMPTS = 10


def email_kind(kind, *, forget_after_sending=False):
    """Register a builder: ``builder(**params) -> Email`` (or None: not to be sent) for emails of this kind.

    The builder runs in the site's time zone and in the language of the person
    the email is for, whatever the request that queued it used (a worker has no
    request at all): first in the site's language; when the email it returns
    names another language (``Email(language=...)``, the language the person
    signed up in), it is built once more in that one.
    `forget_after_sending`: once sent (or given up), the row keeps no address
    and no parameters, for emails that belong to nobody we keep data about
    (account emails: the account has the address itself).
    """
    if forget_after_sending:
        FORGET_AFTER_SENDING.add(kind)

    def register(builder):
        @functools.wraps(builder)
        def build(**params):
            with translation.override(settings.LANGUAGE_CODE), timezone.override(settings.TIME_ZONE):
                email = builder(**params)
            if email is not None and email.language != settings.LANGUAGE_CODE:
                with translation.override(email.language), timezone.override(settings.TIME_ZONE):
                    email = builder(**params)
            return email

        BUILDERS[kind] = build
        return builder

    return register


class Email:
    """What a builder returns: rendered from ``templates/emails/<template>.txt`` (and ``.html`` when present).

    `headers`: extra message headers, such as ``List-Unsubscribe`` on a
    newsletter. Built at delivery time like the rest, so nothing of them is
    stored in the outbox.
    `language`: the language the person reads the site in (Dutch when not given or not one of the site's).
    """

    def __init__(self, *, to, subject, template, context, attachments=(), headers=None, language=None):
        self.to = to
        self.language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        self.subject = subject
        self.template = template
        self.context = context
        self.attachments = list(attachments)  # (filename, content, mimetype)
        self.headers = dict(headers or {})

    def message(self):
        context = {
            "organisation": OrganisationSettings.load(),
            "site_url": settings.WAGTAILADMIN_BASE_URL,
            **self.context,
        }
        with translation.override(self.language):
            text = render_to_string(f"emails/{self.template}.txt", context)
            try:
                html = render_to_string(f"emails/{self.template}.html", context)
            except TemplateDoesNotExist:  # a plain-text email is fine
                html = None
        message = EmailMultiAlternatives(
            subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{self.subject}",
            body=text,
            to=[self.to],
            headers=self.headers,
        )
        if html:
            message.attach_alternative(html, "text/html")
        for filename, content, mimetype in self.attachments:
            message.attach(filename, content, mimetype)
        return message


def queue_email(kind, key, *, participant=None, to=None, **params):
    """Queue one email of `kind`; the same `key` is only ever sent once. Returns the row or None.

    Call it inside the transaction that makes the email true (a confirmed
    place, an offer): if that transaction rolls back, so does the email.

    `to`: the address the builder will send it to, when the caller knows it
    (the participant's). Then the email is not built now but only when it is
    sent, and its subject is stored then; the email sent is the same either
    way (it is always built again at delivery). Without `to` it is built now,
    and a builder that returns None queues nothing.
    """
    if kind not in BUILDERS:
        raise LookupError(f"No email builder for {kind!r}")
    subject = ""
    if to is None:
        email = BUILDERS[kind](**params)
        if email is None:
            return None  # nothing to send (any more)
        to, subject = email.to, email.subject[:200]
    # One statement, where a look-up, a savepoint and an insert were four: emails are queued inside the
    # transactions that hold a group's lock (a confirmed place). A key queued at the same moment by
    # someone else waits for that transaction, and then nothing is inserted.
    row = OutgoingEmail(key=key, kind=kind, to=to, subject=subject, participant=participant, params=params)
    if not statements.insert([row], unless_taken="key"):
        return None
    transaction.on_commit(lambda: _enqueue(row.pk))
    return row


def queue_emails(emails):
    """Queue many emails at once whose addresses the caller knows; returns the rows created.

    `emails`: dicts with `kind`, `key`, `to`, `participant` and `params`,
    as `queue_email` takes them with ``to=``. Nothing is built now; keys
    already in the outbox are left out. Two statements for all of them, and
    one task that sends them; should another run queue one of the keys at
    the same moment, they are queued one by one instead. Call it inside the
    transaction that makes the emails true.
    """
    emails = list(emails)
    for email in emails:
        if email["kind"] not in BUILDERS:
            raise LookupError(f"No email builder for {email['kind']!r}")
    existing = set(OutgoingEmail.objects.filter(key__in=[e["key"] for e in emails]).values_list("key", flat=True))
    new = [email for email in emails if email["key"] not in existing]
    if not new:
        return []
    try:
        with transaction.atomic():
            rows = OutgoingEmail.objects.bulk_create(
                [
                    OutgoingEmail(
                        kind=email["kind"],
                        key=email["key"],
                        to=email["to"],
                        subject="",
                        participant=email.get("participant"),
                        params=email["params"],
                    )
                    for email in new
                ]
            )
    except IntegrityError:  # a key queued at the same moment by someone else
        rows = [
            queue_email(e["kind"], e["key"], participant=e.get("participant"), to=e["to"], **e["params"]) for e in new
        ]
        return [row for row in rows if row is not None]
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: deliver_emails.enqueue(ids))
    return rows


def _enqueue(email_id):
    deliver_email.enqueue(email_id)


def deliver(email_id):
    """Send one queued email unless it was sent already. Safe to call any number of times.

    The row is claimed in a short transaction (the attempt counter goes up only
    for the caller that saw its old value), the email is sent outside any
    transaction, and the row is then marked sent. So a task that runs twice,
    or at the same time, sends one email, and no database lock is held while
    the mail server is talking.
    """
    row = OutgoingEmail.objects.filter(pk=email_id, sent_at__isnull=True).first()
    if row is None:
        return False
    claimed = OutgoingEmail.objects.filter(pk=row.pk, sent_at__isnull=True, attempts=row.attempts).update(
        attempts=F("attempts") + 1, last_error=""
    )
    if not claimed:
        return False  # someone else is sending it, or just did
    if is_placeholder_email(row.to):
        _give_up(row, "Het adres is geanonimiseerd; deze e-mail gaat niet meer weg.")
        return False
    built = {}  # the subject as built now: stored with the row (queued with `to=`, it has none yet)
    try:
        email = BUILDERS[row.kind](**row.params)
        if email is None:
            _drop(row)
            return False
        if is_placeholder_email(email.to):
            _give_up(row, "Het adres is geanonimiseerd; deze e-mail gaat niet meer weg.")
            return False
        built["subject"] = email.subject[:200]
        email.message().send()
    except Exception as error:
        OutgoingEmail.objects.filter(pk=row.pk).update(last_error=str(error)[:300] or error.__class__.__name__, **built)
        logger.exception("Email %s could not be sent", row.key)
        if row.attempts + 1 >= MAX_ATTEMPTS:
            _forget(row)
        return False
    OutgoingEmail.objects.filter(pk=row.pk).update(sent_at=timezone.now(), **built)
    _forget(row)
    return True


def _give_up(row, reason):
    OutgoingEmail.objects.filter(pk=row.pk).update(attempts=MAX_ATTEMPTS, last_error=reason)


def _drop(row):
    """No longer to be sent, and not a failure: no retry, and not among the failed emails."""
    OutgoingEmail.objects.filter(pk=row.pk).update(attempts=MAX_ATTEMPTS, last_error="")
    _forget(row)


def _forget(row):
    """After the last try, a row of a kind that belongs to nobody keeps no address and no parameters."""
    if row.kind in FORGET_AFTER_SENDING:
        OutgoingEmail.objects.filter(pk=row.pk).update(to=placeholder_email(row), params={})


def retry_unsent(now=None):
    """Send what failed before (SMTP down, say), and what no worker picked up. For the periodic run."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(minutes=5)
    waiting = OutgoingEmail.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS).filter(
        ~Q(last_error="") | Q(attempts=0, created_at__lt=stale)
    )
    sent = 0
    for email_id in waiting.values_list("pk", flat=True):
        sent += deliver(email_id)
    return sent


def failed_emails():
    """Emails that could not be sent: the last try ended in an error, and none got through since."""
    return OutgoingEmail.objects.filter(sent_at__isnull=True).exclude(last_error="")


def send_again(email_id):
    """Try a failed email once more, through the task queue (a web request never waits for the mail server)."""
    transaction.on_commit(lambda: _enqueue(email_id))


@task()
def deliver_email(email_id):
    """The background task that sends one queued email (a worker in production, at once in development)."""
    return deliver(email_id)


@task()
def deliver_emails(email_ids):
    """The background task that sends emails queued together (`queue_emails`), one after the other.

    Each is claimed and sent as by `deliver_email`; should the task stop
    halfway, the periodic retry sends the rest after a few minutes.
    """
    return sum(deliver(email_id) for email_id in email_ids)
