"""A patient signs up and pays online in a real browser, on the fake Mollie's checkout page, end to end.

The fake Mollie calls our webhook on the live server and sends the browser
back, just like Mollie. Our own pages are checked with axe-core.
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from booking.models import Enrollment, OutgoingEmail, Payment, Refund
from booking.services import links
from courses.models import CoursePage
from tests.booking.factories import EnrollmentFactory, planned_group
from tests.browser.conftest import serious_violations
from tests.factories import LocationFactory


@pytest.fixture
def paying_site(demo_site, mollie, settings):
    """The demo site with online payment against the fake Mollie, whose webhook calls reach the live server."""
    settings.WAGTAILADMIN_BASE_URL = demo_site
    return demo_site


def _group(capacity=6):
    course = CoursePage.objects.get(slug="mentaal-fit")
    location = LocationFactory(
        name="Wijkcentrum De Kroon", postcode="5611 AB", town="Eindhoven", address="Kroonstraat 2"
    )
    return planned_group(course, location, days=50, hour=19, capacity=capacity, count=5)


def _accessible(page, where):
    assert serious_violations(page) == [], where


def _sign_up_until_payment(page, site, group, email):
    page.goto(f"{site}/aanmelden/groep/{group.pk}/gegevens/")
    page.fill("#id_first_name", "Fatima")
    page.fill("#id_last_name", "El Amrani")
    page.fill("#id_email", email)
    page.fill("#id_birth_year", "1979")
    page.fill("#id_postcode", "5611 AB")
    page.get_by_role("button", name="Volgende").click()
    for question in group.course.suitability_questions.all():
        answer = "Ja" if question.fitting_answer == "yes" else "Nee"
        page.get_by_role("group", name=question.question).get_by_label(answer, exact=True).check()
    if group.course.suitability_questions.exists():
        page.get_by_role("button", name="Volgende").click()
    page.get_by_label("Ja, ik geef toestemming").check()
    page.get_by_role("button", name=re.compile("vasthouden")).click()
    expect(page.get_by_text(re.compile(r"Stap \d van \d"))).to_be_visible()
    expect(page.locator("main")).to_contain_text("Nu online betalen")


def test_patient_pays_online_and_is_confirmed(page, paying_site, mollie):
    group = _group()
    _sign_up_until_payment(page, paying_site, group, "fatima@voorbeeld.nl")
    _accessible(page, "payment step with online payment")
    page.get_by_label("Nu online betalen").check()
    page.get_by_role("button", name="Aanmelding afronden").click()

    # At the (fake) Mollie checkout.
    expect(page.get_by_role("heading", name="Testbetaling")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Eigen bijdrage Mentaal Fit, kenmerk")
    expect(page.locator("main")).to_contain_text("EUR 35.00")
    page.get_by_role("button", name="Betaald").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("U bent aangemeld")
    _accessible(page, "confirmation after paying")
    enrollment = Enrollment.objects.get(participant__email="fatima@voorbeeld.nl")
    assert enrollment.status == "confirmed"
    payment = Payment.objects.get(provider="mollie")
    assert payment.status == "paid"
    assert [result for pid, result in mollie.webhook_results] == [200]
    assert OutgoingEmail.objects.filter(kind="confirmation", sent_at__isnull=False).count() == 1


def test_a_cancelled_checkout_can_be_tried_again_and_paid(page, phone_page, paying_site, mollie):
    group = _group()
    _sign_up_until_payment(phone_page, paying_site, group, "joost@voorbeeld.nl")
    phone_page.get_by_label("Nu online betalen").check()
    phone_page.get_by_role("button", name="Aanmelding afronden").click()
    phone_page.get_by_role("button", name="Geannuleerd").click()

    expect(phone_page.get_by_role("heading", level=1)).to_have_text("U heeft de betaling afgebroken")
    expect(phone_page.locator("main")).to_contain_text("Uw plaats blijft voor u vastgehouden tot")
    _accessible(phone_page, "cancelled payment, phone")
    overflow = phone_page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    phone_page.get_by_role("button", name="Probeer opnieuw te betalen").click()
    phone_page.get_by_role("button", name="Betaald").click()
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("U bent aangemeld")
    assert Enrollment.objects.get(participant__email="joost@voorbeeld.nl").status == "confirmed"


def test_waiting_and_lost_place_pages_are_accessible(page, paying_site, mollie):
    group = _group(capacity=1)
    _sign_up_until_payment(page, paying_site, group, "kees@voorbeeld.nl")
    page.get_by_label("Nu online betalen").check()
    page.get_by_role("button", name="Aanmelding afronden").click()
    payment = Payment.objects.get(provider="mollie")
    mollie.set_status(payment.mollie_id, "pending")
    page.goto(paying_site + f"/betalen/terug/{links.make_token('payment', payment.pk)}/?stil=1")
    expect(page.get_by_role("heading", level=1)).to_have_text("We wachten op uw betaling")
    _accessible(page, "waiting for the bank")

    Enrollment.objects.filter(status="held").update(hold_expires_at=timezone.now())
    EnrollmentFactory(group=group)
    mollie.set_status(payment.mollie_id, "paid")
    mollie.call_webhook(payment.mollie_id)
    page.goto(paying_site + f"/betalen/terug/{links.make_token('payment', payment.pk)}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Uw betaling is binnen, maar de plaats was al weg")
    _accessible(page, "lost place: the choice")
    page.get_by_role("button", name="Bevestig mijn keuze").click()
    expect(page.locator(".error-summary")).to_contain_text("Kies wat u wilt")
    _accessible(page, "lost place: the choice with an error")
    page.get_by_label("Mijn geld terug", exact=True).check()
    page.get_by_role("button", name="Bevestig mijn keuze").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("U krijgt uw geld terug")
    _accessible(page, "lost place: money back")
    assert Refund.objects.get().amount == payment.amount
