"""What time makes true for payments: lost webhooks, refunds still to send, choices not made."""

import datetime
import logging

from django.db.models import Exists, OuterRef
from django.utils import timezone

from booking.models import Payment, Refund
from booking.payments.gateway import configured_gateway
from booking.payments.lifecycle import Actor, Status, send_refund
from booking.payments.lost_place import NO_PLACE_REFUND_DAYS, refund_instead
from booking.payments.online import sync_payment
from booking.services.errors import PaymentRefused, ProviderUnavailable

logger = logging.getLogger(__name__)


STALE_AFTER = datetime.timedelta(minutes=10)


STALE_UNTIL = datetime.timedelta(days=3)


def run_periodic(now=None, *, gateway=None):
    """What time makes true, safe to run every minute and twice at once. Returns a count per step.

    1. Online payments still open or pending after 10 minutes are looked up
       at Mollie (in case a webhook got lost), for up to three days; and paid
       ones whose refund is still on its way, for up to 60 days.
    2. Refunds that could not be sent to Mollie are sent again.
    3. A paid sign-up without a place whose participant did not choose within
       NO_PLACE_REFUND_DAYS gets the money back.
    """

    now = now or timezone.now()
    gateway = gateway or configured_gateway()
    counts = {"payments_checked": 0, "refunds_sent": 0, "no_place_refunded": 0}
    if gateway is not None:
        stale = Payment.objects.filter(
            provider=Payment.Provider.MOLLIE,
            status__in=[Status.OPEN, Status.PENDING],
            created_at__lte=now - STALE_AFTER,
            created_at__gte=now - STALE_UNTIL,
        ).exclude(mollie_id="")
        # And paid ones with a refund still on its way at Mollie, for up to 60 days.
        on_its_way = Refund.objects.filter(
            payment=OuterRef("pk"),
            status=Refund.Status.PENDING,
            created_at__lte=now - STALE_AFTER,
            created_at__gte=now - datetime.timedelta(days=60),
        ).exclude(mollie_refund_id="")
        refunding = Payment.objects.filter(provider=Payment.Provider.MOLLIE, status=Status.PAID).filter(
            Exists(on_its_way)
        )
        for payment in list(stale) + list(refunding):
            try:
                sync_payment(payment, gateway=gateway, actor=Actor.SYSTEM, now=now)
            except ProviderUnavailable:
                break
            counts["payments_checked"] += 1
        for refund_id in Refund.objects.filter(
            status=Refund.Status.PENDING,
            mollie_refund_id="",
            payment__provider=Payment.Provider.MOLLIE,
            attempts__lt=20,
        ).values_list("pk", flat=True):
            counts["refunds_sent"] += send_refund(refund_id, gateway=gateway)
    for payment in Payment.objects.filter(
        status=Status.PAID,
        placement=Payment.Placement.LOST,
        paid_at__lte=now - datetime.timedelta(days=NO_PLACE_REFUND_DAYS),
    ):
        try:
            refund_instead(payment, actor=Actor.SYSTEM, now=now)
        except PaymentRefused:
            continue
        counts["no_place_refunded"] += 1
    return counts
