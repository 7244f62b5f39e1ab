"""Sending a newsletter: a test to the editor, then one outbox email per confirmed subscriber, in batches.

The editor's click only marks the mailing as sending (`request_send`); the
work happens in a background task and, should that stop halfway, in the
periodic run. Each batch takes the mailing's row lock, queues one email per
subscriber after the last one done, and moves that mark on, all in one
transaction. Every email has the key ``newsletter:<mailing>:<subscriber>``,
so a batch that runs twice, two runs at once or a second click send nobody
a second newsletter.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from booking.models import OutgoingEmail
from booking.services.notifications import queue_email

from ..models import Mailing, Subscriber

DEFAULT_BATCH = 200
BATCHES_PER_RUN = 10


def batch_size():
    return int(getattr(settings, "GROEPSWIJZER_NEWSLETTER_BATCH", DEFAULT_BATCH))


def email_key(mailing_id, subscriber_id):
    return f"newsletter:{mailing_id}:{subscriber_id}"


def audience(mailing):
    """Who gets the mailing: the confirmed subscribers of its list."""
    return Subscriber.objects.filter(newsletter=mailing.newsletter, status=Subscriber.Status.CONFIRMED)


def send_test(mailing, user, *, now=None):
    """Queue the mailing once to `user`'s own address, marked as a test. Returns the outbox row."""
    now = now or timezone.now()
    return queue_email(
        "newsletter_test",
        f"newsletter-test:{mailing.pk}:{user.pk}:{now.timestamp()}",
        mailing_id=mailing.pk,
        user_id=user.pk,
    )


def request_send(mailing, user, *, now=None):
    """Start sending a draft: True when this call started it, False when it was started before (a second click).

    The batches run in a task after this transaction commits, never in the request.
    """
    now = now or timezone.now()
    with transaction.atomic():
        started = Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.DRAFT).update(
            status=Mailing.Status.SENDING, send_requested_at=now, send_requested_by=user
        )
        if started:
            transaction.on_commit(lambda: send_mailing_task.enqueue(mailing.pk))
    return bool(started)


def send_batch(mailing_id, *, batch=None, now=None):
    """Queue the next batch of a mailing that is sending; returns how many emails it queued.

    When no subscriber is left after this batch, the mailing is marked sent.
    """
    batch = batch or batch_size()
    now = now or timezone.now()
    with transaction.atomic():
        mailing = Mailing.objects.select_for_update().filter(pk=mailing_id, status=Mailing.Status.SENDING).first()
        if mailing is None:
            return 0
        subscribers = list(
            audience(mailing)
            .filter(pk__gt=mailing.last_subscriber_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        queued = 0
        for subscriber_id in subscribers:
            row = queue_email(
                "newsletter_mailing",
                email_key(mailing.pk, subscriber_id),
                mailing_id=mailing.pk,
                subscriber_id=subscriber_id,
            )
            queued += row is not None
        if subscribers:
            mailing.last_subscriber_id = subscribers[-1]
        mailing.recipients += queued
        fields = ["last_subscriber_id", "recipients"]
        if len(subscribers) < batch:
            mailing.status = Mailing.Status.SENT
            mailing.sent_at = now
            fields += ["status", "sent_at"]
        mailing.save(update_fields=fields)
    return queued


def send_mailing(mailing_id, *, batch=None, batches=None, now=None):
    """Queue batches until the mailing is sent (or `batches` batches ran); returns how many emails were queued."""
    batch = batch or batch_size()
    queued = 0
    number = 0
    while batches is None or number < batches:
        number += 1
        queued += send_batch(mailing_id, batch=batch, now=now)
        if not Mailing.objects.filter(pk=mailing_id, status=Mailing.Status.SENDING).exists():
            break
    return queued


def continue_sending(now):
    """The periodic step: go on with mailings whose task stopped halfway (or never ran). Returns emails queued."""
    queued = 0
    for mailing_id in Mailing.objects.filter(status=Mailing.Status.SENDING).values_list("pk", flat=True):
        queued += send_mailing(mailing_id, batches=BATCHES_PER_RUN, now=now)
    return queued


def progress(mailing):
    """How far the emails of a mailing are: queued, sent, failed (counts from the outbox)."""
    rows = OutgoingEmail.objects.filter(key__startswith=f"newsletter:{mailing.pk}:")
    return {
        "queued": rows.count(),
        "sent": rows.filter(sent_at__isnull=False).count(),
        "failed": rows.filter(sent_at__isnull=True).exclude(last_error="").count(),
    }


@task()
def send_mailing_task(mailing_id):
    """The background task behind the editor's "send" (a worker in production, at once in development)."""
    return send_mailing(mailing_id)
