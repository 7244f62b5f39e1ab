"""A participant manages their place through the personal link, in a real browser; every page is accessible."""

import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils.text import slugify
from playwright.sync_api import expect

from booking.models import TrainingGroup
from booking.services.links import manage_path
from tests.booking.factories import place_in
from tests.browser.conftest import serious_violations


@pytest.fixture
def confirmed_place(demo_site):
    """A confirmed place in an open demo group with sessions ahead."""
    cache.clear()  # the limit on asking for new links counts per visitor, and every test comes from 127.0.0.1

    group = (
        TrainingGroup.objects.open_for_signup()
        .with_places_left()
        .filter(places_left__gt=0, first_start__isnull=False, location__kind="gezondheidscentrum")
        .order_by("first_start", "pk")
        .first()
    )
    return place_in(group, first_name="Fleur", last_name="van den Berg", email="fleur@example.nl", postcode="5611 AB")


def test_open_the_personal_link_download_the_calendar_and_cancel(page, demo_site, confirmed_place):
    course = confirmed_place.group.course
    page.goto(demo_site + manage_path(confirmed_place))
    expect(page.get_by_role("heading", level=1)).to_have_text(course.title)
    expect(page.locator("main")).to_contain_text(confirmed_place.reference)
    expect(page.locator("main")).to_contain_text("bevestigd")
    assert serious_violations(page) == []

    with page.expect_download() as caught:
        page.get_by_role("link", name=re.compile("Zet alle bijeenkomsten in uw agenda")).click()
    download = caught.value
    assert download.suggested_filename == f"{slugify(course.title)}-{confirmed_place.reference}.ics"
    calendar = Path(download.path()).read_text()
    assert calendar.startswith("BEGIN:VCALENDAR")
    assert calendar.count("BEGIN:VEVENT") == confirmed_place.group.sessions.count()

    page.get_by_role("link", name="Afmelden", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Afmelden voor {course.title}")
    expect(page.locator("main")).to_contain_text("Als u zich nu afmeldt")
    assert serious_violations(page) == []

    page.get_by_role("button", name="Ja, meld mij af").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("U bent afgemeld")
    assert serious_violations(page) == []

    page.get_by_role("link", name="Terug naar uw aanmelding").click()
    expect(page.locator("main")).to_contain_text("geannuleerd")
    expect(page.get_by_role("link", name="Afmelden", exact=True)).to_have_count(0)


def test_a_broken_link_and_a_new_link_request_on_a_phone(phone_page, demo_site, confirmed_place):
    path = manage_path(confirmed_place)
    phone_page.goto(demo_site + path[:-6] + "abcde/")
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Deze link klopt niet")
    assert serious_violations(phone_page) == []

    phone_page.get_by_role("link", name="Nieuwe link aanvragen").click()
    assert serious_violations(phone_page) == []
    phone_page.get_by_label("Uw e-mailadres").fill("fleur@example")
    phone_page.get_by_role("button", name="Stuur mij de links").click()
    field = phone_page.get_by_label("Uw e-mailadres")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_value("fleur@example")
    assert serious_violations(phone_page) == []

    field.fill("fleur@example.nl")
    phone_page.get_by_role("button", name="Stuur mij de links").click()
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Kijk in uw e-mail")
    assert serious_violations(phone_page) == []

    phone_page.goto(demo_site + path)
    assert serious_violations(phone_page) == []
    overflow = phone_page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
