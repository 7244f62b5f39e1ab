"""Coordinators and payments in the admin: find, look, mark paid, waive, refund, export; every look logged."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from accounts import roles
from booking.models import AccessLogEntry, Payment, PaymentEvent, Refund
from booking.payments import online
from booking.payments.coordinator import mark_offline_paid
from booking.payments.gateway import configured_gateway
from booking.services import money, places
from tests.booking.factories import (
    EnrollmentFactory,
    ParticipantFactory,
    coordinator,
    planned_group,
    signup_course,
    staff_user,
)
from tests.factories import LocationFactory
from tests.helpers import assert_admin_refused, text

pytestmark = pytest.mark.django_db

LIST = "/admin/betalingen/"


@pytest.fixture
def course(course_index):
    return signup_course(course_index, couples_welcome=True, questions=False)


@pytest.fixture
def group(course):
    return planned_group(
        course, LocationFactory(name="Gezondheidscentrum De Linde", town="Eindhoven"), capacity=10, days=30, count=5
    )


@pytest.fixture
def staff(client):
    user = coordinator()
    client.force_login(user)
    return user


def offline_payment(group, **participant):
    enrollment = EnrollmentFactory(group=group, participant=ParticipantFactory(**participant))
    return money.record_offline_payment([enrollment]), enrollment


def inspect_url(payment):
    return f"{LIST}inspect/{payment.pk}/"


def test_the_list_filters_by_status_course_and_way_of_paying_and_logs_the_look(client, staff, group, course_index):
    open_one, enrollment = offline_payment(group, first_name="Fatima", last_name="El Amrani")
    other_course = signup_course(course_index, title="Mindfulness", slug="mindfulness", questions=False)
    other, _ = offline_payment(planned_group(other_course, days=40, count=5), first_name="Kees", last_name="de Boer")
    mark_offline_paid(other, by=staff, method="bankoverschrijving")

    page = text(client.get(LIST))
    assert "Fatima El Amrani" in page and "Kees de Boer" in page
    assert "nog niet betaald" in page
    assert "Fatima" in text(client.get(LIST + "?status=open")) and "Kees" not in text(client.get(LIST + "?status=open"))
    by_course = text(client.get(f"{LIST}?course={other_course.pk}"))
    assert "Kees" in by_course and "Fatima" not in by_course
    assert "Kees" not in text(client.get(LIST + "?provider=mollie"))
    assert AccessLogEntry.objects.filter(user=staff, action="view_list", participant=enrollment.participant).exists()


def test_marking_an_offline_payment_paid_sends_the_receipt(
    client, staff, group, mailoutbox, django_capture_on_commit_callbacks
):
    payment, enrollment = offline_payment(group, first_name="Fatima", last_name="El Amrani", email="fatima@example.nl")
    inspect = text(client.get(inspect_url(payment)))
    assert "Betaling ontvangen" in inspect and "Kwijtschelden" in inspect
    form = client.get(reverse("betalingen_mark_paid", args=(payment.pk,)))
    assert form.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("betalingen_mark_paid", args=(payment.pk,)),
            {"method": "pin bij de eerste bijeenkomst", "paid_on": "2026-11-20"},
        )
    assert response["Location"] == inspect_url(payment)
    payment.refresh_from_db()
    assert (payment.status, payment.method) == ("paid", "pin bij de eerste bijeenkomst")
    assert PaymentEvent.objects.filter(payment=payment, to_status="paid", user=staff).exists()
    (email,) = mailoutbox
    assert email.to == ["fatima@example.nl"] and "ontvangen" in email.subject
    assert email.attachments[0][0].endswith(".pdf")
    assert AccessLogEntry.objects.filter(user=staff, action="edit", participant=enrollment.participant).exists()


def test_a_date_in_the_future_is_refused_at_the_form(client, staff, group):
    payment, _ = offline_payment(group)
    response = client.post(
        reverse("betalingen_mark_paid", args=(payment.pk,)), {"method": "bankoverschrijving", "paid_on": "2099-01-01"}
    )
    assert response.status_code == 400
    assert "kan niet in de toekomst liggen" in text(response)
    payment.refresh_from_db()
    assert payment.status == "open" and Refund.objects.count() == 0


def test_waiving_needs_a_reason_and_keeps_it(client, staff, group):
    payment, enrollment = offline_payment(group)
    refused = client.post(reverse("betalingen_waive", args=(payment.pk,)), {"reason": "  "})
    assert refused.status_code == 400
    assert "Schrijf op waarom" in text(refused)
    client.post(reverse("betalingen_waive", args=(payment.pk,)), {"reason": "Minimaal inkomen, afgesproken met POH"})
    payment.refresh_from_db()
    exempt = Payment.objects.get(provider="exempt")
    assert payment.status == "canceled"
    assert (exempt.status, exempt.amount, exempt.exemption_reason) == (
        "paid",
        Decimal("0.00"),
        "Minimaal inkomen, afgesproken met POH",
    )
    assert list(exempt.enrollments.all()) == [enrollment]
    page = text(client.get(inspect_url(exempt)))
    assert "Minimaal inkomen" in page and "kwijtgescholden" in page


@pytest.mark.parametrize(
    "typed, message",
    [
        ("", "Vul een bedrag in"),
        ("abc", "Vul een bedrag in euro in"),
        ("0", "moet meer zijn dan € 0,00"),
        ("12,345", "hoogstens twee cijfers"),
        ("40,00", "U kunt hoogstens € 35,00 terugbetalen"),
    ],
)
def test_a_partial_refund_amount_is_checked_in_dutch(client, staff, group, typed, message):
    payment, _ = offline_payment(group)
    mark_offline_paid(payment, by=staff, method="bankoverschrijving")
    response = client.post(reverse("betalingen_refund", args=(payment.pk,)), {"amount": typed, "reason": ""})
    assert response.status_code == 400
    page = text(response).replace("\xa0", " ")
    assert message in page
    assert 'aria-invalid="true"' in page
    assert Refund.objects.count() == 0


def test_a_partial_online_refund_goes_through_mollie_and_the_rest_stays_refundable(
    client, staff, group, mollie, mailoutbox, django_capture_on_commit_callbacks
):

    enrollments = places.hold_places(
        group,
        [
            {
                "first_name": "Sanne",
                "last_name": "de Vries",
                "email": "sanne@example.nl",
                "birth_year": 1985,
                "postcode": "5611 AB",
            }
        ],
        consent_text_version="t",
    )

    payment = online.start_online_payment(
        enrollments, gateway=configured_gateway(), redirect_url_for=lambda p: "http://testserver/x/", webhook_url=""
    )
    mollie.set_status(payment.mollie_id, "paid")
    with django_capture_on_commit_callbacks(execute=True):
        online.sync_payment(payment, gateway=configured_gateway(), actor="webhook")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("betalingen_refund", args=(payment.pk,)),
            {"amount": "17,50", "reason": "Twee bijeenkomsten gemist door ziekte"},
        )
    assert response.status_code == 302
    assert [r["amount"]["value"] for r in mollie.refunds_of(payment.mollie_id)] == ["17.50"]
    payment.refresh_from_db()
    assert payment.refundable_amount() == Decimal("17.50")
    email = [m for m in mailoutbox if "Terugbetaling" in m.subject][0]
    assert "17,50" in email.body and "Twee bijeenkomsten gemist" in email.body
    page = text(client.get(inspect_url(payment)))
    assert "door een coördinator" in page and "Ilse Verhoeven" in page


def test_an_offline_refund_is_marked_done_by_hand(client, staff, group):
    payment, _ = offline_payment(group)
    mark_offline_paid(payment, by=staff, method="bankoverschrijving")
    client.post(reverse("betalingen_refund", args=(payment.pk,)), {"amount": "35", "reason": ""})
    refund = Refund.objects.get()
    assert refund.status == "pending"
    assert "Overgemaakt" in text(client.get(inspect_url(payment)))
    client.post(reverse("betalingen_refund_done", args=(payment.pk, refund.pk)))
    refund.refresh_from_db()
    assert refund.status == "refunded"
    assert "Terugbetalen" not in text(client.get(inspect_url(payment))).split("Terugbetalingen")[0]


def test_export_csv_and_xlsx_are_logged_and_safe_for_spreadsheets(client, staff, group):
    payment, enrollment = offline_payment(group, first_name="=HYPERLINK(1)", last_name="Jansen")
    csv = client.get(LIST + "?export=csv")
    body = b"".join(csv.streaming_content).decode("utf-8-sig") if csv.streaming else csv.content.decode("utf-8-sig")
    assert "Kenmerk" in body and enrollment.reference in body
    assert "'=HYPERLINK(1) Jansen" in body
    xlsx = client.get(LIST + "?export=xlsx")
    sheet = openpyxl.load_workbook(
        io.BytesIO(b"".join(xlsx.streaming_content) if xlsx.streaming else xlsx.content)
    ).active
    assert sheet.cell(1, 1).value == "Kenmerk"
    assert sheet.cell(2, 1).value == enrollment.reference
    assert AccessLogEntry.objects.filter(user=staff, action="export", participant=enrollment.participant).count() == 2


def test_people_without_the_payment_rights_cannot_see_or_act(client, group):
    payment, _ = offline_payment(group)
    client.force_login(staff_user(roles.EDITORS))
    assert_admin_refused(client.get(LIST))
    # The admin answers a refusal with a redirect to its dashboard and a message.
    assert_admin_refused(client.get(reverse("betalingen_mark_paid", args=(payment.pk,))))
    assert_admin_refused(client.post(reverse("betalingen_refund", args=(payment.pk,)), {"amount": "1"}))
    assert_admin_refused(client.post(reverse("betalingen_waive", args=(payment.pk,)), {"reason": "x"}))
    payment.refresh_from_db()
    assert payment.status == "open" and Refund.objects.count() == 0
