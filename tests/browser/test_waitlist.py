"""A patient finds every group of a course full and joins the waiting list, in a real browser.

Every page on the way has no serious or critical accessibility problems.
"""

import datetime
import re

from django.utils import timezone
from playwright.sync_api import expect

from booking.services import links
from booking.services.places import cancel_enrollment
from booking.waitlist import checks
from courses.models import CoursePage
from tests.booking.factories import AMSTERDAM, EnrollmentFactory, WaitlistEntryFactory, planned_group
from tests.browser.conftest import serious_violations


def full_group_for(course):
    """A group of the course that is full, planned a month ahead at the course's first location."""
    location = course.locations.order_by("pk").first()
    group = planned_group(
        course,
        location,
        capacity=2,
        min_participants=1,
        first_start=datetime.datetime.combine(
            timezone.localdate() + datetime.timedelta(days=33), datetime.time(7, 15), tzinfo=AMSTERDAM
        ),
    )
    EnrollmentFactory.create_batch(2, group=group)
    return group, location


def test_a_patient_joins_the_waiting_list_from_a_course_page_with_a_full_group(page, demo_site):

    course = CoursePage.objects.live().get(slug="mentaal-fit")
    _group, location = full_group_for(course)

    page.goto(demo_site + course.url)
    expect(page.locator("main")).to_contain_text("vol")
    assert serious_violations(page) == [], "course page"

    page.get_by_role("link", name=re.compile("wachtlijst", re.IGNORECASE)).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Op de wachtlijst voor {course.title}")
    assert serious_violations(page) == [], "join page"

    # Sent empty: every problem is named, at its field and in the summary.
    page.get_by_role("button", name="Zet mij op de wachtlijst").click()
    expect(page.get_by_role("alert")).to_contain_text("Er ging iets mis")
    expect(page.get_by_label("Voornaam")).to_have_attribute("aria-invalid", "true")
    assert serious_violations(page) == [], "join page with errors"

    page.get_by_label("Voornaam").fill("Fatma")
    page.get_by_label("Achternaam").fill("van den Heuvel-IJzerman")
    page.get_by_label("E-mailadres").fill("fatma@example.nl")
    page.get_by_label("Geboortejaar").fill("1976")
    page.get_by_label("Postcode").fill("5611 ab")
    page.get_by_role("button", name="Toon de afstand vanaf mijn postcode").click()
    expect(page.get_by_label("Voornaam")).to_have_value("Fatma")
    expect(page.locator("main")).to_contain_text("km")

    page.get_by_label(re.compile(re.escape(location.name))).first.check()
    page.get_by_label(re.compile("^Ochtend")).check()
    page.get_by_label(re.compile("Ik geef toestemming")).check()
    page.get_by_role("button", name="Zet mij op de wachtlijst").click()

    expect(page.get_by_role("heading", level=2, name=re.compile(r"U staat op plaats \d+"))).to_be_visible()
    expect(page.locator("main")).to_contain_text(re.compile("We verwachten|We weten nog niet"))
    expect(page.get_by_role("button", name="Van de wachtlijst af")).to_be_visible()
    assert serious_violations(page) == [], "status page"


def test_the_offer_and_check_pages_are_accessible_on_a_phone(phone_page, demo_site):
    course = CoursePage.objects.live().get(slug="mentaal-fit")
    group, _location = full_group_for(course)
    entry = WaitlistEntryFactory(course=course, joined=timezone.now() - datetime.timedelta(days=40))
    cancel_enrollment(group.enrollments.first())
    offer = entry.offers.get()
    checks.send_waitlist_checks()

    pages = {
        "offer": f"/wachtlijst/aanbod/{links.make_token('offer', offer.pk)}/",
        "status": f"/wachtlijst/status/{links.make_token('waitlist', entry.pk)}/",
        "stay": f"/wachtlijst/blijven/{links.make_token('waitlist', entry.pk)}/",
        "leave": f"/wachtlijst/afmelden/{links.make_token('waitlist', entry.pk)}/",
        "bad link": "/wachtlijst/status/kapot/",
    }
    for name, path in pages.items():
        phone_page.goto(demo_site + path)
        assert serious_violations(phone_page) == [], name
        overflow = phone_page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, name

    phone_page.goto(demo_site + pages["offer"])
    phone_page.get_by_role("button", name="Ja, ik neem de plaats aan").click()
    expect(phone_page.get_by_role("heading", name="U heeft deze plaats aangenomen")).to_be_visible()
