"""The public overview's search by postcode or place, in a browser on the demo region; axe on the outcome."""

from playwright.sync_api import expect

from tests.browser.conftest import serious_violations
from tests.browser.test_office import new_context

SHOTS = "/tmp/gw-overview-search"


def test_someone_looks_for_locations_near_their_postcode_and_corrects_a_wrong_one(chromium, demo_site):
    context = new_context(chromium)
    page = context.new_page()
    page.goto(demo_site + "/aanbod-en-wachttijden/")

    page.get_by_label("Postcode of plaats").fill("0561 AB")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_text("Een Nederlandse postcode begint niet met een 0.").first).to_be_visible()
    expect(page.get_by_label("Postcode of plaats")).to_have_value("0561 AB")
    assert serious_violations(page) == []

    page.get_by_label("Postcode of plaats").fill("5611 AB")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_text("die het dichtst bij 5611")).to_be_visible()
    expect(page.get_by_role("heading", name="Mindfulness", exact=True)).to_be_visible()
    page.screenshot(path=f"{SHOTS}-postcode.png", full_page=True)
    assert serious_violations(page) == []

    page.get_by_label("Postcode of plaats").fill("Helmond")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_text("met „Helmond” in de naam")).to_be_visible()
    page.screenshot(path=f"{SHOTS}-place.png", full_page=True)
    assert serious_violations(page) == []
    context.close()
