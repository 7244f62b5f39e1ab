"""A patient signs up in a real browser, from the home page to the confirmation and the calendar file.

Every step is checked with axe-core: no serious or critical violations.
"""

import re

from playwright.sync_api import expect

from booking.models import Enrollment
from courses.models import CoursePage
from tests.booking.factories import planned_group
from tests.browser.conftest import serious_violations
from tests.factories import LocationFactory


def _group_for(course_slug, *, location_name, postcode, place, capacity=6):
    """A group of its own at a location of its own, so the demo's planning cannot clash with it."""
    course = CoursePage.objects.get(slug=course_slug)
    location = LocationFactory(name=location_name, postcode=postcode, town=place, address="Bakenstraat 4")
    return planned_group(course, location, days=45, hour=19, capacity=capacity, count=5)


def _accessible(page, where):
    assert serious_violations(page) == [], where


def _answer_fitting(page, course):
    for question in course.suitability_questions.all():
        answer = "Ja" if question.fitting_answer == "yes" else "Nee"
        page.get_by_role("group", name=question.question).get_by_label(answer, exact=True).check()


def _to_course_page(page, demo_site, course_title):
    page.goto(demo_site + "/")
    _accessible(page, "home")
    page.get_by_role("link", name="Bekijk alle trainingen").first.click()
    page.get_by_role("link", name=course_title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(course_title)
    _accessible(page, "course page")


def test_patient_signs_up_from_the_home_page_to_the_calendar_file(page, demo_site):
    group = _group_for("mentaal-fit", location_name="Wijkcentrum Het Baken", postcode="5611 AB", place="Eindhoven")
    course = group.course

    _to_course_page(page, demo_site, course.title)
    card = page.locator(f"#locatie-{group.location.pk}")
    expect(card).to_contain_text("nog 6 plekken")
    card.get_by_role("link", name=re.compile("^Aanmelden")).click()

    expect(page.get_by_text("Stap 1 van 6")).to_be_visible()
    _accessible(page, "step 1")
    page.get_by_role("link", name="Ja, meld mij aan voor deze groep").click()

    expect(page.get_by_text("Stap 2 van 6")).to_be_visible()
    _accessible(page, "step 2")
    page.fill("#id_first_name", "Sanne")
    page.fill("#id_last_name", "van der Berg")
    page.fill("#id_email", "sanne@@voorbeeld")
    page.fill("#id_phone", "06-12345678")
    page.fill("#id_birth_year", "1985")
    page.fill("#id_postcode", "5611 ab")
    page.get_by_role("button", name="Volgende").click()
    email = page.locator("#id_email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_value("sanne@@voorbeeld")
    expect(page.locator("main")).to_contain_text("Dit e-mailadres klopt niet")
    _accessible(page, "step 2 with an error")
    email.fill("sanne.vanderberg@voorbeeld.nl")
    page.get_by_role("button", name="Volgende").click()

    expect(page.get_by_text("Stap 3 van 6")).to_be_visible()
    _accessible(page, "step 3")
    # Back keeps what was typed.
    page.get_by_role("button", name="Vorige").click()
    expect(page.locator("#id_phone")).to_have_value("06-12345678")
    page.get_by_role("button", name="Volgende").click()
    _answer_fitting(page, course)
    page.get_by_role("button", name="Volgende").click()

    expect(page.get_by_text("Stap 4 van 6")).to_be_visible()
    expect(page.locator("main")).to_contain_text("sanne.vanderberg@voorbeeld.nl")
    _accessible(page, "step 4")
    page.get_by_label("Ja, ik geef toestemming").check()
    page.get_by_role("button", name="Plaats vasthouden en verder").click()

    expect(page.get_by_text("Stap 5 van 6")).to_be_visible()
    expect(page.locator("main")).to_contain_text(re.compile(r"Uw plaats is voor u vastgehouden tot \d\d:\d\d"))
    expect(page.locator("main")).to_contain_text("€\u00a035,00")
    _accessible(page, "step 5")
    page.get_by_role("button", name="Aanmelding afronden").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("U bent aangemeld")
    expect(page.get_by_text("Stap 6 van 6")).to_be_visible()
    _accessible(page, "step 6")

    enrollment = Enrollment.objects.get(participant__email="sanne.vanderberg@voorbeeld.nl")
    assert enrollment.status == "confirmed"
    expect(page.locator("main")).to_contain_text(enrollment.reference)

    link = page.get_by_role("link", name=re.compile("Zet alle data in uw agenda"))
    with page.expect_download() as download:
        link.click()
    with open(download.value.path(), "rb") as handle:
        calendar = handle.read()
    assert calendar.count(b"BEGIN:VEVENT") == 5
    response = page.request.get(demo_site + link.get_attribute("href"))
    assert response.headers["content-type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in response.body()


def test_couple_signs_up_together_on_a_phone(phone_page, demo_site):
    page = phone_page
    group = _group_for(
        "communicatie-van-praten-naar-verbinding", location_name="Wijkhuis De Brug", postcode="5701 AA", place="Helmond"
    )
    page.goto(demo_site + f"/aanmelden/groep/{group.pk}/")
    _accessible(page, "step 1 on a phone")
    page.get_by_role("link", name="Ja, meld mij aan voor deze groep").click()

    page.fill("#id_first_name", "Fatma")
    page.fill("#id_last_name", "Yılmaz")
    page.fill("#id_email", "fatma@voorbeeld.nl")
    page.fill("#id_birth_year", "1979")
    page.fill("#id_postcode", "5701AA")
    expect(page.locator("#id_partner_first_name")).to_be_hidden()
    page.get_by_label("Ik meld mij aan samen met mijn partner").check()
    expect(page.locator("#id_partner_first_name")).to_be_visible()
    _accessible(page, "step 2 together on a phone")
    page.fill("#id_partner_first_name", "Mehmet")
    page.fill("#id_partner_last_name", "Yılmaz")
    page.fill("#id_partner_email", "mehmet@voorbeeld.nl")
    page.fill("#id_partner_birth_year", "1977")
    page.fill("#id_partner_postcode", "5701AA")
    page.get_by_role("button", name="Volgende").click()

    if "/vragen/" in page.url:
        _accessible(page, "step 3 on a phone")
        _answer_fitting(page, group.course)
        page.get_by_role("button", name="Volgende").click()
    _accessible(page, "step 4 on a phone")
    page.get_by_label("Ja, ik geef toestemming").check()
    page.get_by_role("button", name="Plaats vasthouden en verder").click()
    expect(page.locator("main")).to_contain_text("samen €\u00a070,00")
    _accessible(page, "step 5 on a phone")
    page.get_by_role("button", name="Aanmelding afronden").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("U bent samen aangemeld")
    _accessible(page, "step 6 on a phone")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0

    couple = Enrollment.objects.filter(group=group, status="confirmed")
    assert couple.count() == 2 and len({e.party for e in couple}) == 1
