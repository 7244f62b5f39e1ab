"""The coordinator's listings in a real browser: the groups' place filter, the enrollments' pages (axe clean)."""

import re

import pytest
from playwright.sync_api import expect

from booking.models import TrainingGroup
from tests.browser.test_office import log_in_as_coordinator, new_context, serious_violations

pytestmark = pytest.mark.django_db(transaction=True)


def test_groups_are_found_by_typing_a_place(chromium, demo_site):
    helmond = TrainingGroup.objects.filter(location__town="Helmond").values_list("pk", flat=True)
    elsewhere = TrainingGroup.objects.exclude(location__town="Helmond").values_list("pk", flat=True)
    assert helmond and elsewhere
    page = new_context(chromium).new_page()
    log_in_as_coordinator(page, demo_site)

    page.goto(f"{demo_site}/admin/groepen/")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Toon filters").click()
    page.get_by_role("button", name=re.compile("Plaats of locatie")).click()
    place = page.get_by_label("Plaats of locatie")
    expect(place).to_be_visible()
    assert serious_violations(page) == []
    place.fill("helmond")  # the listing follows what is typed, as with Wagtail's other filters

    expect(page).to_have_url(re.compile(r"place=helmond"))
    rows = page.locator("table.listing tbody tr")
    expect(rows.first).to_contain_text("Helmond")
    expect(rows).to_have_count(len(helmond))
    page.screenshot(path="/tmp/admin-groups-place.png", full_page=False)
    assert serious_violations(page) == []


def test_the_enrollments_listing_pages_are_accessible(chromium, demo_site):
    page = new_context(chromium).new_page()
    log_in_as_coordinator(page, demo_site)
    page.goto(f"{demo_site}/admin/aanmeldingen/")
    expect(page.locator(".pagination")).to_contain_text("Pagina 1 van")
    page.screenshot(path="/tmp/admin-enrollments.png", full_page=True)
    assert serious_violations(page) == []
