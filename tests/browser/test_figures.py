"""Figures, the demand map and the public overview in a browser on the demo region and its past year; axe on each."""

import re

from playwright.sync_api import expect

from home.demo.history import build_history
from tests.browser.conftest import serious_violations as public_violations
from tests.browser.test_office import log_in_as_coordinator, new_context, serious_violations

SHOTS = "/tmp/gw-figures-shots"


def test_the_public_overview_of_places_and_waits(chromium, demo_site):
    build_history(seed=1)
    context = new_context(chromium)
    page = context.new_page()

    page.goto(demo_site + "/aanbod-en-wachttijden/")

    expect(page.get_by_role("heading", name="Aanbod en wachttijden", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Mindfulness", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Zo rekenen we de wachttijd uit")).to_be_visible()
    page.screenshot(path=f"{SHOTS}-overview.png", full_page=True)
    assert public_violations(page) == []
    context.close()


def test_the_office_reads_its_figures_and_the_demand_map(chromium, demo_site):
    build_history(seed=1)
    context = new_context(chromium)
    page = context.new_page()
    log_in_as_coordinator(page, demo_site)

    page.get_by_role("link", name="Cijfers").first.click()
    expect(page.get_by_role("heading", name="Van verwijzing tot afronding", level=2)).to_be_visible()
    expect(page.get_by_role("img", name="Van verwijzing tot afronding")).to_be_visible()
    expect(page.get_by_role("rowheader", name="gestart", exact=True)).to_be_visible()
    # The past year's referrals, scores and evaluations fill the practices' and the outcomes' tables.
    expect(page.get_by_role("rowheader", name="Gezondheidscentrum Het Klaverblad, Eindhoven")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Hoe gaat het met u? (demo)")).to_be_visible()
    page.screenshot(path=f"{SHOTS}-figures.png", full_page=True)
    assert serious_violations(page) == []

    page.locator("#id_training").select_option(label="Mindfulness")
    page.get_by_role("button", name="Toon de cijfers").click()
    expect(page).to_have_url(re.compile(r"training=\d+"))

    page.goto(demo_site + "/admin/cijfers/vraag/")
    expect(page.get_by_text("Open een groep Mindfulness in")).to_be_visible()
    page.screenshot(path=f"{SHOTS}-demand.png", full_page=True)
    assert serious_violations(page) == []
    context.close()
