"""A visitor who reads English: the language switch keeps the page, and the sign-up works in English end to end.

The demo has English versions of the home page, the overview of trainings and two trainings (Mentaal Fit and
Mindfulness). Every step is checked with axe-core: no serious or critical violations.
"""

import re

from django.core import mail
from playwright.sync_api import expect

from booking.models import Enrollment
from courses.models import CoursePage
from home.languages import originals
from tests.booking.factories import planned_group
from tests.browser.conftest import serious_violations
from tests.factories import LocationFactory

SCREENSHOTS = "/tmp"


def _accessible(page, where):
    assert serious_violations(page) == [], where


def _switch_to(page, language):
    page.locator(".tools-nav").get_by_role("button", name=language).click()


def test_the_switch_keeps_the_page_and_its_query(page, demo_site):
    page.goto(demo_site + "/trainingen/?postcode=5611+AB&distance=25")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    switch = page.locator(".tools-nav").get_by_role("button", name="English")
    expect(switch).to_have_attribute("lang", "en")

    _switch_to(page, "English")
    # The English version of the overview, with the same search.
    expect(page).to_have_url(re.compile(r"/trainings/\?postcode=5611\+AB&distance=25$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Trainings")
    expect(page.locator("[name=postcode]").first).to_have_value("5611 AB")
    _accessible(page, "English overview")

    # A training nobody translated: the Dutch page, in the English frame, at its own address.
    page.goto(demo_site + "/trainingen/beter-slapen/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Beter slapen")
    expect(page.get_by_role("heading", name="In short")).to_be_visible()
    expect(page.locator("main")).to_contain_text("This page is only in Dutch (for now).")
    _accessible(page, "untranslated training in English")

    _switch_to(page, "Nederlands")
    expect(page).to_have_url(demo_site + "/trainingen/beter-slapen/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", name="In het kort")).to_be_visible()


def test_signing_up_in_english_from_the_home_page_to_the_email(page, demo_site):
    course = originals(CoursePage.objects.filter(slug="mentaal-fit")).get()
    location = LocationFactory(
        name="Community centre Het Baken", postcode="5611 AB", town="Eindhoven", address="Bakenstraat 4"
    )
    group = planned_group(course, location, days=45, hour=19, capacity=6, count=5)

    page.goto(demo_site + "/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    _switch_to(page, "English")
    expect(page).to_have_url(demo_site + "/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Featured trainings")).to_be_visible()
    page.screenshot(path=f"{SCREENSHOTS}/english-home.png", full_page=True)
    _accessible(page, "English home page")

    page.get_by_role("link", name="See all trainings").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trainings")
    page.get_by_role("link", name="Mentaal Fit", exact=True).click()
    expect(page).to_have_url(re.compile(r"/trainings/mentally-fit/$"))
    expect(page.get_by_role("heading", name="What can you expect?")).to_be_visible()
    page.screenshot(path=f"{SCREENSHOTS}/english-course.png", full_page=True)
    _accessible(page, "English course page")

    # The groups are those of the Dutch page: the translation shows the same ones.
    card = page.locator(f"#locatie-{location.pk}")
    expect(card).to_contain_text("6 places left")
    card.get_by_role("link", name=re.compile("^Sign up")).click()

    expect(page.get_by_text("Step 1 of 6")).to_be_visible()
    _accessible(page, "step 1")
    page.get_by_role("link", name="Yes, sign me up for this group").click()

    expect(page.get_by_text("Step 2 of 6")).to_be_visible()
    page.fill("#id_first_name", "Amira")
    page.fill("#id_last_name", "Haddad")
    page.fill("#id_email", "amira@@example")
    page.fill("#id_birth_year", "1990")
    page.fill("#id_postcode", "5611 ab")
    page.get_by_role("button", name="Next").click()
    expect(page.locator("main")).to_contain_text("This email address is not right")
    expect(page.locator("#id_first_name")).to_have_value("Amira")
    _accessible(page, "step 2 with an error")
    page.fill("#id_email", "amira.haddad@example.nl")
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_text("Step 3 of 6")).to_be_visible()
    # The questions of the English page.
    page.get_by_role("group", name="Are you 18 or older?").get_by_label("Yes", exact=True).check()
    page.get_by_role("group", name=re.compile("^Can you usually still do")).get_by_label("Yes", exact=True).check()
    page.get_by_role("group", name=re.compile("^Are you fine with talking")).get_by_label("Yes", exact=True).check()
    page.get_by_role("group", name=re.compile("^Are you in a crisis")).get_by_label("No", exact=True).check()
    _accessible(page, "step 3")
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_text("Step 4 of 6")).to_be_visible()
    _accessible(page, "step 4")
    page.get_by_label("Yes, I give my consent").check()
    page.get_by_role("button", name="Hold the place and continue").click()

    expect(page.get_by_text("Step 5 of 6")).to_be_visible()
    expect(page.locator("main")).to_contain_text(re.compile(r"Your place has been held for you until \d\d:\d\d"))
    _accessible(page, "step 5")
    page.get_by_role("button", name="Finish the sign-up").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("You have signed up")
    expect(page.get_by_text("Step 6 of 6")).to_be_visible()
    page.screenshot(path=f"{SCREENSHOTS}/english-done.png", full_page=True)
    _accessible(page, "step 6")

    enrollment = Enrollment.objects.get(participant__email="amira.haddad@example.nl")
    assert (enrollment.status, enrollment.group, enrollment.language) == ("confirmed", group, "en")
    expect(page.locator("main")).to_contain_text(enrollment.reference)

    (email,) = [message for message in mail.outbox if message.to == ["amira.haddad@example.nl"]]
    assert email.subject.endswith("Confirmation of your sign-up: Mentaal Fit")
    assert "You have signed up for the training Mentaal Fit." in email.body
    assert "aangemeld" not in email.body
    html = email.alternatives[0][0]
    assert '<html lang="en">' in html
