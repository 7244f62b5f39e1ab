"""Paying by transfer in a real browser: the participant sees how, the office reads a bank statement and applies it.

Every page is checked with axe-core: no serious or critical violations.
"""

import re
from pathlib import Path

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from booking.models import Enrollment
from booking.services.links import manage_path
from courses.models import CoursePage
from tests.booking.factories import planned_group
from tests.browser.conftest import serious_violations, wait_for_admin_message
from tests.browser.test_agenda import log_in_as_coordinator
from tests.factories import LocationFactory

SCREENSHOTS = Path(__file__).resolve().parents[2] / ".test-media" / "screenshots"
IBAN = "NL91 ABNA 0417 1643 00"


def sign_up_paying_by_transfer(page, base, group):
    page.goto(base + reverse("signup:group", kwargs={"group_id": group.pk}))
    page.get_by_role("link", name="Ja, meld mij aan voor deze groep").click()
    page.fill("#id_first_name", "Lotte")
    page.fill("#id_last_name", "IJzerman")
    page.fill("#id_email", "lotte.ijzerman@voorbeeld.nl")
    page.fill("#id_birth_year", "1990")
    page.fill("#id_postcode", "5611 AB")
    page.get_by_role("button", name="Volgende").click()
    for question in group.course.suitability_questions.all():
        answer = "Ja" if question.fitting_answer == "yes" else "Nee"
        page.get_by_role("group", name=question.question).get_by_label(answer, exact=True).check()
    page.get_by_role("button", name="Volgende").click()
    page.get_by_label("Ja, ik geef toestemming").check()
    page.get_by_role("button", name="Plaats vasthouden en verder").click()
    expect(page.get_by_text("Stap 5 van 6")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_label("Zelf overmaken naar onze bankrekening").check()
    page.get_by_role("button", name="Aanmelding afronden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("U bent aangemeld")


def test_a_participant_pays_by_transfer_and_the_office_applies_the_bank_statement(page, chromium, demo_site):
    course = CoursePage.objects.get(slug="mindfulness")
    location = LocationFactory(name="Wijkcentrum Het Baken", postcode="5611 AB", town="Eindhoven")
    group = planned_group(course, location, days=45, hour=19, capacity=6)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    sign_up_paying_by_transfer(page, demo_site, group)
    enrollment = Enrollment.objects.get(participant__email="lotte.ijzerman@voorbeeld.nl")
    main = page.locator("main")
    expect(main).to_contain_text("Zo maakt u de eigen bijdrage over")
    expect(main).to_contain_text(IBAN)
    expect(main).to_contain_text(enrollment.reference)
    page.screenshot(path=SCREENSHOTS / "overmaken-bevestiging.png", full_page=True)
    assert serious_violations(page) == []

    page.goto(demo_site + manage_path(enrollment))
    expect(page.locator("main")).to_contain_text(IBAN)
    expect(page.locator("main")).to_contain_text("Het geld moet uiterlijk")
    assert serious_violations(page) == []

    office = chromium.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900}).new_page()
    office.set_default_timeout(15_000)
    log_in_as_coordinator(office, demo_site)
    office.get_by_role("button", name="Planning").click()
    office.get_by_role("link", name="Overboekingen").click()
    expect(office.get_by_role("heading", name="Nog niet binnen")).to_be_visible()
    expect(office.locator("main")).to_contain_text(enrollment.reference)
    assert serious_violations(office) == []

    today = timezone.localdate().strftime("%d-%m-%Y")
    statement = f"datum;bedrag;naam;omschrijving\n{today};35,00;L. IJzerman;Eigen bijdrage {enrollment.reference}\n"
    office.locator("#id_afschrift-statement").set_input_files(
        files=[{"name": "afschrift.csv", "mimeType": "text/csv", "buffer": statement.encode()}]
    )
    office.get_by_role("button", name="Lees het bankafschrift").click()
    expect(office.locator("main")).to_contain_text("Klopt: wordt op betaald gezet")
    office.screenshot(path=SCREENSHOTS / "overboekingen-voorvertoning.png", full_page=True)
    assert serious_violations(office) == []

    office.get_by_role("button", name=re.compile("Zet 1 betaling op betaald")).click()
    wait_for_admin_message(office, "1 betaling staat nu op betaald")
    assert serious_violations(office) == []

    page.goto(demo_site + manage_path(enrollment))
    expect(page.locator("main")).to_contain_text("U heeft € 35,00 betaald")
    office.context.close()
