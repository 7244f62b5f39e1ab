"""The office moves a session in the admin; the participant's calendar gets it as a changed event. In a real browser.

Also: the planning calendar's month and week views are accessible (axe-core, serious and critical).
"""

import datetime
import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.cache import cache
from icalendar import Calendar
from playwright.sync_api import expect

from booking.clock import local_time
from booking.models import Session, TrainingGroup
from booking.services.links import manage_path
from home.demo.users import COORDINATOR, DEMO_PASSWORD, DEMO_TOTP_SECRET, current_totp_code
from tests.booking.factories import place_in
from tests.browser.conftest import serious_violations

SCREENSHOTS = Path(__file__).resolve().parents[2] / ".test-media" / "screenshots"


def log_in_as_coordinator(page, base):
    page.goto(base + "/admin/")
    expect(page).to_have_url(re.compile(r"/account/login/"))
    page.locator("input[name=login]").fill(COORDINATOR.email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen", exact=True).click()
    expect(page).to_have_url(re.compile(r"/account/2fa/authenticate/"))
    code, seconds_left = current_totp_code(DEMO_TOTP_SECRET)
    if seconds_left < 8:
        # Too close to the next period: the code could change before the server checks it.
        page.wait_for_timeout((seconds_left + 1) * 1000)
        code, _seconds_left = current_totp_code(DEMO_TOTP_SECRET)
    page.locator("input[name=code]").fill(code)
    page.get_by_role("button", name="Inloggen", exact=True).click()
    expect(page).to_have_url(base + "/admin/")


def download_calendar(page):
    with page.expect_download() as caught:
        page.get_by_role("link", name=re.compile("Zet alle bijeenkomsten in uw agenda")).click()
    return Calendar.from_ical(Path(caught.value.path()).read_bytes())


def by_uid(calendar):
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
def fleur(demo_site):
    cache.clear()  # the limit on asking for new links counts per visitor, and every test comes from 127.0.0.1
    group = (
        TrainingGroup.objects.open_for_signup()
        .with_places_left()
        .filter(places_left__gt=0, first_start__isnull=False, location__kind="gezondheidscentrum")
        .order_by("first_start", "pk")
        .first()
    )
    return place_in(group, first_name="Fleur", last_name="van den Berg", email="fleur@example.nl", postcode="5611 AB")


def test_a_moved_session_arrives_in_the_participants_calendar_as_a_changed_event(page, chromium, demo_site, fleur):
    group = fleur.group
    session = group.sessions.filter(status="scheduled").order_by("start")[1]
    page.goto(demo_site + manage_path(fleur))
    before = by_uid(download_calendar(page))

    # The coordinator moves the second session a day on, one hour earlier, in the admin.
    office = chromium.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900}).new_page()
    office.set_default_timeout(15_000)
    log_in_as_coordinator(office, demo_site)
    office.goto(f"{demo_site}/admin/groepen/{group.pk}/bijeenkomsten/")
    office.get_by_role("link", name=re.compile(r"^Verplaatsen")).nth(1).click()
    new_start = local_time(session.start) + datetime.timedelta(days=1, hours=-1)
    office.get_by_label("Datum").fill(new_start.date().isoformat())
    office.get_by_label("Begintijd").fill(new_start.strftime("%H:%M"))
    office.get_by_label("Eindtijd").fill((new_start + (session.end - session.start)).strftime("%H:%M"))
    office.get_by_role("button", name="Verplaatsen").click()
    expect(office.locator(".messages")).to_contain_text("is verplaatst naar")

    # The email to the participant carries the one changed event.
    (message,) = [m for m in mail.outbox if m.to == ["fleur@example.nl"] and "verplaatst" in m.subject]
    (attachment,) = [a for a in message.attachments if a[0].endswith(".ics")]
    (emailed,) = Calendar.from_ical(attachment[1]).walk("VEVENT")

    # The personal page says so, and its download has the new time under the same UID, one SEQUENCE up.
    page.goto(demo_site + manage_path(fleur))
    expect(page.locator("main")).to_contain_text("verplaatst")
    assert serious_violations(page) == []
    after = by_uid(download_calendar(page))
    assert after.keys() == before.keys()
    changed = [uid for uid in after if int(after[uid]["sequence"]) > int(before[uid]["sequence"])]
    assert changed == [str(emailed["uid"])]
    event = after[changed[0]]
    assert event.decoded("dtstart") == new_start
    assert event["dtstart"].params["TZID"] == "Europe/Amsterdam"
    assert int(event["sequence"]) == int(emailed["sequence"]) == int(before[changed[0]]["sequence"]) + 1
    office.context.close()


def test_the_planning_calendar_is_accessible_in_month_and_week(chromium, demo_site):
    context = chromium.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in_as_coordinator(page, demo_site)
    moved = Session.objects.with_moved().filter(moved=True).select_related("group__location").first()
    location = moved.group.location
    trainer = TrainingGroup.objects.get(pk=moved.group_id).trainers.order_by("pk").first()
    day = moved.start.date().isoformat()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page.get_by_role("button", name="Planning").click()
    page.get_by_role("link", name="Agenda").click()
    expect(page.get_by_role("heading", level=2, name="Locaties")).to_be_visible()
    assert serious_violations(page) == []

    page.goto(f"{demo_site}/admin/agenda/locatie/{location.pk}/?weergave=maand&datum={day}")
    expect(page.locator(".agenda-month")).to_contain_text("verplaatst, was")
    page.screenshot(path=SCREENSHOTS / "agenda-maand.png", full_page=True)
    assert serious_violations(page) == []

    page.get_by_role("link", name="Week", exact=True).click()
    expect(page.locator(".agenda-week")).to_contain_text(moved.group.course.title)
    page.screenshot(path=SCREENSHOTS / "agenda-week.png", full_page=True)
    assert serious_violations(page) == []

    page.get_by_label("Agenda van").select_option(label=trainer.name)
    page.get_by_role("button", name="Toon", exact=True).click()
    expect(page.get_by_role("heading", level=2)).to_contain_text("Week")
    expect(page.locator(".agenda-week")).to_contain_text(location.town)
    assert serious_violations(page) == []

    page.locator(f'.agenda-week a[href="/admin/groepen/{moved.group_id}/bijeenkomsten/"]').first.click()
    expect(page).to_have_url(re.compile(rf"/admin/groepen/{moved.group_id}/bijeenkomsten/$"))
    context.close()


def test_the_calendar_on_a_phone(chromium, demo_site):
    context = chromium.new_context(locale="nl-NL", viewport={"width": 360, "height": 780}, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in_as_coordinator(page, demo_site)
    page.goto(f"{demo_site}/admin/agenda/")
    page.get_by_role("link").filter(has_text="Helmond").first.click()
    # Measured once the location's calendar has loaded, not while the click's navigation is under way.
    expect(page).to_have_url(re.compile(r"/admin/agenda/locatie/\d+/"))
    page.wait_for_load_state()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    assert serious_violations(page) == []
    context.close()
