"""The own contribution on a participant's own pages: {% payment_panel enrollment token where="manage" %}.

`where` is "manage" (what was paid, the receipt, refunds), "cancel" (what
cancelling now means for the money) or "cancelled" (what happens with it).
"""

from django import template
from django.urls import reverse

from booking.models import Payment, Refund
from booking.payments import gateway, lifecycle, receipts
from booking.services import links, transfers
from booking.services.money import euro

register = template.Library()


@register.filter
def money(amount):
    """ "€ 35,00", also for nothing ("€ 0,00"): for amounts that are sums, not prices."""
    return euro(amount or 0)


@register.filter
def status_label(code):
    """The Dutch word for a payment's or a refund's status code, as the history shows it."""
    labels = {**dict(Refund.Status.choices), **dict(Payment.Status.choices)}
    return labels.get(code, code or "–")


@register.inclusion_tag("booking/payments/includes/panel.html")
def payment_panel(enrollment, token, where="manage", within=None):
    payment = lifecycle.payment_for_enrollment(enrollment)
    context = {"where": where, "payment": payment, "within": within, "enrollment": enrollment}
    if payment is None:
        return context
    refunds = list(payment.refunds.exclude(status=Refund.Status.FAILED).order_by("created_at", "pk"))
    mine = [refund for refund in refunds if refund.enrollment_id in (None, enrollment.pk)]
    context.update(
        paid=payment.status == Payment.Status.PAID
        and payment.provider != Payment.Provider.EXEMPT
        and payment.amount > 0,
        exempt=payment.provider == Payment.Provider.EXEMPT and payment.status == Payment.Status.PAID,
        # Not paid yet, to be paid at the first session or by transfer; a transfer with how to make it.
        offline_open=payment.pays_later and payment.status == Payment.Status.OPEN,
        transfer=transfers.transfer_instructions(payment),
        online_waiting=payment.provider == Payment.Provider.MOLLIE
        and payment.status in (Payment.Status.CREATED, Payment.Status.OPEN, Payment.Status.PENDING),
        lost=payment.status == Payment.Status.PAID and payment.placement == Payment.Placement.LOST,
        refunds=mine,
        share=min(payment.per_place, payment.refundable_amount()),
        method=gateway.method_label(payment.method) if payment.provider == Payment.Provider.MOLLIE else payment.method,
        receipt_url=(reverse("payments:receipt", kwargs={"token": token}) if receipts.has_receipt(payment) else ""),
        choice_url=(
            reverse("payments:choice", kwargs={"token": links.make_token(links.PAYMENT_LINK, payment.pk)})
            if payment.placement == Payment.Placement.LOST
            else ""
        ),
    )
    return context
