"""A patient finds a training near home, in a real browser, and every step is accessible."""

import re

from playwright.sync_api import expect

from resources.models import FactsheetPage
from tests.browser.conftest import serious_violations


def test_home_search_by_postcode_leads_to_a_course_page(page, demo_site):
    page.goto(demo_site + "/")
    page.get_by_label("Uw postcode").fill("5701 ab")
    page.get_by_role("button", name="Zoek trainingen").click()

    expect(page).to_have_url(re.compile(r"/trainingen/\?postcode=5701"))
    first_card = page.locator(".course-card").first
    expect(first_card).to_contain_text("km")
    expect(first_card).to_contain_text("Helmond")

    title = first_card.locator("h3 a").inner_text()
    first_card.locator("h3 a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_text("In het kort")).to_be_visible()


def test_bad_postcode_is_explained_at_the_field_and_kept(page, demo_site):
    page.goto(demo_site + "/trainingen/")
    page.get_by_label("Uw postcode").fill("abcd")
    page.get_by_role("button", name=re.compile("Zoek|Toon")).first.click()
    field = page.get_by_label("Uw postcode")
    expect(field).to_have_value("abcd")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("main")).to_contain_text("geen geldige postcode")


def test_key_pages_have_no_serious_accessibility_violations(page, phone_page, demo_site):
    factsheet = FactsheetPage.objects.live().filter(audience="everyone").first()
    paths = [
        "/",
        "/trainingen/",
        "/trainingen/?postcode=5611",
        "/trainingen/mentaal-fit/",
        factsheet.url,
        "/account/login/",
    ]
    for browser_page in (page, phone_page):
        for path in paths:
            browser_page.goto(demo_site + path)
            assert serious_violations(browser_page) == [], path


def test_phone_width_has_no_horizontal_scroll(chromium, demo_site):
    context = chromium.new_context(viewport={"width": 320, "height": 700})
    narrow = context.new_page()
    for path in ["/", "/trainingen/", "/trainingen/mentaal-fit/"]:
        narrow.goto(demo_site + path)
        overflow = narrow.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, path
    context.close()
