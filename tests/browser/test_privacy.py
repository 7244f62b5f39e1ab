"""Privacy end to end in a real browser: the retention run, the inzage download and the erasure by email link."""

import json
import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from booking.models import Participant
from booking.services.links import manage_path
from courses.models import CoursePage
from tests.browser.conftest import serious_violations
from tests.privacy.factories import history, months_ago, rows_holding


@pytest.fixture
def demo_course(demo_site):
    return CoursePage.objects.live().order_by("pk").first()


def test_the_retention_run_removes_an_old_participants_data(page, demo_site, demo_course):
    old = history("oud@example.nl", ended_at=months_ago(26), course=demo_course, waitlist_course=demo_course)
    page.goto(demo_site + manage_path(old.enrollment))
    expect(page.get_by_role("heading", level=1)).to_have_text(demo_course.title)

    call_command("run_periodic", verbosity=0)

    assert Participant.objects.get(pk=old.participant.pk).full_name == "Geanonimiseerd"
    page.goto(demo_site + manage_path(old.enrollment))
    expect(page.get_by_role("heading", level=1)).to_have_text("Deze gegevens zijn verwijderd")
    expect(page.locator("main")).not_to_contain_text("Sanne")
    assert serious_violations(page) == []


def test_download_everything_then_ask_for_erasure_and_confirm_it_by_email(page, demo_site, demo_course):
    sanne = history("sanne.browser@example.nl", ended_at=months_ago(2), course=demo_course)
    page.goto(demo_site + manage_path(sanne.enrollment))
    panel = page.get_by_role("region", name="Uw gegevens en uw privacy")
    expect(panel).to_contain_text("24 maanden na de training")
    assert serious_violations(page) == []

    # Inzage: the readable PDF and the JSON with everything.
    with page.expect_download() as caught:
        panel.get_by_role("link", name=re.compile("Uw gegevens om te lezen")).click()
    assert Path(caught.value.path()).read_bytes().startswith(b"%PDF-")
    with page.expect_download() as caught:
        panel.get_by_role("link", name=re.compile("Uw gegevens voor een computerprogramma")).click()
    document = json.loads(Path(caught.value.path()).read_text())
    models = {section["model"] for section in document["onderdelen"]}
    assert {"booking.participant", "booking.enrollment", "booking.payment", "accounts.user"} <= models

    # Erasure: ask, read the email, confirm with the button.
    panel.get_by_role("link", name="Uw gegevens laten verwijderen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uw gegevens laten verwijderen")
    expect(page.locator("main")).to_contain_text("Dit blijft, zonder naam")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Stuur mij de e-mail").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kijk in uw e-mail")
    assert serious_violations(page) == []

    (message,) = [m for m in mail.outbox if m.to == [sanne.email]]
    link = re.search(r"https?://\S+(/mijn-aanmelding/verwijderen/\S+/)", message.body).group(1)
    page.goto(demo_site + link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Gegevens verwijderen bevestigen")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Ja, verwijder mijn gegevens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uw gegevens zijn verwijderd")
    assert serious_violations(page) == []

    assert rows_holding(sanne.email) == []
    page.goto(demo_site + manage_path(sanne.enrollment))
    expect(page.get_by_role("heading", level=1)).to_have_text("Deze gegevens zijn verwijderd")
