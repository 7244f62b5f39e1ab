"""A trainer logs in with two-step login, opens their groups and registers attendance, in a real browser."""

import re

from django.db.models import Count, Q
from playwright.sync_api import expect

from booking.models import Attendance, TrainingGroup
from home.demo.users import DEMO_PASSWORD, DEMO_TOTP_SECRET, TRAINER, current_totp_code
from tests.browser.conftest import serious_violations


def trainer_group_with_participants():
    """The demo trainer's group with the most confirmed participants, and its first session."""
    group = (
        TrainingGroup.objects.filter(trainers__user__email=TRAINER.email)
        .annotate(people=Count("enrollments", filter=Q(enrollments__status="confirmed")))
        .order_by("-people", "pk")
        .first()
    )
    return group, group.sessions.filter(status="scheduled").order_by("start").first()


def log_in_as_trainer(page, base):
    page.goto(base + "/medewerkers/")
    expect(page).to_have_url(re.compile(r"/account/login/"))
    page.locator("input[name=login]").fill(TRAINER.email)
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


def test_trainer_registers_attendance_and_every_page_is_accessible(chromium, demo_site):
    group, session = trainer_group_with_participants()
    first = (
        group.enrollments.filter(status="confirmed")
        .order_by("participant__last_name", "participant__first_name")
        .first()
    )
    context = chromium.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)

    log_in_as_trainer(page, demo_site)

    expect(page).to_have_url(demo_site + "/medewerkers/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn groepen")
    assert serious_violations(page) == []

    page.locator(f'a[href="/medewerkers/groep/{group.pk}/"]').first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(group.course.title)
    expect(page.locator("main")).to_contain_text(first.participant.full_name)
    assert serious_violations(page) == []

    page.locator(f'a[href="/medewerkers/groep/{group.pk}/bijeenkomst/{session.pk}/aanwezigheid/"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aanwezigheid")
    assert serious_violations(page) == []
    person = page.get_by_role("group", name=first.participant.full_name)
    person.get_by_label("Afwezig, met afmelding").check()
    page.get_by_role("button", name="Aanwezigheid opslaan").click()

    expect(page.locator(".messages")).to_contain_text("De aanwezigheid is opgeslagen.")
    assert Attendance.objects.get(session=session, enrollment=first).status == "absent_notified"

    page.get_by_role("link", name="Presentielijst om af te drukken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(group.course.title)
    expect(page.get_by_role("button", name="Afdrukken")).to_be_visible()
    assert serious_violations(page) == []

    # The same pages on a phone, and nothing wider than a 320 px screen.
    paths = [
        "/medewerkers/",
        f"/medewerkers/groep/{group.pk}/",
        f"/medewerkers/groep/{group.pk}/bijeenkomst/{session.pk}/aanwezigheid/",
        f"/medewerkers/groep/{group.pk}/presentielijst/",
    ]
    state = context.storage_state()
    context.close()
    for width in (360, 320):
        phone = chromium.new_context(locale="nl-NL", viewport={"width": width, "height": 780}, storage_state=state)
        small = phone.new_page()
        for path in paths:
            small.goto(demo_site + path)
            expect(small.get_by_role("heading", level=1)).to_be_visible()
            if width == 360:
                assert serious_violations(small) == [], path
            overflow = small.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, (width, path)
        phone.close()
