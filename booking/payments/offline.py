"""Pay at the first session: the places are confirmed now; the trainer receives the contribution."""

from django.db import transaction
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from booking.payments.providers import PaymentProvider, register
from booking.services.money import record_offline_payment
from booking.services.places import confirm_party


def confirm_pay_later(enrollments, *, payment="offline", now=None):
    """Confirm one sign-up's places now, to be paid later; returns the open offline payment (None when free).

    The places are confirmed and the confirmation emails queued
    (``places.confirm_party``), and an open payment is recorded that a
    coordinator marks paid when the money is in. Used by this provider and by
    the office. `payment` names the way told in the email.
    """
    with transaction.atomic():
        confirm_party(enrollments[0].party, payment=payment, now=now)
        return record_offline_payment(enrollments)


@register
class OfflineProvider(PaymentProvider):
    name = "offline"
    label = _("Betalen bij de eerste bijeenkomst")
    description = _(
        "U hoeft nu niets te betalen. U betaalt de eigen bijdrage bij de eerste bijeenkomst. "
        "Uw aanmelding is meteen definitief."
    )
    confirmation_note = _("U betaalt de eigen bijdrage bij de eerste bijeenkomst.")

    def start(self, request, enrollments):
        confirm_pay_later(enrollments, payment=self.name)
        return redirect("signup:done", group_id=enrollments[0].group_id)
