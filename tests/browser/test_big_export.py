"""A coordinator asks for a large enrollments export: the message in the admin, then the emailed link downloads it."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from booking.models import Enrollment
from tests.browser.conftest import wait_for_admin_message
from tests.browser.test_office import log_in_as_coordinator, new_context, serious_violations

pytestmark = pytest.mark.django_db(transaction=True)

MESSAGE = "Het bestand is groot; we maken het klaar en sturen u een e-mail met een link."


def test_a_large_export_arrives_as_a_link_by_email(chromium, demo_site, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.GROEPSWIJZER_EXPORT_IN_BACKGROUND_ROWS = 10
    page = new_context(chromium).new_page()
    log_in_as_coordinator(page, demo_site)

    page.goto(f"{demo_site}/admin/aanmeldingen/?export=csv")

    wait_for_admin_message(page, MESSAGE)
    expect(page).to_have_url(re.compile(r"/admin/aanmeldingen/$"))
    page.screenshot(path="/tmp/bigexport-message.png", full_page=False)
    assert serious_violations(page) == []
    (email,) = [message for message in mail.outbox if message.subject.endswith("Uw export staat klaar")]
    (link,) = re.findall(r"https?://\S+(/medewerkers/export/[^/\s]+/)", email.body)

    response = page.request.get(demo_site + link)

    assert response.status == 200
    lines = response.body().decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Kenmerk,Voornaam,Achternaam")
    assert len(lines) == 1 + Enrollment.objects.count()
