"""Paying online with Mollie (iDEAL and the other methods the Mollie profile has switched on).

Two parts:

* `MollieGateway` speaks to Mollie through its Python client, and turns its
  answers into small plain objects with our own statuses. Every error of the
  client becomes `Unreachable` (no answer, or an answer we cannot read) or
  `Refused` (Mollie said no), so the services never see the client's types.
* `MollieProvider` is the choice at the payment step: it starts the payment
  and sends the participant to Mollie's checkout.

Settings (environment): MOLLIE_API_KEY (test_… or live_…), MOLLIE_PROFILE_ID
(only with an organisation access token), MOLLIE_API_ENDPOINT (tests only).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from .. import links
from . import PaymentProvider, register

PAYMENT_LINK = "payment"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]", "testserver"}
# Mollie's payment statuses, in ours. "authorized" (card payments captured later) is still on its way.
STATUS_FROM_MOLLIE = {
    "open": "open",
    "pending": "pending",
    "authorized": "pending",
    "paid": "paid",
    "failed": "failed",
    "expired": "expired",
    "canceled": "canceled",
}
REFUND_STATUS_FROM_MOLLIE = {
    "queued": "pending",
    "pending": "pending",
    "processing": "pending",
    "refunded": "refunded",
    "failed": "failed",
    "canceled": "failed",
}
METHOD_NAMES = {
    "ideal": "iDEAL",
    "creditcard": "creditcard",
    "bancontact": "Bancontact",
    "banktransfer": "bankoverschrijving",
    "paypal": "PayPal",
    "applepay": "Apple Pay",
    "directdebit": "automatische incasso",
    "giftcard": "cadeaukaart",
    "klarna": "Klarna",
}


def is_configured():
    return bool(getattr(settings, "MOLLIE_API_KEY", ""))


def method_label(method):
    """How a Mollie method code is said to people: "ideal" -> "iDEAL"."""
    return METHOD_NAMES.get(method or "", method or "")


def _money(amount):
    return {"currency": "EUR", "value": f"{Decimal(amount):.2f}"}


def _amount(value):
    if not value:
        return Decimal("0.00")
    return Decimal(str(value.get("value") or "0"))


def _when(value):
    if not value:
        return None
    parsed = parse_datetime(value) if isinstance(value, str) else value
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed


@dataclass(frozen=True)
class PaymentAnswer:
    id: str
    status: str  # one of Payment.Status
    checkout_url: str = ""
    paid_at: datetime.datetime | None = None
    method: str = ""
    mode: str = ""
    amount_refunded: Decimal = Decimal("0.00")


@dataclass(frozen=True)
class RefundAnswer:
    id: str
    status: str  # one of Refund.Status
    amount: Decimal
    description: str = ""
    our_id: int | None = None


class MollieGateway:
    """Our few requests to Mollie, with their errors in two kinds."""

    class Unreachable(Exception):
        """No answer from Mollie, or one we could not read; a retry may work. What happened there is unknown."""

    class Refused(Exception):
        """Mollie answered with an error: it did not do what we asked."""

    def __init__(self, api_key, *, endpoint="", profile_id=""):
        from mollie.api.client import Client

        self.client = Client(api_endpoint=endpoint or "", timeout=(3, 10))
        self.client.set_api_key(api_key)
        self.client.set_user_agent_component("Groepswijzer", "1")
        self.profile_id = profile_id
        self.custom_endpoint = bool(endpoint)

    def _call(self, request):
        from mollie.api.error import RequestError, ResponseError, ResponseHandlingError

        try:
            return request()
        except ResponseError as error:
            if (error.status or 0) >= 500:
                raise self.Unreachable(str(error)) from error
            raise self.Refused(str(error)) from error
        except (RequestError, ResponseHandlingError) as error:
            raise self.Unreachable(str(error)) from error
        except Exception as error:  # anything else from the client is still "Mollie did not work"
            raise self.Unreachable(f"{type(error).__name__}: {error}") from error

    @staticmethod
    def _payment_answer(data):
        return PaymentAnswer(
            id=data.id,
            status=STATUS_FROM_MOLLIE.get(data.status, "open"),
            checkout_url=data.checkout_url or "",
            paid_at=_when(data.paid_at),
            method=method_label(data.method),
            mode=data.mode or "",
            amount_refunded=_amount(data.amount_refunded),
        )

    def description(self, payment):
        from .services import party_enrollments

        enrollments = party_enrollments(payment.party)
        reference = enrollments[0].reference if enrollments else str(payment.pk)
        return f"Eigen bijdrage {payment.group.course.title}, kenmerk {reference}"[:255]

    def webhook_usable(self, url):
        """Mollie refuses a webhook it cannot reach; on a developer's own machine there is none."""
        return self.custom_endpoint or urlsplit(url).hostname not in LOCAL_HOSTS

    def create_payment(self, payment, *, redirect_url, webhook_url):
        data = {
            "amount": _money(payment.amount),
            "description": self.description(payment),
            "redirectUrl": redirect_url,
            "locale": "nl_NL",
            "metadata": {"payment": payment.pk, "party": str(payment.party)},
        }
        if webhook_url and self.webhook_usable(webhook_url):
            data["webhookUrl"] = webhook_url
        if self.profile_id and self.client.api_key.startswith("access_"):
            data["profileId"] = self.profile_id
        # The same key for every try of this payment: a retry after a lost answer gets the same Mollie payment.
        key = f"groepswijzer-betaling-{payment.pk}"
        answer = self._call(lambda: self.client.payments.create(data, idempotency_key=key))
        return self._payment_answer(answer)

    def fetch_payment(self, mollie_id):
        return self._payment_answer(self._call(lambda: self.client.payments.get(mollie_id)))

    def fetch_refunds(self, mollie_id):
        from mollie.api.objects.payment import Payment as MolliePayment

        listed = self._call(lambda: list(MolliePayment({"id": mollie_id}, self.client).refunds.list(limit=250)))
        answers = []
        for item in listed:
            metadata = item.metadata or {}
            our_id = metadata.get("refund") if isinstance(metadata, dict) else None
            answers.append(
                RefundAnswer(
                    id=item.id,
                    status=REFUND_STATUS_FROM_MOLLIE.get(item.status, "pending"),
                    amount=_amount(item.amount),
                    description=item.description or "",
                    our_id=int(our_id) if str(our_id or "").isdigit() else None,
                )
            )
        return answers

    def create_refund(self, refund):
        from mollie.api.objects.payment import Payment as MolliePayment

        payment = refund.payment
        data = {
            "amount": _money(refund.amount),
            "description": f"Terugbetaling eigen bijdrage {payment.group.course.title}"[:255],
            "metadata": {"refund": refund.pk, "payment": payment.pk},
        }
        key = f"groepswijzer-terugbetaling-{refund.pk}"
        answer = self._call(
            lambda: MolliePayment({"id": payment.mollie_id}, self.client).refunds.create(data, idempotency_key=key)
        )
        return RefundAnswer(
            id=answer.id,
            status=REFUND_STATUS_FROM_MOLLIE.get(answer.status, "pending"),
            amount=_amount(answer.amount),
            description=answer.description or "",
            our_id=refund.pk,
        )


def gateway():
    """A gateway with the configured key, or None when online payment is not set up."""
    if not is_configured():
        return None
    return MollieGateway(
        settings.MOLLIE_API_KEY,
        endpoint=getattr(settings, "MOLLIE_API_ENDPOINT", ""),
        profile_id=getattr(settings, "MOLLIE_PROFILE_ID", ""),
    )


# --- URLs -----------------------------------------------------------------------------------------


def return_path(payment):
    return reverse("payments:return", kwargs={"token": links.make_token(PAYMENT_LINK, payment.pk)})


def webhook_url():
    return links.absolute(reverse("payments:webhook"))


# --- the provider at the payment step ------------------------------------------------------------


@register
class MollieProvider(PaymentProvider):
    name = "mollie"
    label = _("Nu online betalen")
    description = _(
        "U betaalt meteen met iDEAL of een andere manier die uw bank kent. "
        "Zodra de betaling binnen is, is uw aanmelding definitief."
    )
    confirmation_note = _(
        "U heeft de eigen bijdrage online betaald. Het betaalbewijs is een PDF-bestand bij de e-mail met de bevestiging."
    )

    def is_available(self, course):
        return is_configured()

    def start(self, request, enrollments):
        return start_checkout(request, enrollments)


def start_checkout(request, enrollments):
    """Start paying online and send the participant to Mollie; or say kindly that it does not work right now."""
    from . import services

    mollie = gateway()
    if mollie is None:
        return render_unavailable(request, enrollments)
    try:
        payment = services.start_online_payment(
            enrollments,
            gateway=mollie,
            redirect_url_for=lambda payment: request.build_absolute_uri(return_path(payment)),
            webhook_url=webhook_url(),
        )
    except services.ProviderUnavailable as error:
        return render_unavailable(request, enrollments, message=error.message)
    if payment.status == payment.Status.OPEN and payment.checkout_url:
        return redirect(payment.checkout_url)
    return redirect(return_path(payment))


def render_unavailable(request, enrollments, message=None):
    """Mollie could not be reached: the hold stays, everything typed stays, and trying again is one click."""
    from django.utils import timezone

    from . import services

    group = enrollments[0].group
    hold_until = min((e.hold_expires_at for e in enrollments if e.hold_expires_at), default=None)
    providers = [provider for provider in _other_providers(group.course)]
    return render(
        request,
        "booking/payments/unavailable.html",
        {
            "message": message or services.ProviderUnavailable.default_message,
            "group": group,
            "course": group.course,
            "hold_until": timezone.localtime(hold_until) if hold_until else None,
            "retry_url": reverse("signup:payment", kwargs={"group_id": group.pk}),
            "other_providers": providers,
        },
        status=503,
    )


def _other_providers(course):
    from . import providers_for

    return [provider for provider in providers_for(course) if provider.name != MollieProvider.name]
