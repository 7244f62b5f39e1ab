"""Speaking to Mollie: its Python client, behind a small gateway with our own statuses and errors.

`MollieGateway` turns the client's answers into small plain objects with our
statuses. Every error of the client becomes `Unreachable` (no answer, or an
answer we cannot read) or `Refused` (Mollie said no), so the payment rules
never see the client's types. Settings (environment): MOLLIE_API_KEY
(test_… or live_…), MOLLIE_PROFILE_ID (only with an organisation access
token), MOLLIE_API_ENDPOINT (tests only).
"""

import datetime
import os
import threading
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils.dateparse import parse_datetime
from mollie.api.client import Client
from mollie.api.error import RequestError, ResponseError, ResponseHandlingError
from mollie.api.objects.payment import Payment as MolliePayment


def _when(value):
    if not value:
        return None
    parsed = parse_datetime(value) if isinstance(value, str) else value
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
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
        self.client = Client(api_endpoint=endpoint or "", timeout=(3, 10))
        self.client.set_api_key(api_key)
        self.client.set_user_agent_component("Groepswijzer", "1")
        self.session = _session_for(self.client.api_endpoint)
        self.client._client = self.session  # the attribute the client keeps it in
        self.client._setup_retry()  # the client's own retries, mounted on that session
        self.profile_id = profile_id
        self.custom_endpoint = bool(endpoint)

    def _call(self, request):
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

    def description(self, payment, reference=None):
        """What the payer sees at Mollie. `reference`: the first place's, when the caller has it at hand."""
        if reference is None:
            first = payment.enrollments.order_by("pk").first()
            reference = first.reference if first else str(payment.pk)
        return f"Eigen bijdrage {payment.group.course.title}, kenmerk {reference}"[:255]

    def webhook_usable(self, url):
        """Mollie refuses a webhook it cannot reach; on a developer's own machine there is none."""
        return self.custom_endpoint or urlsplit(url).hostname not in LOCAL_HOSTS

    def create_payment(self, payment, *, redirect_url, webhook_url, reference=None):
        data = {
            "amount": _money(payment.amount),
            "description": self.description(payment, reference),
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


def _session_for(endpoint):
    """The HTTP session the Mollie client uses, with what the environment says read once, here.

    A session of its own reads the environment on every request (proxies, ``NO_PROXY``, a CA bundle,
    ``~/.netrc``): some 40 % of the client's CPU per request. The same settings are taken from the
    environment when the gateway is made, for Mollie's address; the requests then leave it alone. A
    ``.netrc`` is not read: the client always sends its own Authorization header.
    """
    session = requests.Session()
    session.proxies.update(requests.utils.get_environ_proxies(endpoint))
    session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
    session.trust_env = False
    return session


def configured_gateway():
    """A gateway with the configured key, or None when online payment is not set up.

    The same gateway for a thread while the settings stay the same, so that its HTTP session keeps the
    connection to Mollie open from one payment or webhook to the next, instead of a new connection (and
    TLS handshake) for each. A session is used by one thread only; a forked process makes its own.
    """
    if not is_configured():
        return None
    process = os.getpid()
    wanted = (
        settings.MOLLIE_API_KEY,
        getattr(settings, "MOLLIE_API_ENDPOINT", ""),
        getattr(settings, "MOLLIE_PROFILE_ID", ""),
    )
    if getattr(_this_thread, "process", None) == process:
        if _this_thread.settings == wanted:
            return _this_thread.gateway
        _this_thread.gateway.session.close()  # other settings: its connections are of no use any more
    api_key, endpoint, profile_id = wanted
    gateway = MollieGateway(api_key, endpoint=endpoint, profile_id=profile_id)
    _this_thread.process, _this_thread.settings, _this_thread.gateway = process, wanted, gateway
    return gateway


_this_thread = threading.local()


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


def is_configured():
    return bool(getattr(settings, "MOLLIE_API_KEY", ""))


def _money(amount):
    return {"currency": "EUR", "value": f"{Decimal(amount):.2f}"}


def _amount(value):
    if not value:
        return Decimal("0.00")
    return Decimal(str(value.get("value") or "0"))


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


def method_label(method):
    """How a Mollie method code is said to people: "ideal" -> "iDEAL"."""
    return METHOD_NAMES.get(method or "", method or "")
