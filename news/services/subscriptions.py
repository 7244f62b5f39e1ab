"""Signing up for a newsletter, confirming it by the emailed link, and unsubscribing in one click.

Double opt-in: a sign-up only stores the address with its consent and
sends one email with a confirmation link. Nothing else goes to the address
until that link is used. A sign-up nobody confirms is forgotten after
`UNCONFIRMED_DAYS`; an unsubscribed address after `UNSUBSCRIBED_DAYS`
(the privacy registry's retention run anonymises them, on `forget_at`).

The links are signed (``booking.services.links``): they carry the
subscriber's id and cannot be guessed or changed. Nothing is stored for them.
"""

import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from booking.services import links
from booking.services.notifications import queue_email
from privacy import registry
from privacy.anonymise import anonymise_rows
from privacy.people import normalise

from .. import consent
from ..models import Subscriber, SubscriberList

UNCONFIRMED_DAYS = 7
UNSUBSCRIBED_DAYS = 30
CONFIRM_LINK = "newsletter-confirm"
UNSUBSCRIBE_LINK = "newsletter-unsubscribe"
# An unsubscribe link must keep working for as long as an old newsletter can be opened.
UNSUBSCRIBE_LINK_VALID = datetime.timedelta(days=3650)

Status = Subscriber.Status
# The lists in the address bar: /nieuwsbrief/deelnemers/, /nieuwsbrief/professionals/.
SLUGS = {SubscriberList.PATIENTS: "deelnemers", SubscriberList.PROFESSIONALS: "professionals"}


def confirm_url(subscriber):
    return links.personal_url("newsletter:confirm", CONFIRM_LINK, subscriber.pk)


def unsubscribe_url(subscriber):
    return links.personal_url("newsletter:unsubscribe", UNSUBSCRIBE_LINK, subscriber.pk)


def subscriber_from_confirm_token(token):
    """The subscriber id in a confirmation link; links.InvalidLink or links.ExpiredLink otherwise."""
    return links.read_token(token, CONFIRM_LINK, valid_for=datetime.timedelta(days=UNCONFIRMED_DAYS))


def subscriber_from_unsubscribe_token(token):
    return links.read_token(token, UNSUBSCRIBE_LINK, valid_for=UNSUBSCRIBE_LINK_VALID)


def newsletter_from_slug(slug):
    """The list behind a slug in the address bar, or None."""
    return next((newsletter for newsletter, known in SLUGS.items() if known == slug), None)


def signup_path(newsletter):
    return reverse("newsletter:signup", kwargs={"slug": SLUGS[newsletter]})


@transaction.atomic
def subscribe(newsletter, email, *, now=None):
    """Store a sign-up with today's consent text version and send the confirmation link. Returns the subscriber.

    Someone already subscribed gets no email and no change (the page says the
    same to everyone, so it tells nobody who is on the list). Signing up again
    after unsubscribing starts over: a new consent, a new confirmation. One
    confirmation email per address per day at most, however often the form
    is sent, so the form cannot be used to flood someone's mailbox.
    """
    now = now or timezone.now()
    email = normalise(email)
    subscriber = Subscriber.objects.select_for_update().filter(newsletter=newsletter, email=email).first()
    if subscriber is None:
        try:
            with transaction.atomic():
                subscriber = Subscriber.objects.create(
                    newsletter=newsletter,
                    email=email,
                    consent_text_version=consent.VERSION,
                    consent_at=now,
                    forget_at=now + datetime.timedelta(days=UNCONFIRMED_DAYS),
                )
        except IntegrityError:  # the same address at the same moment, from another request
            subscriber = Subscriber.objects.select_for_update().get(newsletter=newsletter, email=email)
    if subscriber.status == Status.CONFIRMED:
        return subscriber
    subscriber.status = Status.PENDING
    subscriber.consent_text_version = consent.VERSION
    subscriber.consent_at = now
    subscriber.unsubscribed_at = None
    subscriber.forget_at = now + datetime.timedelta(days=UNCONFIRMED_DAYS)
    subscriber.save(update_fields=["status", "consent_text_version", "consent_at", "unsubscribed_at", "forget_at"])
    queue_email(
        "newsletter_confirm",
        f"newsletter-confirm:{subscriber.pk}:{now:%Y%m%d}",
        subscriber_id=subscriber.pk,
    )
    return subscriber


@transaction.atomic
def confirm(subscriber_id, *, now=None):
    """Use the confirmation link: the subscription starts. Returns the subscriber, or None when it no longer can.

    Using the link twice changes nothing. A link of someone who unsubscribed
    since, or whose sign-up was forgotten, starts nothing.
    """
    now = now or timezone.now()
    subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id, anonymised_at__isnull=True).first()
    if subscriber is None or subscriber.status == Status.UNSUBSCRIBED:
        return None
    if subscriber.status == Status.PENDING:
        subscriber.status = Status.CONFIRMED
        subscriber.confirmed_at = now
        subscriber.forget_at = None
        subscriber.save(update_fields=["status", "confirmed_at", "forget_at"])
    return subscriber


@transaction.atomic
def unsubscribe(subscriber_id, *, now=None):
    """Stop every newsletter to this subscriber; the address goes after `UNSUBSCRIBED_DAYS`. Returns the subscriber.

    Safe to use any number of times; None only when the id is unknown.
    Newsletters already queued for the address are not sent any more (their
    builder finds the subscriber unsubscribed).
    """
    now = now or timezone.now()
    subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
    if subscriber is None:
        return None
    if subscriber.status != Status.UNSUBSCRIBED:
        subscriber.status = Status.UNSUBSCRIBED
        subscriber.unsubscribed_at = now
        if subscriber.anonymised_at is None:
            subscriber.forget_at = now + datetime.timedelta(days=UNSUBSCRIBED_DAYS)
        subscriber.save(update_fields=["status", "unsubscribed_at", "forget_at"])
    return subscriber


def signup_url(newsletter):
    return links.absolute(signup_path(newsletter))


@transaction.atomic
def erase(subscriber_id, *, now=None):
    """Erasure on request: unsubscribed and the address gone now, as the registry says (the row stays, anonymised).

    Newsletters still queued for the address are not sent (their builder finds
    the subscriber unsubscribed). Returns the number of rows anonymised (0 or 1).
    """
    now = now or timezone.now()
    unsubscribe(subscriber_id, now=now)
    rows = Subscriber.objects.filter(pk=subscriber_id, anonymised_at__isnull=True)
    return anonymise_rows(registry.entry_for(Subscriber), rows, now=now)
