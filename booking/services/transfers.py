"""Paying by bank transfer: the organisation's account, and what a participant needs to make the transfer.

Transfer is a way to pay of its own, next to paying at the first session: a
course offers it when it ticks it (``payment_providers``), and it can be
chosen only while the organisation's bank account is set and valid (site
settings, else the environment; see ``bank_account``). So no page or email
ever asks for a transfer without an account number to transfer to.

The place is confirmed at once. The payment stays open, with a due date,
until the office marks it paid: by hand, by its reference, or from a bank
statement (``booking.payments.statements``). The reference is the kenmerk of
the first enrollment of the sign-up, the code the participant already has.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from home.organisation import OrganisationSettings, parse_iban

from ..clock import local_time
from ..models import Payment
from .money import create_payment

DEFAULT_TRANSFER_DAYS = 14


@dataclass(frozen=True)
class BankAccount:
    iban: str  # written in groups of four: NL91 ABNA 0417 1643 00
    holder: str


def bank_account():
    """The account participants transfer to, or None when none is set or its IBAN is not valid.

    The site settings come first; while they are empty, the environment
    (``GROEPSWIJZER_IBAN``, ``GROEPSWIJZER_ACCOUNT_HOLDER``). An account
    needs both the IBAN and the name it is in.
    """
    organisation = OrganisationSettings.load()
    iban, holder = organisation.iban, organisation.account_holder
    if not iban:
        iban = getattr(settings, "GROEPSWIJZER_IBAN", "")
        holder = getattr(settings, "GROEPSWIJZER_ACCOUNT_HOLDER", "")
    holder = (holder or "").strip()
    if not iban or not holder:
        return None
    try:
        return BankAccount(iban=parse_iban(iban).formatted, holder=holder)
    except ValidationError:
        return None


def transfer_due_date(group, now):
    """The last day to pay by transfer when signing up at `now`.

    `GROEPSWIJZER_TRANSFER_DAYS` days after signing up, but at the latest the
    day before the group's first session, so the money is in before it
    starts; never before the day of signing up itself.
    """
    today = local_time(now).date()
    due = today + datetime.timedelta(days=getattr(settings, "GROEPSWIJZER_TRANSFER_DAYS", DEFAULT_TRANSFER_DAYS))
    if group.first_start is not None:
        due = min(due, local_time(group.first_start).date() - datetime.timedelta(days=1))
    return max(due, today)


def payment_reference(payment):
    """What the participant writes with the transfer: the kenmerk of the sign-up's first enrollment."""
    first = payment.enrollments.order_by("pk").first()
    return first.reference if first else ""


def record_transfer_payment(enrollments, *, now):
    """The sign-up chose to pay by transfer: an open transfer payment, with its due date. Returns it.

    Nothing is recorded when there is nothing to pay; calling it again for
    the same sign-up returns the payment it made before.
    """
    enrollments = list(enrollments)
    existing = Payment.objects.filter(party=enrollments[0].party, provider=Payment.Provider.TRANSFER).first()
    if existing is not None:
        return existing
    group = enrollments[0].group
    if not group.amount:
        return None
    payment = create_payment(enrollments, provider=Payment.Provider.TRANSFER, note=_("Betalen per overboeking"))
    payment.due_on = transfer_due_date(group, now)
    payment.save(update_fields=["due_on", "updated_at"])
    return payment


@dataclass(frozen=True)
class TransferInstructions:
    """Everything a participant needs to make the transfer; `account` is None if it was taken away since."""

    amount: object
    reference: str
    due_on: datetime.date
    account: BankAccount | None

    def overdue(self, now):
        return local_time(now).date() > self.due_on


def transfer_instructions(payment):
    """How to pay an open transfer payment, or None for any other payment (or one already paid)."""
    if payment is None or payment.provider != Payment.Provider.TRANSFER or payment.status != Payment.Status.OPEN:
        return None
    return TransferInstructions(
        amount=payment.amount,
        reference=payment_reference(payment),
        due_on=payment.due_on,
        account=bank_account(),
    )


def instructions_for_enrollment(enrollment):
    """The transfer instructions of the enrollment's sign-up, or None when it does not pay by transfer now."""
    payment = Payment.objects.filter(enrollments=enrollment, provider=Payment.Provider.TRANSFER).order_by("-pk").first()
    return transfer_instructions(payment)
