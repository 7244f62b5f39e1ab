"""A verified professional signs up for a training day in a real browser, takes the calendar file, and after
the office marked attendance downloads the certificate. axe-core checks every page on the way."""

import datetime
import io
import re
from pathlib import Path

import time_machine
from icalendar import Calendar
from playwright.sync_api import expect
from pypdf import PdfReader

from booking.models import OutgoingEmail
from events import services
from events.models import TrainingDayBooking, TrainingDayPage
from home.demo.users import DEMO_PASSWORD, PROFESSIONAL
from tests.browser.conftest import serious_violations
from tests.browser.test_office import log_in_as_coordinator

SHOTS = Path("/tmp/events-shots")
INTERVISIE = "intervisie-poh-ggz-groepen-begeleiden"


def shot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def downloaded(page, link):
    with page.expect_download() as info:
        link.click()
    return Path(info.value.path()).read_bytes(), info.value.suggested_filename


def test_a_professional_signs_up_gets_the_calendar_file_and_later_the_certificate(chromium, page, demo_site):
    base = demo_site
    day = TrainingDayPage.objects.get(slug=INTERVISIE)

    # The day's page, before logging in: places left, and the way to log in.
    page.goto(base + day.url)
    expect(page.get_by_role("heading", level=1)).to_have_text(day.title)
    expect(page.get_by_text("Nog 2 plekken vrij")).to_be_visible()
    assert serious_violations(page) == [], "training day page (anonymous)"
    page.get_by_role("link", name="Inloggen om u aan te melden").click()
    page.locator("input[name=login]").fill(PROFESSIONAL.email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(day.url) + "$"))
    assert serious_violations(page) == [], "training day page (verified professional)"
    shot(page, "1-training-day")

    # Sign up: the confirmation, with the calendar file.
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("heading", name="U bent aangemeld")).to_be_visible()
    expect(page.get_by_text("2 punten ADV/V&VN")).to_be_visible()
    assert serious_violations(page) == [], "sign-up confirmation"
    shot(page, "2-confirmation")
    body, filename = downloaded(page, page.get_by_role("link", name="Zet in uw agenda (.ics)"))
    (event,) = Calendar.from_ical(body).walk("VEVENT")
    assert filename.endswith(".ics")
    assert str(event["summary"]) == day.title
    assert event.decoded("dtstart") == day.start
    assert "https://meet.groepswijzer.example/intervisie-poh-ggz" in str(event["description"])
    booking = TrainingDayBooking.objects.get(event=day, user__email=PROFESSIONAL.email)
    assert OutgoingEmail.objects.filter(key=f"events_booked:{booking.pk}").exists()
    expect(page.get_by_text("Download uw certificaat")).to_have_count(0)

    # After the evening, the office marks who came in the admin (the clock of the whole process moves on).
    with time_machine.travel(day.end + datetime.timedelta(hours=1), tick=True):
        office = chromium.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900}).new_page()
        log_in_as_coordinator(office, base)
        office.goto(base + "/admin/scholing/")
        office.get_by_role("link", name=day.title).click()
        expect(office.get_by_text("5 van 6 plaatsen bezet")).to_be_visible()
        shot(office, "5-office-attendance")
        office.get_by_label(f"{PROFESSIONAL.first_name} {PROFESSIONAL.last_name}").check()
        office.get_by_role("button", name="Aanwezigheid opslaan").click()
        expect(office.get_by_text("Aanwezigheid opgeslagen: 1 aanwezig, 4 afwezig.")).to_be_visible()
        office.context.close()
        overview_and_certificate(page, base, day)


def overview_and_certificate(page, base, day):
    # The overview: this evening and the demo's past return meeting, each with its certificate.
    booking = TrainingDayBooking.objects.get(event=day, user__email=PROFESSIONAL.email)
    page.goto(base + "/scholing/mijn-aanmeldingen/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn scholing")
    assert serious_violations(page) == [], "the professional's overview"
    shot(page, "3-overview")
    expect(page.get_by_role("link", name=re.compile("certificaat \\(pdf\\)"))).to_have_count(2)
    page.get_by_role("link", name=day.title, exact=True).click()
    body, filename = downloaded(page, page.get_by_role("link", name="Download uw certificaat (pdf)"))
    shot(page, "4-booking-with-certificate")
    content = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    booking.refresh_from_db()
    assert filename.endswith(".pdf")
    assert "Certificaat van deelname" in content
    assert f"{PROFESSIONAL.first_name} {PROFESSIONAL.last_name}" in content
    assert day.title in content and "2 punten ADV/V&VN" in content
    assert services.format_code(booking.certificate_code) in content
