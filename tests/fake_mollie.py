"""A stand-in for Mollie's payments API on 127.0.0.1, for tests and the benchmark.

It answers the real Mollie client (``Client(api_endpoint=fake.url)``) the
way Mollie does, closely enough for what we use: create and get payments
(``status``, ``paidAt``, ``method``, ``amountRefunded``, ``amountRemaining``,
``_links.checkout``), idempotency keys, and create and list refunds, with
Mollie's error bodies. It also serves a checkout page with the buttons
"Betaald", "Mislukt" and "Geannuleerd": each sets the payment's status, calls
the payment's webhook and sends the browser back to the redirect URL, so a
browser test can pay from start to end.

Switches for failure: ``fake.answer_errors = True`` makes every API request
answer 500; ``fake.go_down()`` stops listening (connections are refused) and
``fake.come_back()`` listens again on the same port. Helpers for what Mollie
would do by itself: ``set_status``, ``call_webhook``, ``refund_from_dashboard``
and ``settle_refunds``.

Fixtures: ``fake_mollie`` (the server, emptied for each test) and ``mollie``
(the server, with the site's settings pointing at it and a test key).
"""

import contextlib
import datetime
import html
import itertools
import json
import re
import secrets
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

API_KEY = "test_groepswijzerfakekey0123456789ab"
AMOUNT = re.compile(r"^\d{1,7}\.\d{2}$")


def _now():
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "+00:00")


def _money(value):
    return {"value": f"{Decimal(value):.2f}", "currency": "EUR"}


class _Server(ThreadingHTTPServer):
    """Counts the connections it accepted, and closes those still open when it stops: a server that goes
    down leaves no kept-alive connection answering."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.accepted = 0
        self.open_sockets = set()
        self.sockets_lock = threading.Lock()

    def process_request(self, request, client_address):
        with self.sockets_lock:
            self.accepted += 1
            self.open_sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self.sockets_lock:
            self.open_sockets.discard(request)
        super().shutdown_request(request)

    def close_open_connections(self):
        with self.sockets_lock:
            sockets, self.open_sockets = list(self.open_sockets), set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class FakeMollie:
    def __init__(self):
        self.lock = threading.RLock()
        self.port = None
        self.server = None
        self.thread = None
        self.reset()

    # --- life ------------------------------------------------------------------------------------

    def reset(self):
        with self.lock:
            self.payments = {}
            self.refunds = {}  # refund id -> refund dict (with "paymentId")
            self.replies = {}  # idempotency key -> (status, body)
            self.requests = []  # (method, path) of every API request
            self.webhook_results = []  # (payment id, HTTP status or error text)
            self.answer_errors = False
            self.call_webhooks = True
            self.numbers = itertools.count(1)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self.server = _Server(("127.0.0.1", self.port or 0), self._handler())
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, name="fake-mollie", daemon=True)
        self.thread.start()
        return self

    @property
    def connections(self):
        """How many connections the server accepted since it started."""
        return self.server.accepted if self.server is not None else 0

    def stop(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server.close_open_connections()
            self.thread.join(timeout=5)
            self.server = None

    def go_down(self):
        """Stop listening: every connection is refused, as when Mollie cannot be reached."""
        self.stop()

    def come_back(self):
        if self.server is None:
            self.start()

    # --- what Mollie does by itself --------------------------------------------------------------

    def _new_id(self, prefix):
        return f"{prefix}_{secrets.token_hex(5)}{next(self.numbers)}"

    def payment(self, payment_id):
        with self.lock:
            return json.loads(json.dumps(self.payments[payment_id]))

    def latest(self):
        with self.lock:
            return list(self.payments.values())[-1]["id"] if self.payments else None

    def set_status(self, payment_id, status, method="ideal"):
        """Move a payment to a status the way Mollie does (paidAt, method, no more checkout link)."""
        with self.lock:
            payment = self.payments[payment_id]
            payment["status"] = status
            payment["isCancelable"] = False
            now = _now()
            if status == "paid":
                payment["paidAt"] = now
                payment["method"] = method
                payment["amountRefunded"] = _money(0)
                payment["amountRemaining"] = _money(payment["amount"]["value"])
                payment["details"] = {"consumerName": "T. TEST", "consumerAccount": "NL91ABNA0417164300"}
            elif status in ("failed", "canceled", "expired"):
                payment[{"failed": "failedAt", "canceled": "canceledAt", "expired": "expiredAt"}[status]] = now
            if status != "open":
                payment["_links"].pop("checkout", None)

    def call_webhook(self, payment_id):
        """POST id=tr_… to the payment's webhook, as Mollie does; returns the HTTP status (or the error)."""
        with self.lock:
            url = self.payments[payment_id].get("webhookUrl")
        if not url:
            return None
        request = urllib.request.Request(
            url,
            data=urllib.parse.urlencode({"id": payment_id}).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                result = response.status
        except urllib.error.HTTPError as error:
            result = error.code
        except OSError as error:
            result = f"{type(error).__name__}: {error}"
        self.webhook_results.append((payment_id, result))
        return result

    def _refund_total(self, payment_id):
        return sum(
            (
                Decimal(r["amount"]["value"])
                for r in self.refunds.values()
                if r["paymentId"] == payment_id and r["status"] not in ("failed", "canceled")
            ),
            Decimal("0"),
        )

    def _add_refund(self, payment_id, amount, description="", metadata=None):
        payment = self.payments[payment_id]
        refund = {
            "resource": "refund",
            "id": self._new_id("re"),
            "amount": _money(amount),
            "status": "pending",
            "createdAt": _now(),
            "description": description,
            "metadata": metadata,
            "paymentId": payment_id,
            "settlementAmount": _money(-Decimal(amount)),
            "_links": {
                "self": {"href": f"{self.url}/v2/payments/{payment_id}/refunds/", "type": "application/hal+json"}
            },
        }
        self.refunds[refund["id"]] = refund
        refunded = self._refund_total(payment_id)
        payment["amountRefunded"] = _money(refunded)
        payment["amountRemaining"] = _money(Decimal(payment["amount"]["value"]) - refunded)
        refund["_links"]["self"]["href"] += refund["id"]
        return refund

    def refund_from_dashboard(self, payment_id, amount, call_webhook=True):
        """Someone refunds in the Mollie dashboard: a refund we did not ask for, then the webhook."""
        with self.lock:
            refund = self._add_refund(payment_id, amount, description="Terugbetaling via dashboard")
        if call_webhook:
            self.call_webhook(payment_id)
        return refund["id"]

    def settle_refunds(self, payment_id=None, status="refunded", call_webhook=False):
        with self.lock:
            changed = [
                r for r in self.refunds.values() if r["status"] == "pending" and payment_id in (None, r["paymentId"])
            ]
            for refund in changed:
                refund["status"] = status
        if call_webhook:
            for pid in {r["paymentId"] for r in changed}:
                self.call_webhook(pid)
        return len(changed)

    def refunds_of(self, payment_id):
        with self.lock:
            return [json.loads(json.dumps(r)) for r in self.refunds.values() if r["paymentId"] == payment_id]

    # --- the HTTP side ---------------------------------------------------------------------------

    def _error(self, status, title, detail, field=None):
        body = {
            "status": status,
            "title": title,
            "detail": detail,
            "_links": {
                "documentation": {"href": "https://docs.mollie.com/overview/handling-errors", "type": "text/html"}
            },
        }
        if field:
            body["field"] = field
        return status, body

    def _create_payment(self, data):
        amount = (data.get("amount") or {}).get("value", "")
        if not AMOUNT.match(str(amount)) or (data.get("amount") or {}).get("currency") != "EUR":
            return self._error(422, "Unprocessable Entity", "The amount is invalid", "amount")
        if not data.get("description"):
            return self._error(422, "Unprocessable Entity", "The description is invalid", "description")
        if not data.get("redirectUrl"):
            return self._error(422, "Unprocessable Entity", "The redirect URL is invalid", "redirectUrl")
        payment_id = self._new_id("tr")
        created = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
        payment = {
            "resource": "payment",
            "id": payment_id,
            "mode": "test",
            "createdAt": created.isoformat(),
            "amount": {"value": amount, "currency": "EUR"},
            "description": data["description"],
            "method": data.get("method"),
            "metadata": data.get("metadata"),
            "status": "open",
            "isCancelable": False,
            "expiresAt": (created + datetime.timedelta(minutes=15)).isoformat(),
            "locale": data.get("locale"),
            "profileId": "pfl_fakeprofile",
            "sequenceType": "oneoff",
            "redirectUrl": data["redirectUrl"],
            "webhookUrl": data.get("webhookUrl"),
            "_links": {
                "self": {"href": f"{self.url}/v2/payments/{payment_id}", "type": "application/hal+json"},
                "checkout": {"href": f"{self.url}/checkout/{payment_id}", "type": "text/html"},
                "dashboard": {"href": f"{self.url}/dashboard/{payment_id}", "type": "text/html"},
            },
        }
        self.payments[payment_id] = payment
        return 201, payment

    def _create_refund(self, payment_id, data):
        payment = self.payments.get(payment_id)
        if payment is None:
            return self._error(404, "Not Found", f"No payment exists with token {payment_id}.")
        if payment["status"] != "paid":
            return self._error(422, "Unprocessable Entity", "The payment is not refundable")
        amount = (data.get("amount") or {}).get("value", "")
        if not AMOUNT.match(str(amount)) or Decimal(amount) <= 0:
            return self._error(422, "Unprocessable Entity", "The amount is invalid", "amount")
        remaining = Decimal(payment["amount"]["value"]) - self._refund_total(payment_id)
        if Decimal(amount) > remaining:
            return self._error(422, "Unprocessable Entity", "The amount is higher than the amount remaining", "amount")
        return 201, self._add_refund(payment_id, amount, data.get("description", ""), data.get("metadata"))

    def api(self, method, path, headers, body):
        """One API request: (status, JSON body, extra headers)."""
        with self.lock:
            self.requests.append((method, path))
            if self.answer_errors:
                return (*self._error(500, "Internal Server Error", "Something went wrong on our side"), {})
            if not (headers.get("Authorization") or "").startswith("Bearer test_"):
                return (
                    *self._error(401, "Unauthorized Request", "Missing authentication, or failed to authenticate"),
                    {},
                )
            key = headers.get("Idempotency-Key") or ""
            if method == "POST" and key and key in self.replies:
                status, reply = self.replies[key]
                return status, json.loads(json.dumps(reply)), {"Idempotent-Replayed": "true"}
            try:
                data = json.loads(body or b"{}")
            except ValueError:
                return (*self._error(400, "Bad Request", "Invalid JSON"), {})
            parts = [part for part in path.split("?")[0].split("/") if part]
            result = self._error(404, "Not Found", "The resource does not exist")
            if parts[:2] == ["v2", "payments"]:
                if len(parts) == 2 and method == "POST":
                    result = self._create_payment(data)
                elif len(parts) == 3 and method == "GET":
                    payment = self.payments.get(parts[2])
                    result = (
                        (200, payment)
                        if payment
                        else self._error(404, "Not Found", f"No payment exists with token {parts[2]}.")
                    )
                elif len(parts) == 4 and parts[3] == "refunds" and method == "POST":
                    result = self._create_refund(parts[2], data)
                elif len(parts) == 4 and parts[3] == "refunds" and method == "GET":
                    if parts[2] not in self.payments:
                        result = self._error(404, "Not Found", f"No payment exists with token {parts[2]}.")
                    else:
                        items = [r for r in self.refunds.values() if r["paymentId"] == parts[2]]
                        result = (
                            200,
                            {
                                "count": len(items),
                                "_embedded": {"refunds": items},
                                "_links": {
                                    "self": {"href": f"{self.url}{path}", "type": "application/hal+json"},
                                    "previous": None,
                                    "next": None,
                                },
                            },
                        )
            status, reply = result
            if method == "POST" and key and 200 <= status < 300:
                self.replies[key] = (status, json.loads(json.dumps(reply)))
            return status, reply, {}

    def checkout_page(self, payment_id):
        payment = self.payments.get(payment_id)
        if payment is None:
            return 404, "<!doctype html><title>Niet gevonden</title><p>Onbekende betaling.</p>"
        title = html.escape(payment["description"])
        buttons = "".join(
            (
                f'<form method="post" action="/checkout/{payment_id}/{status}"><button '
                f'type="submit">{label}</button></form>'
            )
            for status, label in (("paid", "Betaald"), ("failed", "Mislukt"), ("canceled", "Geannuleerd"))
        )
        page = (
            '<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Testbetaling</title></head>'
            f"<body><main><h1>Testbetaling</h1><p>{title}</p><p>Bedrag: EUR {payment['amount']['value']}</p>"
            f'<p>Status: <span id="status">{payment["status"]}</span></p>{buttons}</main></body></html>'
        )
        return 200, page

    def checkout_action(self, payment_id, status):
        with self.lock:
            payment = self.payments.get(payment_id)
            if payment is None or status not in ("paid", "failed", "canceled"):
                return 404, None
            if payment["status"] == "open":
                self.set_status(payment_id, status)
            redirect_url = payment["redirectUrl"]
        if self.call_webhooks:
            self.call_webhook(payment_id)
        return 303, redirect_url

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # The headers and the body leave in two writes; with Nagle's algorithm the second waits for the
            # client's delayed acknowledgement of the first on a kept-alive connection: some 40 ms a request,
            # which Mollie's servers do not add.
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def _body(self):
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _send(self, status, body, content_type, extra=None):
                data = body.encode() if isinstance(body, str) else body
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in (extra or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def _api(self, method):
                status, reply, extra = fake.api(method, self.path, self.headers, self._body())
                self._send(status, json.dumps(reply), "application/hal+json", extra)

            def do_GET(self):
                if self.path.startswith("/checkout/"):
                    status, page = fake.checkout_page(self.path.split("/")[2])
                    self._send(status, page, "text/html; charset=utf-8")
                else:
                    self._api("GET")

            def do_POST(self):
                if self.path.startswith("/checkout/"):
                    self._body()
                    parts = self.path.strip("/").split("/")
                    status, location = fake.checkout_action(parts[1], parts[2] if len(parts) > 2 else "")
                    if status == 303:
                        self._send(303, "", "text/plain", {"Location": location})
                    else:
                        self._send(404, "Onbekend", "text/plain")
                else:
                    self._api("POST")

            def do_DELETE(self):
                self._api("DELETE")

            def do_PATCH(self):
                self._api("PATCH")

        return Handler


@pytest.fixture(scope="session")
def _fake_mollie_server():
    fake = FakeMollie().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_mollie(_fake_mollie_server):
    """The fake Mollie, empty, listening, and answering normally."""
    fake = _fake_mollie_server
    fake.come_back()
    fake.reset()
    yield fake
    fake.come_back()


@pytest.fixture
def mollie(fake_mollie, settings):
    """Online payment switched on, against the fake Mollie."""
    settings.MOLLIE_API_KEY = API_KEY
    settings.MOLLIE_API_ENDPOINT = fake_mollie.url
    settings.MOLLIE_PROFILE_ID = ""
    return fake_mollie


if __name__ == "__main__":
    # Run on its own, to click through online payment on a development server:
    #   .venv/bin/python -m tests.fake_mollie 8116
    #   MOLLIE_API_KEY=test_local MOLLIE_API_ENDPOINT=http://127.0.0.1:8116 .venv/bin/python manage.py runserver
    import sys
    import time

    fake = FakeMollie()
    fake.port = int(sys.argv[1]) if len(sys.argv) > 1 else 8116
    fake.start()
    print(f"Fake Mollie on {fake.url} (Ctrl+C stops it)", flush=True)  # noqa: T201  (a command-line tool)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()
