"""Paying the own contribution online, against a fake Mollie spoken to by the real Mollie client.

Each test goes the way a participant (or Mollie) would: the sign-up steps, the
checkout's outcome, the webhook, the return page, the emails.
"""

import contextlib
import datetime
import io
import re
import threading
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError as FormError
from django.db import connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts import roles
from booking import periodic
from booking.models import Enrollment, OutgoingEmail, Payment, PaymentEvent, Refund, Session, WaitlistEntry
from booking.payments import coordinator, lifecycle, online, receipts
from booking.payments import periodic as payment_periodic
from booking.payments.gateway import configured_gateway
from booking.payments.providers import providers_for
from booking.selfservice import cancellation
from booking.services import links, money, places, planning
from booking.staff import actions as staff_actions
from courses.models import CoursePage
from home.models import OrganisationSettings
from tests.booking.factories import EnrollmentFactory, person, planned_group, signup_course, staff_user
from tests.factories import LocationFactory
from tests.helpers import fitting_answers, signup_url, text

pytestmark = pytest.mark.django_db

WEBHOOK = "/betalen/webhook/"
SANNE = {
    "first_name": "Sanne",
    "last_name": "van der Berg",
    "email": "sanne@example.nl",
    "birth_year": "1985",
    "postcode": "5611 AB",
}
PARTNER = {
    "together": "on",
    "partner_first_name": "Joëlle",
    "partner_last_name": "van 't Hoff",
    "partner_email": "joelle@example.nl",
    "partner_birth_year": "1983",
    "partner_postcode": "5611 AB",
}


@pytest.fixture
def course(course_index):
    return signup_course(course_index, couples_welcome=True, questions=False)


@pytest.fixture
def location():
    return LocationFactory(
        name="Gezondheidscentrum De Linde", town="Eindhoven", address="Lindelaan 4", postcode="5611 AB"
    )


@pytest.fixture
def group(course, location):
    return planned_group(course, location, capacity=10, days=30, count=5)


def sign_up_until_payment(client, group, people=SANNE):
    response = client.post(signup_url("participant", group), people | {"action": "next"})
    assert response.status_code == 302, text(response)
    if group.course.suitability_questions.exists():
        client.post(signup_url("suitability", group), fitting_answers(group.course))
    response = client.post(signup_url("consent", group), {"consent": "on", "action": "next"})
    assert response["Location"] == signup_url("payment", group), text(response)
    return list(Enrollment.objects.filter(status="held").order_by("pk"))


def choose_online(client, group, capture):
    with capture(execute=True):
        return client.post(signup_url("payment", group), {"provider": "mollie", "action": "next"})


def webhook(client, capture, mollie_id):
    with capture(execute=True):
        return client.post(WEBHOOK, {"id": mollie_id})


def sent(mailoutbox, kind_subject):
    return [m for m in mailoutbox if kind_subject in m.subject]


def our_payment():
    return Payment.objects.filter(provider="mollie").order_by("-pk").first()


# --- which ways to pay ---------------------------------------------------------------------------


def test_without_a_mollie_key_only_paying_at_the_first_session_is_offered(client, group, settings):
    settings.MOLLIE_API_KEY = ""
    sign_up_until_payment(client, group)
    page = text(client.get(signup_url("payment", group)))
    assert "Betalen bij de eerste bijeenkomst" in page
    assert "Nu online betalen" not in page


def test_with_a_key_online_comes_first_and_a_course_can_offer_only_one_way(client, group, mollie):
    assert [p.name for p in providers_for(group.course)] == ["mollie", "offline"]
    sign_up_until_payment(client, group)
    page = text(client.get(signup_url("payment", group)))
    assert page.index("Nu online betalen") < page.index("Betalen bij de eerste bijeenkomst")
    group.course.payment_providers = ["offline"]
    group.course.save()
    assert [p.name for p in providers_for(group.course)] == ["offline"]
    group.course.payment_providers = ["mollie"]
    assert [p.name for p in providers_for(group.course)] == ["mollie"]


def test_a_course_that_only_offers_online_payment_still_works_without_a_key(group, settings):
    settings.MOLLIE_API_KEY = ""
    group.course.payment_providers = ["mollie"]
    assert [p.name for p in providers_for(group.course)] == ["offline"]


def test_paying_at_the_first_session_leaves_an_open_payment_for_the_coordinator(
    client, group, django_capture_on_commit_callbacks
):
    sign_up_until_payment(client, group)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(signup_url("payment", group), {"provider": "offline", "action": "next"})
    payment = Payment.objects.get()
    assert (payment.provider, payment.status, payment.amount) == ("offline", "open", Decimal("35.00"))
    assert Enrollment.objects.get().status == "confirmed"


# --- paying online -------------------------------------------------------------------------------


def test_paying_online_confirms_the_place_with_one_email_and_the_receipt(
    client, group, mollie, mailoutbox, django_capture_on_commit_callbacks
):
    (held,) = sign_up_until_payment(client, group)
    response = choose_online(client, group, django_capture_on_commit_callbacks)
    payment = our_payment()
    assert response.status_code == 302
    assert response["Location"] == payment.checkout_url == f"{mollie.url}/checkout/{payment.mollie_id}"
    at_mollie = mollie.payment(payment.mollie_id)
    assert at_mollie["description"] == f"Eigen bijdrage Mentaal Fit, kenmerk {held.reference}"
    assert at_mollie["amount"] == {"value": "35.00", "currency": "EUR"}
    assert at_mollie["webhookUrl"] == "http://testserver/betalen/webhook/"
    assert at_mollie["redirectUrl"].startswith("http://testserver/betalen/terug/")
    assert Enrollment.objects.get().status == "held"

    mollie.set_status(payment.mollie_id, "paid")
    assert webhook(client, django_capture_on_commit_callbacks, payment.mollie_id).status_code == 200
    held.refresh_from_db()
    payment.refresh_from_db()
    assert held.status == "confirmed"
    assert (payment.status, payment.method) == ("paid", "iDEAL")
    (email,) = sent(mailoutbox, "Bevestiging van uw aanmelding")
    assert "online betaald" in email.body
    names = [name for name, content, mimetype in email.attachments]
    assert any(name.startswith("betaalbewijs-mentaal-fit-") and name.endswith(".pdf") for name in names)

    # Back in the same browser: the sign-up's own confirmation page.
    back = client.get(at_mollie["redirectUrl"].replace("http://testserver", ""))
    assert back["Location"] == signup_url("done", group)
    assert "U bent aangemeld" in text(client.get(signup_url("done", group)))


def test_the_return_page_looks_at_mollie_itself_when_the_webhook_has_not_come(
    client, group, mollie, mailoutbox, django_capture_on_commit_callbacks
):
    sign_up_until_payment(client, group)
    choose_online(client, group, django_capture_on_commit_callbacks)
    payment = our_payment()
    mollie.set_status(payment.mollie_id, "paid")
    other_browser = type(client)()
    with django_capture_on_commit_callbacks(execute=True):
        page = other_browser.get(links.payment_return_path(payment))
    assert "Uw betaling is gelukt" in text(page)
    assert "Uw plaats in de groep Mentaal Fit is zeker" in text(page)
    assert len(sent(mailoutbox, "Bevestiging")) == 1


def test_still_pending_shows_a_page_that_looks_again_by_itself_and_can_be_stopped(
    client, group, mollie, django_capture_on_commit_callbacks
):
    sign_up_until_payment(client, group)
    choose_online(client, group, django_capture_on_commit_callbacks)
    payment = our_payment()
    mollie.set_status(payment.mollie_id, "pending")
    page = client.get(links.payment_return_path(payment))
    assert page.status_code == 200
    assert "We wachten op uw betaling" in text(page)
    assert page["Refresh"].startswith("5; url=")
    assert "Stop met vanzelf opnieuw kijken" in text(page)
    quiet = client.get(links.payment_return_path(payment) + "?stil=1")
    assert "Refresh" not in quiet
    tired = client.get(links.payment_return_path(payment) + "?keer=36")
    assert "Refresh" not in tired and "langer dan normaal" in text(tired)


def test_failed_then_tried_again_and_paid(client, group, mollie, mailoutbox, django_capture_on_commit_callbacks):
    sign_up_until_payment(client, group)
    choose_online(client, group, django_capture_on_commit_callbacks)
    first = our_payment()
    mollie.set_status(first.mollie_id, "failed")
    webhook(client, django_capture_on_commit_callbacks, first.mollie_id)
    first.refresh_from_db()
    assert first.status == "failed"

    page = client.get(links.payment_return_path(first))
    assert "De betaling is niet gelukt" in text(page)
    assert "Probeer opnieuw te betalen" in text(page)
    assert Enrollment.objects.get().status == "held"

    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(reverse("payments:retry", kwargs={"token": links.make_token("payment", first.pk)}))
    second = our_payment()
    assert second.pk != first.pk and second.mollie_id != first.mollie_id
    assert again["Location"] == second.checkout_url
    mollie.set_status(second.mollie_id, "paid")
    webhook(client, django_capture_on_commit_callbacks, second.mollie_id)
    assert Enrollment.objects.get().status == "confirmed"
    assert len(sent(mailoutbox, "Bevestiging")) == 1


def test_cancelled_at_the_checkout_offers_another_way_while_the_hold_lasts(
    client, group, mollie, django_capture_on_commit_callbacks
):
    sign_up_until_payment(client, group)
    choose_online(client, group, django_capture_on_commit_callbacks)
    payment = our_payment()
    mollie.set_status(payment.mollie_id, "canceled")
    page = text(client.get(links.payment_return_path(payment)))
    assert "U heeft de betaling afgebroken" in page
    assert "Kies een andere manier van betalen" in page
    assert signup_url("payment", group) in page


def test_five_paid_webhooks_give_one_confirmation_and_one_email(
    client, group, mollie, mailoutbox, django_capture_on_commit_callbacks
):
    sign_up_until_payment(client, group)
    choose_online(client, group, django_capture_on_commit_callbacks)
    payment = our_payment()
    mollie.set_status(payment.mollie_id, "paid")
    for _ in range(5):
        assert webhook(client, django_capture_on_commit_callbacks, payment.mollie_id).status_code == 200
    assert len(sent(mailoutbox, "Bevestiging")) == 1
    assert OutgoingEmail.objects.filter(kind="confirmation").count() == 1
    assert PaymentEvent.objects.filter(payment=payment, to_status="paid").count() == 1
    assert Enrollment.objects.get().status == "confirmed"


def test_a_canceled_status_after_paid_changes_nothing(
    client, group, mollie, mailoutbox, django_capture_on_commit_callbacks
):
    sign_up_until_payment(client, group)
    choose_online(client, group, django_capture_on_commit_callbacks)
    payment = our_payment()
    mollie.set_status(payment.mollie_id, "paid")
    webhook(client, django_capture_on_commit_callbacks, payment.mollie_id)
    events = PaymentEvent.objects.filter(payment=payment).count()
    # A late or out-of-order report: Mollie would never go back from paid, but if anything says so, nothing moves.
    mollie.set_status(payment.mollie_id, "canceled")
    assert webhook(client, django_capture_on_commit_callbacks, payment.mollie_id).status_code == 200
    mollie.set_status(payment.mollie_id, "open")
    webhook(client, django_capture_on_commit_callbacks, payment.mollie_id)
    payment.refresh_from_db()
    assert payment.status == "paid"
    assert PaymentEvent.objects.filter(payment=payment).count() == events
    assert Enrollment.objects.get().status == "confirmed"
    assert len(mailoutbox) == 1


def test_an_unknown_or_strange_id_changes_nothing(client, group, mollie, django_capture_on_commit_callbacks):
    sign_up_until_payment(client, group)
    choose_online(client, group, django_capture_on_commit_callbacks)
    before = list(Payment.objects.values_list("pk", "status", "updated_at"))
    for posted in ({"id": "tr_unknown123"}, {"id": "<script>"}, {}, {"id": "tr_" + "x" * 500}):
        response = client.post(WEBHOOK, posted)
        assert response.status_code == 200
    assert list(Payment.objects.values_list("pk", "status", "updated_at")) == before
    assert [path for method, path in mollie.requests if "unknown" in path] == []
    assert client.get(WEBHOOK).status_code == 405


def test_a_webhook_is_never_trusted_on_its_own(client, group, mollie, django_capture_on_commit_callbacks):
    sign_up_until_payment(client, group)
    choose_online(client, group, django_capture_on_commit_callbacks)
    payment = our_payment()
    # Someone posts the real id, but Mollie says it is still open: nothing is confirmed.
    webhook(client, django_capture_on_commit_callbacks, payment.mollie_id)
    payment.refresh_from_db()
    assert payment.status == "open"
    assert Enrollment.objects.get().status == "held"


def test_paying_twice_for_one_sign_up_refunds_the_second(
    client, group, mollie, mailoutbox, django_capture_on_commit_callbacks
):
    (held,) = sign_up_until_payment(client, group)
    choose_online(client, group, django_capture_on_commit_callbacks)
    first = our_payment()
    mollie.set_status(first.mollie_id, "failed")
    webhook(client, django_capture_on_commit_callbacks, first.mollie_id)
    client.post(reverse("payments:retry", kwargs={"token": links.make_token("payment", first.pk)}))
    second = our_payment()
    # The first one was not failed after all at the bank (two tabs): both come in.
    Payment.objects.filter(pk=first.pk).update(status="open")
    mollie.set_status(first.mollie_id, "paid")
    mollie.set_status(second.mollie_id, "paid")
    webhook(client, django_capture_on_commit_callbacks, first.mollie_id)
    webhook(client, django_capture_on_commit_callbacks, second.mollie_id)
    refund = Refund.objects.get()
    assert (refund.payment, refund.cause, refund.amount) == (second, "duplicate", Decimal("35.00"))
    assert [r["amount"]["value"] for r in mollie.refunds_of(second.mollie_id)] == ["35.00"]
    assert len(sent(mailoutbox, "Bevestiging")) == 1


def test_a_couple_pays_once_for_both_places(client, group, mollie, mailoutbox, django_capture_on_commit_callbacks):
    sign_up_until_payment(client, group, SANNE | PARTNER)
    choose_online(client, group, django_capture_on_commit_callbacks)
    payment = our_payment()
    assert (payment.places, payment.amount) == (2, Decimal("70.00"))
    assert mollie.payment(payment.mollie_id)["amount"]["value"] == "70.00"
    mollie.set_status(payment.mollie_id, "paid")
    webhook(client, django_capture_on_commit_callbacks, payment.mollie_id)
    assert set(Enrollment.objects.values_list("status", flat=True)) == {"confirmed"}
    assert sorted(m.to[0] for m in sent(mailoutbox, "Bevestiging")) == ["joelle@example.nl", "sanne@example.nl"]


# --- Mollie down ---------------------------------------------------------------------------------


def test_mollie_unreachable_keeps_the_hold_and_trying_again_works(
    client, group, mollie, django_capture_on_commit_callbacks
):
    (held,) = sign_up_until_payment(client, group)
    mollie.go_down()
    response = choose_online(client, group, django_capture_on_commit_callbacks)
    assert response.status_code == 503
    page = text(response)
    assert "Online betalen lukt nu even niet" in page
    assert "Uw plaats blijft voor u vastgehouden tot" in page
    assert "Probeer opnieuw online te betalen" in page
    assert "Betalen bij de eerste bijeenkomst" in page
    held.refresh_from_db()
    assert held.is_live_hold()
    attempt = Payment.objects.get()
    assert attempt.status == "created" and attempt.last_error

    mollie.come_back()
    again = choose_online(client, group, django_capture_on_commit_callbacks)
    payment = Payment.objects.get()  # the same attempt, sent again with the same idempotency key
    assert again["Location"] == payment.checkout_url
    assert payment.status == "open"


def test_mollie_answering_errors_is_said_kindly_and_the_webhook_asks_again_later(
    client, group, mollie, django_capture_on_commit_callbacks
):
    sign_up_until_payment(client, group)
    mollie.answer_errors = True
    response = choose_online(client, group, django_capture_on_commit_callbacks)
    assert response.status_code == 503 and "Online betalen lukt nu even niet" in text(response)
    mollie.answer_errors = False
    choose_online(client, group, django_capture_on_commit_callbacks)
    payment = our_payment()
    mollie.set_status(payment.mollie_id, "paid")
    mollie.go_down()
    assert webhook(client, django_capture_on_commit_callbacks, payment.mollie_id).status_code == 503
    assert Enrollment.objects.get().status == "held"
    mollie.come_back()
    assert webhook(client, django_capture_on_commit_callbacks, payment.mollie_id).status_code == 200
    assert Enrollment.objects.get().status == "confirmed"


def test_the_same_idempotency_key_gives_back_the_same_mollie_payment(group, mollie):
    enrollments = places.hold_places(group, [person(1)], consent_text_version="t")
    gateway = configured_gateway()
    payment = money.create_payment(enrollments, provider="mollie")
    first = gateway.create_payment(payment, redirect_url="http://testserver/x/", webhook_url="")
    second = gateway.create_payment(payment, redirect_url="http://testserver/x/", webhook_url="")
    assert first.id == second.id
    assert len(mollie.payments) == 1


def test_payments_and_webhooks_go_over_one_kept_connection_to_mollie(
    client, group, course_index, mollie, django_capture_on_commit_callbacks
):
    before = mollie.connections  # the fake runs for the whole test session
    sign_up_until_payment(client, group)
    choose_online(client, group, django_capture_on_commit_callbacks)
    payment = our_payment()
    mollie.set_status(payment.mollie_id, "paid")
    assert webhook(client, django_capture_on_commit_callbacks, payment.mollie_id).status_code == 200
    other = Client()
    sign_up_until_payment(other, group, SANNE | {"first_name": "Daan", "email": "daan@example.nl"})
    choose_online(other, group, django_capture_on_commit_callbacks)

    assert [method for method, _path in mollie.requests] == ["POST", "GET", "POST"]
    # At most one new connection (none when this thread kept one from before), not one (and, at Mollie, a new
    # TLS handshake) per request.
    assert mollie.connections - before <= 1
    assert configured_gateway() is configured_gateway()


def test_other_mollie_settings_get_a_gateway_of_their_own(mollie, settings):
    first = configured_gateway()
    settings.MOLLIE_PROFILE_ID = "pfl_ander"
    second = configured_gateway()
    assert second is not first and second.profile_id == "pfl_ander"
    assert configured_gateway() is second


# --- paid after the hold ran out on a full group -------------------------------------------------


@pytest.fixture
def lost_place(client, course, location, mollie, mailoutbox, django_capture_on_commit_callbacks):
    """Sanne pays after her hold ran out, and the last place went to someone else meanwhile."""
    small = planned_group(course, location, capacity=1, days=30, count=5)
    sign_up_until_payment(client, small)
    choose_online(client, small, django_capture_on_commit_callbacks)
    payment = our_payment()
    Enrollment.objects.filter(status="held").update(hold_expires_at=timezone.now() - datetime.timedelta(minutes=1))
    EnrollmentFactory(group=small)  # someone else got the place
    mollie.set_status(payment.mollie_id, "paid")
    webhook(client, django_capture_on_commit_callbacks, payment.mollie_id)
    payment.refresh_from_db()
    return payment


def test_paid_after_the_hold_ran_out_on_a_full_group_is_kept_and_told_honestly(lost_place, mailoutbox, client):
    assert (lost_place.status, lost_place.placement) == ("paid", "lost")
    assert Enrollment.objects.filter(participant__email="sanne@example.nl").get().status == "held"
    (email,) = sent(mailoutbox, "maar de plaats was al weg")
    assert "Uw geld is niet kwijt" in email.body
    (token,) = re.findall(r"/betalen/keuze/([^/\s]+)/", email.body)
    assert links.read_token(token, "payment") == lost_place.pk
    assert not sent(mailoutbox, "Bevestiging")
    # The return page leads to the choice.
    choice_path = reverse("payments:choice", kwargs={"token": links.make_token("payment", lost_place.pk)})
    assert client.get(links.payment_return_path(lost_place))["Location"].startswith("/betalen/keuze/")
    page = text(client.get(choice_path))
    assert "Uw betaling is binnen, maar de plaats was al weg" in page
    assert "Op de wachtlijst, en mijn geld terug" in page and "Mijn geld terug" in page


def test_after_a_lost_place_another_group_can_be_chosen(
    lost_place, client, course, location, mailoutbox, django_capture_on_commit_callbacks
):
    other = planned_group(
        course, LocationFactory(name="Wijkcentrum 't Hofke", town="Eindhoven"), capacity=5, days=40, count=5
    )
    choice_path = reverse("payments:choice", kwargs={"token": links.make_token("payment", lost_place.pk)})
    page = text(client.get(choice_path))
    assert "Een plaats in de groep bij Wijkcentrum &#x27;t Hofke" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(choice_path, {"choice": f"groep-{other.pk}"})
    assert response["Location"] == choice_path
    assert "U heeft een plaats in een andere groep" in text(client.get(choice_path))
    moved = Enrollment.objects.get(group=other)
    assert moved.status == "confirmed" and moved.participant.email == "sanne@example.nl"
    (email,) = sent(mailoutbox, "Bevestiging")
    assert any(name.endswith(".pdf") for name, content, mimetype in email.attachments)
    lost_place.refresh_from_db()
    assert (lost_place.placement, lost_place.group_id) == ("moved", other.pk)
    # Choosing twice changes nothing.
    again = client.post(choice_path, {"choice": "geld-terug"})
    assert Refund.objects.count() == 0 and again.status_code == 200


def test_after_a_lost_place_the_waiting_list_needs_consent_and_refunds(
    lost_place, client, mollie, django_capture_on_commit_callbacks
):
    choice_path = reverse("payments:choice", kwargs={"token": links.make_token("payment", lost_place.pk)})
    refused = client.post(choice_path, {"choice": "wachtlijst"})
    assert refused.status_code == 400
    assert "Geef toestemming" in text(refused)
    assert 'aria-invalid="true"' in text(refused)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(choice_path, {"choice": "wachtlijst", "waitlist_consent": "on"})
    assert WaitlistEntry.objects.get().participant.email == "sanne@example.nl"
    refund = Refund.objects.get()
    assert (refund.cause, refund.amount, refund.status) == ("no_place", Decimal("35.00"), "pending")
    assert refund.mollie_refund_id and [r["amount"]["value"] for r in mollie.refunds_of(lost_place.mollie_id)] == [
        "35.00"
    ]
    assert "U staat op de wachtlijst" in text(client.get(choice_path))


def test_after_a_lost_place_the_money_can_simply_go_back(
    lost_place, client, mollie, mailoutbox, django_capture_on_commit_callbacks
):
    choice_path = reverse("payments:choice", kwargs={"token": links.make_token("payment", lost_place.pk)})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(choice_path, {"choice": "geld-terug"})
    (email,) = sent(mailoutbox, "Terugbetaling")
    assert "35,00" in email.body
    assert mollie.refunds_of(lost_place.mollie_id)[0]["metadata"] == {
        "refund": Refund.objects.get().pk,
        "payment": lost_place.pk,
    }


def test_without_a_choice_the_money_goes_back_after_two_weeks(lost_place, mollie, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        counts = payment_periodic.run_periodic(timezone.now() + datetime.timedelta(days=13))
    assert counts["no_place_refunded"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        counts = payment_periodic.run_periodic(timezone.now() + datetime.timedelta(days=15))
    assert counts["no_place_refunded"] == 1
    assert Refund.objects.get().amount == Decimal("35.00")


# --- refunds -------------------------------------------------------------------------------------


@pytest.fixture
def paid(client, group, mollie, django_capture_on_commit_callbacks):
    """Sanne paid online and has her place."""
    (held,) = sign_up_until_payment(client, group)
    choose_online(client, group, django_capture_on_commit_callbacks)
    payment = our_payment()
    mollie.set_status(payment.mollie_id, "paid")
    webhook(client, django_capture_on_commit_callbacks, payment.mollie_id)
    held.refresh_from_db()
    return held


def manage(enrollment):
    return reverse("selfservice:manage", kwargs={"token": links.make_token("enrollment", enrollment.pk)})


def test_cancelling_within_the_terms_refunds_in_full(
    paid, client, mollie, mailoutbox, django_capture_on_commit_callbacks
):
    cancel_page = text(client.get(manage(paid) + "afmelden/"))
    assert "dan krijgt u € 35,00 terug" in cancel_page.replace("\xa0", " ")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(manage(paid) + "afmelden/", {})
    refund = Refund.objects.get()
    assert (refund.cause, refund.amount, refund.enrollment) == ("cancelled", Decimal("35.00"), paid)
    at_mollie = mollie.refunds_of(paid.payments.get().mollie_id)
    assert [r["amount"]["value"] for r in at_mollie] == ["35.00"]
    assert refund_id_sent(refund) == at_mollie[0]["id"]
    (email,) = sent(mailoutbox, "Terugbetaling")
    assert "rekening waarmee u betaalde" in email.body
    cancelled = text(client.get(manage(paid) + "afgemeld/"))
    assert "Wij betalen u € 35,00 terug" in cancelled.replace("\xa0", " ")


def refund_id_sent(refund):
    refund.refresh_from_db()
    return refund.mollie_refund_id


def test_cancelling_after_the_terms_refunds_nothing_and_says_so(
    paid, client, mollie, mailoutbox, django_capture_on_commit_callbacks
):
    late = cancellation.cancellation_deadline(paid) + datetime.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        cancellation.cancel_by_participant(paid, now=late)
    assert Refund.objects.count() == 0
    assert mollie.refunds_of(paid.payments.get().mollie_id) == []
    assert PaymentEvent.objects.filter(note__contains="geen terugbetaling").exists()
    assert not sent(mailoutbox, "Terugbetaling")
    cancelled = text(client.get(manage(paid) + "afgemeld/"))
    assert "Daarom krijgt u de eigen bijdrage niet terug" in cancelled


def test_the_cancel_page_says_before_cancelling_that_nothing_comes_back_after_the_terms(paid, client, group):
    # Move the group so close that the free cancellation deadline has passed.

    soon = timezone.now() + datetime.timedelta(days=2)
    for number, session in enumerate(Session.objects.filter(group=group).order_by("start")):
        planning.move_session(
            session, soon + datetime.timedelta(weeks=number), soon + datetime.timedelta(weeks=number, hours=2)
        )
    page = text(client.get(manage(paid) + "afmelden/"))
    assert "dan krijgt u dit bedrag niet terug" in page


def test_a_group_cancelled_by_the_organisation_refunds_everyone(
    client, group, mollie, mailoutbox, django_capture_on_commit_callbacks
):
    sign_up_until_payment(client, group, SANNE | PARTNER)
    choose_online(client, group, django_capture_on_commit_callbacks)
    couple = our_payment()
    mollie.set_status(couple.mollie_id, "paid")
    webhook(client, django_capture_on_commit_callbacks, couple.mollie_id)
    other_client = type(client)()
    sign_up_until_payment(other_client, group, SANNE | {"email": "bram@example.nl", "first_name": "Bram"})
    choose_online(other_client, group, django_capture_on_commit_callbacks)
    single = our_payment()
    mollie.set_status(single.mollie_id, "paid")
    webhook(client, django_capture_on_commit_callbacks, single.mollie_id)
    offline = EnrollmentFactory(group=group)
    money.record_offline_payment([offline])
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        staff_actions.cancel_group(group, reason="Te weinig aanmeldingen")
    assert sorted(Refund.objects.values_list("amount", flat=True)) == [Decimal("35.00")] * 3
    assert sorted(r["amount"]["value"] for r in mollie.refunds_of(couple.mollie_id)) == ["35.00", "35.00"]
    assert [r["amount"]["value"] for r in mollie.refunds_of(single.mollie_id)] == ["35.00"]
    assert Payment.objects.get(provider="offline").status == "canceled"
    assert len(sent(mailoutbox, "Terugbetaling")) == 3
    # Again: nothing twice.
    with django_capture_on_commit_callbacks(execute=True):
        staff_actions.cancel_group(group, reason="Te weinig aanmeldingen")
    assert Refund.objects.count() == 3


def test_a_refund_made_in_the_mollie_dashboard_is_picked_up(
    paid, client, mollie, mailoutbox, django_capture_on_commit_callbacks
):
    payment = paid.payments.get()
    refund_id = mollie.refund_from_dashboard(payment.mollie_id, "10.00", call_webhook=False)
    webhook(client, django_capture_on_commit_callbacks, payment.mollie_id)
    refund = Refund.objects.get()
    assert (refund.cause, refund.amount, refund.status, refund.mollie_refund_id) == (
        "dashboard",
        Decimal("10.00"),
        "pending",
        refund_id,
    )
    mollie.settle_refunds(payment.mollie_id)
    webhook(client, django_capture_on_commit_callbacks, payment.mollie_id)
    webhook(client, django_capture_on_commit_callbacks, payment.mollie_id)
    refund.refresh_from_db()
    assert refund.status == "refunded" and refund.refunded_at
    assert Refund.objects.count() == 1
    assert payment.refundable_amount() == Decimal("25.00")
    page = text(client.get(manage(paid))).replace("\xa0", " ")
    assert "Terugbetaald: € 10,00" in page


def test_a_refund_that_could_not_be_sent_is_sent_by_the_periodic_run(paid, mollie, django_capture_on_commit_callbacks):
    mollie.go_down()
    with django_capture_on_commit_callbacks(execute=True):
        cancellation.cancel_by_participant(paid)
    refund = Refund.objects.get()
    assert refund.status == "pending" and not refund.mollie_refund_id and refund.last_error
    mollie.come_back()
    with django_capture_on_commit_callbacks(execute=True):
        counts = periodic.run_periodic()
    assert counts["refunds_sent"] == 1
    refund.refresh_from_db()
    assert refund.mollie_refund_id
    assert len(mollie.refunds_of(paid.payments.get().mollie_id)) == 1


def test_a_refund_whose_answer_was_lost_is_matched_by_its_metadata_not_sent_twice(
    paid, mollie, client, django_capture_on_commit_callbacks
):
    payment = paid.payments.get()
    with django_capture_on_commit_callbacks(execute=False):
        refund = coordinator.refund_by_coordinator(payment, Decimal("5.00"), by=None)
    gateway = configured_gateway()
    gateway.create_refund(refund)  # reached Mollie, but our side never heard back
    assert lifecycle.send_refund(refund.pk, gateway=gateway)  # same idempotency key: the same refund
    assert len(mollie.refunds_of(payment.mollie_id)) == 1
    webhook(client, django_capture_on_commit_callbacks, payment.mollie_id)
    assert Refund.objects.count() == 1


# --- the receipt ---------------------------------------------------------------------------------


def pdf_text(data):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_receipt_has_what_an_insurer_needs(paid, client):
    organisation = OrganisationSettings.load()
    organisation.name = "Zorggroep Regio Eindhoven"
    organisation.address = "Stationsplein 1, 5611 AB Eindhoven"
    organisation.save()
    payment = paid.payments.get()
    data = receipts.receipt_pdf(payment)
    assert data.startswith(b"%PDF")
    content = pdf_text(data)
    for expected in (
        "Betaalbewijs eigen bijdrage",
        "Zorggroep Regio Eindhoven",
        "Sanne van der Berg",
        "Mentaal Fit",
        "Gezondheidscentrum De Linde",
        "35,00",
        "iDEAL",
        paid.reference,
        payment.mollie_id,
        timezone.localtime(payment.paid_at).strftime("%Y"),
    ):
        assert expected in content, expected

    response = client.get(reverse("payments:receipt", kwargs={"token": links.make_token("enrollment", paid.pk)}))
    assert response["Content-Type"] == "application/pdf"
    assert paid.reference in response["Content-Disposition"]
    assert "Download het betaalbewijs" in text(client.get(manage(paid)))


def test_the_receipt_works_without_the_unicode_font(paid, monkeypatch):
    monkeypatch.setattr(receipts, "FONT_REGULAR", receipts.FONT_DIR / "missing.ttf")
    paid.participant.last_name = "Łukasiewicz-de Vries"
    paid.participant.save()
    content = pdf_text(receipts.receipt_pdf(paid.payments.get()))
    assert "EUR 35,00" in content
    assert "Lukasiewicz-de Vries" in content


def test_a_name_beyond_latin1_is_printed_as_written_when_the_font_is_there(paid):
    if not receipts.FONT_REGULAR.exists():
        pytest.skip("The DejaVu font is not installed here.")
    paid.participant.last_name = "Łukasiewicz-de Vries"
    paid.participant.save()
    content = pdf_text(receipts.receipt_pdf(paid.payments.get()))
    assert "Łukasiewicz-de Vries" in content and "€ 35,00" in content.replace("\xa0", " ")


def test_no_receipt_before_anything_is_paid(client, group, django_capture_on_commit_callbacks):
    sign_up_until_payment(client, group)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(signup_url("payment", group), {"provider": "offline", "action": "next"})
    enrollment = Enrollment.objects.get()
    response = client.get(reverse("payments:receipt", kwargs={"token": links.make_token("enrollment", enrollment.pk)}))
    assert response.status_code == 404
    bad = client.get(reverse("payments:receipt", kwargs={"token": "niet-echt"}))
    assert bad.status_code == 400


# --- locks ---------------------------------------------------------------------------------------


def _paid_at_mollie(course_index, mollie):
    """A place held and paid at Mollie; our payment still open (the webhook has not come)."""
    course = signup_course(course_index, questions=False)
    group = planned_group(course, LocationFactory(), capacity=5, days=30, count=5)
    enrollments = places.hold_places(group, [person(1)], consent_text_version="t")
    payment = online.start_online_payment(
        enrollments, gateway=configured_gateway(), redirect_url_for=lambda p: "http://testserver/x/", webhook_url=""
    )
    mollie.set_status(payment.mollie_id, "paid")
    return payment


@contextlib.contextmanager
def _locked_by_another_request(payment):
    """While this lasts, another connection holds the payment's row lock."""
    locked, release = threading.Event(), threading.Event()

    def hold_the_lock():
        try:
            with transaction.atomic():
                Payment.objects.select_for_update().get(pk=payment.pk)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    assert locked.wait(10)
    try:
        yield
    finally:
        release.set()
        holder.join()


only_with_row_locks = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="SQLite serialises whole transactions; there is no row lock to find taken.",
)


@only_with_row_locks
@pytest.mark.django_db(transaction=True)
def test_a_webhook_for_a_payment_that_is_locked_answers_503_so_mollie_tries_again(
    wagtail_roots, course_index, mollie, client
):
    payment = _paid_at_mollie(course_index, mollie)
    with _locked_by_another_request(payment):
        assert client.post(WEBHOOK, {"id": payment.mollie_id}).status_code == 503
    assert client.post(WEBHOOK, {"id": payment.mollie_id}).status_code == 200
    assert Enrollment.objects.get().status == "confirmed"


@only_with_row_locks
@pytest.mark.django_db(transaction=True)
def test_a_repeated_webhook_that_changes_nothing_does_not_wait_for_the_lock(
    wagtail_roots, course_index, mollie, client
):
    payment = _paid_at_mollie(course_index, mollie)
    assert client.post(WEBHOOK, {"id": payment.mollie_id}).status_code == 200
    events = PaymentEvent.objects.filter(payment=payment).count()
    with _locked_by_another_request(payment):
        # Mollie says paid again, ours is paid and no refund is on its way: nothing would change, so 200.
        assert client.post(WEBHOOK, {"id": payment.mollie_id}).status_code == 200
    assert PaymentEvent.objects.filter(payment=payment).count() == events
    assert Enrollment.objects.get().status == "confirmed"
    assert OutgoingEmail.objects.filter(kind="confirmation").count() == 1


def test_a_refund_mollie_refuses_is_marked_failed_not_tried_forever(paid, mollie, django_capture_on_commit_callbacks):
    payment = paid.payments.get()
    mollie.refund_from_dashboard(payment.mollie_id, "35.00", call_webhook=False)  # all of it went back already
    with django_capture_on_commit_callbacks(execute=True):
        refund = coordinator.refund_by_coordinator(payment, Decimal("10.00"), by=None)
    refund.refresh_from_db()
    assert refund.status == "failed" and "higher than the amount remaining" in refund.last_error
    assert payment_periodic.run_periodic()["refunds_sent"] == 0


def test_choosing_to_pay_later_and_then_paying_online_after_all_leaves_nothing_open(
    client, group, mollie, django_capture_on_commit_callbacks
):
    sign_up_until_payment(client, group)
    choose_online(client, group, django_capture_on_commit_callbacks)
    online = our_payment()
    client.get(signup_url("payment", group))  # back at the payment step, another way after all
    with django_capture_on_commit_callbacks(execute=True):
        client.post(signup_url("payment", group), {"provider": "offline", "action": "next"})
    assert Payment.objects.get(provider="offline").status == "open"
    mollie.set_status(online.mollie_id, "paid")
    webhook(client, django_capture_on_commit_callbacks, online.mollie_id)
    assert Payment.objects.get(provider="offline").status == "canceled"
    assert Enrollment.objects.get().status == "confirmed"


def test_the_course_page_editor_offers_the_ways_to_pay_as_checkboxes(client, course):
    field = CoursePage._meta.get_field("payment_providers").formfield()
    assert field.clean(["offline"]) == ["offline"]
    with pytest.raises(FormError) as refused:
        field.clean([])
    assert refused.value.messages == ["Kies minstens één manier van betalen."]
    client.force_login(staff_user(roles.EDITORS))
    page = text(client.get(f"/admin/pages/{course.pk}/edit/"))
    assert "Manieren van betalen" in page
    assert 'type="checkbox" name="payment_providers" value="mollie"' in page


def test_choosing_online_again_reuses_an_open_payment_but_not_an_expired_one(
    client, group, mollie, django_capture_on_commit_callbacks
):
    sign_up_until_payment(client, group)
    choose_online(client, group, django_capture_on_commit_callbacks)
    first = our_payment()
    again = choose_online(client, group, django_capture_on_commit_callbacks)
    assert again["Location"] == first.checkout_url and Payment.objects.count() == 1
    mollie.set_status(first.mollie_id, "expired")  # the checkout ran out at Mollie; no webhook came
    third = choose_online(client, group, django_capture_on_commit_callbacks)
    first.refresh_from_db()
    assert first.status == "expired"
    newest = our_payment()
    assert newest.pk != first.pk and third["Location"] == newest.checkout_url


def test_a_refund_settled_at_mollie_without_a_webhook_is_seen_by_the_periodic_run(
    paid, mollie, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cancellation.cancel_by_participant(paid)
    refund = Refund.objects.get()
    assert refund.status == "pending" and refund.mollie_refund_id
    mollie.settle_refunds()
    payment_periodic.run_periodic(timezone.now() + datetime.timedelta(minutes=11))
    refund.refresh_from_db()
    assert refund.status == "refunded"
