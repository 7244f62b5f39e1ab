"""Emails about the own contribution: paid without a place, a refund on its way, an offline payment received.

Built from ids when sent (see booking.notifications), in Dutch, and each
carries the participant's personal link.
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from booking.models import Enrollment, Payment, Refund
from booking.payments import receipts
from booking.services import links
from booking.services.notifications import Email, email_kind


def _base(payment, enrollment):
    group = payment.group
    return {
        "payment": payment,
        "enrollment": enrollment,
        "participant": enrollment.participant,
        "group": group,
        "course": group.course,
        "location": group.location,
        "manage_url": links.personal_url("selfservice:manage", "enrollment", enrollment.pk),
    }


def _enrollment(enrollment_id):
    return Enrollment.objects.select_related("participant", "group__course", "group__location").get(pk=enrollment_id)


@email_kind("payment_no_place")
def payment_no_place(payment_id, enrollment_id):
    """Paid, but the place was gone: said honestly, with the link to choose another group, the list, or a refund."""
    payment = Payment.objects.select_related("group__course", "group__location").get(pk=payment_id)
    enrollment = _enrollment(enrollment_id)
    context = _base(payment, enrollment)
    context["choice_url"] = links.personal_url("payments:choice", links.PAYMENT_LINK, payment.pk)
    return Email(
        language=enrollment.language,
        to=enrollment.participant.email,
        subject=_("Uw betaling is binnen, maar de plaats was al weg"),
        template="payments/no_place",
        context=context,
    )


@email_kind("refund")
def refund(refund_id, enrollment_id):
    """A refund is on its way: how much, why, and how it reaches them."""
    item = Refund.objects.select_related("payment__group__course", "payment__group__location").get(pk=refund_id)
    enrollment = _enrollment(enrollment_id)
    context = _base(item.payment, enrollment)
    context["refund"] = item
    context["online"] = item.payment.provider == Payment.Provider.MOLLIE
    return Email(
        language=enrollment.language,
        to=enrollment.participant.email,
        subject=_("Terugbetaling van uw eigen bijdrage"),
        template="payments/refund",
        context=context,
    )


@email_kind("payment_received")
def payment_received(payment_id, enrollment_id):
    """An offline payment was marked paid: thanks, with the receipt attached."""
    payment = Payment.objects.select_related("group__course", "group__location").get(pk=payment_id)
    enrollment = _enrollment(enrollment_id)
    context = _base(payment, enrollment)
    context["receipt_url"] = links.absolute(
        reverse("payments:receipt", kwargs={"token": links.make_token("enrollment", enrollment.pk)})
    )
    attachments = [receipts.ReceiptAttachment(payment)] if receipts.has_receipt(payment) else []
    return Email(
        language=enrollment.language,
        to=enrollment.participant.email,
        subject=_("Wij hebben uw eigen bijdrage ontvangen"),
        template="payments/received",
        context=context,
        attachments=attachments,
    )
