"""The newsletter's emails, through booking's outbox (see booking.services.notifications.email_kind).

Every kind forgets its address once sent: the subscriber row has it, and
the outbox row only has to remember that the email went (its key).
"""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from booking.services.notifications import Email, email_kind

from . import consent
from .models import Mailing, Subscriber
from .services import subscriptions

# RFC 8058: a mail client may unsubscribe with one POST to the List-Unsubscribe address, without asking.
ONE_CLICK = "List-Unsubscribe=One-Click"


def unsubscribe_headers(url):
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": ONE_CLICK}


@email_kind("newsletter_confirm", forget_after_sending=True)
def newsletter_confirm(subscriber_id):
    """The double opt-in: the link that starts the subscription. None once it can no longer start."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id, status=Subscriber.Status.PENDING).first()
    if subscriber is None:
        return None
    return Email(
        to=subscriber.email,
        subject=_("Bevestig uw aanmelding voor de nieuwsbrief"),
        template="news/confirm",
        context={
            "newsletter": subscriber.get_newsletter_display().lower(),
            "confirm_url": subscriptions.confirm_url(subscriber),
            "consent_text": consent.text(subscriber.newsletter, subscriber.consent_text_version),
            "days": subscriptions.UNCONFIRMED_DAYS,
        },
        language=subscriber.language,
    )


def _mailing_context(mailing, unsubscribe_url, *, test=False):
    return {
        "mailing": mailing,
        "items": mailing.news_pages(),
        "unsubscribe_url": unsubscribe_url,
        "test": test,
    }


@email_kind("newsletter_mailing", forget_after_sending=True)
def newsletter_mailing(mailing_id, subscriber_id):
    """The newsletter to one subscriber; None when they unsubscribed after it was queued."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id, status=Subscriber.Status.CONFIRMED).first()
    if subscriber is None:
        return None
    mailing = Mailing.objects.get(pk=mailing_id)
    url = subscriptions.unsubscribe_url(subscriber)
    return Email(
        to=subscriber.email,
        subject=mailing.title,
        template="news/mailing",
        context=_mailing_context(mailing, url),
        headers=unsubscribe_headers(url),
        language=subscriber.language,
    )


@email_kind("newsletter_test", forget_after_sending=True)
def newsletter_test(mailing_id, user_id):
    """The mailing to the editor's own address, to check it before sending. Its unsubscribe link is the sign-up page."""
    mailing = Mailing.objects.get(pk=mailing_id)
    user = get_user_model().objects.get(pk=user_id)
    url = subscriptions.signup_url(mailing.newsletter)
    return Email(
        to=user.email,
        subject=_("[Test] %(title)s") % {"title": mailing.title},
        template="news/mailing",
        context=_mailing_context(mailing, url, test=True),
        language=user.language,
    )
