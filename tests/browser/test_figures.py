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


def test_the_demand_map_on_leaflet_offline_and_without_javascript(chromium, demo_site):
    build_history(seed=1)  # people waiting in Bladel and Duizel, far from a Mindfulness group
    context = new_context(chromium)
    # As offline: no map tile can load.
    context.route(re.compile(r"^https://tile\.openstreetmap\.org/"), lambda route: route.abort())
    page = context.new_page()
    log_in_as_coordinator(page, demo_site)

    page.goto(demo_site + "/admin/cijfers/vraag/")
    section = page.locator("section").filter(has=page.get_by_role("heading", name="Mindfulness", exact=True, level=2))
    expect(section.get_by_role("region", name="Kaart van vraag en groepen: Mindfulness")).to_be_visible()
    rows = section.locator("table tbody tr")
    areas = section.locator(".leaflet-marker-icon:not([data-kind=group])")
    expect(areas).to_have_count(rows.count())
    assert rows.count() > 1
    expect(section.locator(".leaflet-marker-icon[data-kind=group]").first).to_be_visible()
    expect(section.locator(".leaflet-marker-icon[data-kind=suggestion]").first).to_be_visible()
    expect(section.get_by_text("De ondergrond van de kaart kon niet laden")).to_be_visible()
    expect(section.get_by_role("link", name="© OpenStreetMap-bijdragers")).to_be_visible()
    section.locator(".figures-leaflet").screenshot(path=f"{SHOTS}-demand-map.png")

    # A point by keyboard: its numbers in words, as in the table.
    bladel = section.get_by_role("button", name=re.compile(r"^Bladel \(5531\): "))
    bladel.focus()
    page.keyboard.press("Enter")
    popup = section.locator(".leaflet-popup")
    expect(popup).to_contain_text("Bladel (5531)")
    expect(popup).to_contain_text("Op de wachtlijst: ")
    expect(popup).to_contain_text("Voorstel: open hier een groep.")
    expect(popup.get_by_role("button", name="Sluiten")).to_be_visible()
    page.screenshot(path=f"{SHOTS}-demand-leaflet.png", full_page=True)
    assert serious_violations(page) == []

    # The plain map stays, under a toggle.
    plain = section.get_by_role("img", name="Vraag en groepen: Mindfulness")
    expect(plain).to_be_hidden()
    section.get_by_text("Kaart zonder ondergrond", exact=True).click()
    expect(plain).to_be_visible()

    # Without JavaScript: the plain map and the table, no Leaflet.
    quiet = chromium.new_context(
        locale="nl-NL",
        viewport={"width": 1280, "height": 900},
        java_script_enabled=False,
        storage_state=context.storage_state(),
    )
    quiet.set_default_timeout(15_000)
    plain_page = quiet.new_page()
    plain_page.goto(demo_site + "/admin/cijfers/vraag/")
    section = plain_page.locator("section").filter(
        has=plain_page.get_by_role("heading", name="Mindfulness", exact=True, level=2)
    )
    expect(section.get_by_role("img", name="Vraag en groepen: Mindfulness")).to_be_visible()
    expect(section.locator("table tbody tr").first).to_be_visible()
    expect(section.get_by_role("region", name="Kaart van vraag en groepen: Mindfulness")).to_be_hidden()
    expect(section.get_by_text("De ondergrond van de kaart kon niet laden")).to_be_hidden()
    quiet.close()
    context.close()
