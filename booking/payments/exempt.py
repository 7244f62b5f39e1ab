"""Exemption: the contribution waived by a coordinator for one sign-up, with a reason (never chosen at sign-up)."""

from django.utils.translation import gettext_lazy as _

from booking.payments.providers import PaymentProvider, register


@register
class ExemptProvider(PaymentProvider):
    name = "exempt"
    label = _("Vrijgesteld van de eigen bijdrage")
    description = _("U hoeft de eigen bijdrage niet te betalen.")
    confirmation_note = _("U hoeft de eigen bijdrage niet te betalen.")

    def is_available(self, course):
        # Only a coordinator waives a contribution (booking.payments.services.waive).
        return False

    def start(self, request, enrollments):
        raise NotImplementedError("An exemption is given by a coordinator, not chosen at sign-up.")
