"""Pay by bank transfer: the places are confirmed now; the participant transfers the amount before the due date.

Offered only while the organisation's bank account is set and valid
(``services.transfers.bank_account``). The account, the amount, the
reference and the due date are on the confirmation page, in the
confirmation email and on the personal page.
"""

from django.db import transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.payments.providers import PaymentProvider, register
from booking.services import transfers
from booking.services.places import confirm_party


@register
class TransferProvider(PaymentProvider):
    name = "transfer"
    label = _("Zelf overmaken naar onze bankrekening")
    description = _(
        "U maakt de eigen bijdrage zelf over. Na het afronden ziet u het rekeningnummer, het bedrag, het kenmerk "
        "en de datum waarop het geld binnen moet zijn. Uw aanmelding is meteen definitief."
    )
    confirmation_note = _("U maakt de eigen bijdrage over naar onze bankrekening.")

    def is_available(self, course):
        return transfers.bank_account() is not None

    def start(self, request, enrollments):
        with transaction.atomic():
            confirm_party(enrollments[0].party, payment=self.name)
            # An open payment with a due date, until the office sees the money come in.
            transfers.record_transfer_payment(enrollments, now=timezone.now())
        return redirect("signup:done", group_id=enrollments[0].group_id)
