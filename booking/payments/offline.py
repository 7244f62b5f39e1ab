"""Pay at the first session: the places are confirmed now; the trainer receives the contribution."""

from django.db import transaction
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from booking.payments.providers import PaymentProvider, register
from booking.services.money import record_offline_payment
from booking.services.places import confirm_party


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
        with transaction.atomic():
            confirm_party(enrollments[0].party, payment=self.name)
            # An open payment the coordinator marks paid when the money is in.
            record_offline_payment(enrollments)
        return redirect("signup:done", group_id=enrollments[0].group_id)
