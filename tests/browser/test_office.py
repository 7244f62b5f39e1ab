"""The office in a real browser on the demo region: a sign-up by phone, a move to another group, merging a group
that will not fill; every new admin screen checked with axe (serious and critical problems)."""

import re
import time

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from booking.models import Enrollment, TrainingGroup, WaitlistEntry
from home.demo.users import COORDINATOR, DEMO_PASSWORD, DEMO_TOTP_SECRET, current_totp_code


def serious_violations(page):
    """axe-core on the page: serious and critical problems in our own markup.

    Wagtail's own message bar (``.messages``) is left out: the colour of its
    success message is Wagtail's, fixed with the admin's styles elsewhere
    (issue 10, "Text and consistency"); everything we render is checked.
    """
    results = Axe().run(page, context={"exclude": [[".messages"]]})
    found = [v for v in results.response["violations"] if v.get("impact") in {"serious", "critical"}]
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}" for v in found]


def log_in_as_coordinator(page, base):
    page.goto(base + "/admin/")
    expect(page).to_have_url(re.compile(r"/account/login/"))
    page.locator("input[name=login]").fill(COORDINATOR.email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen", exact=True).click()
    expect(page).to_have_url(re.compile(r"/account/2fa/authenticate/"))
    code, seconds_left = current_totp_code(DEMO_TOTP_SECRET)
    if seconds_left < 8:
        time.sleep(seconds_left + 1)
        code, _seconds_left = current_totp_code(DEMO_TOTP_SECRET)
    page.locator("input[name=code]").fill(code)
    page.get_by_role("button", name="Inloggen", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def field(page, label):
    """The input with this label (Wagtail adds a * to the label of a required field)."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))


def answer_the_questions(page, course):
    for question in course.suitability_questions.all():
        answer = "Ja" if question.fitting_answer == "yes" else "Nee"
        group = page.get_by_role("group", name=re.compile(rf"^\s*{re.escape(question.question)}"))
        group.get_by_label(answer, exact=True).check()


def new_context(chromium):
    context = chromium.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    return context


def test_phone_signup_then_a_move_to_another_group(chromium, demo_site):
    group = (
        TrainingGroup.objects.bookable()
        .filter(course__title="Mentaal Fit", location__town="Helmond")
        .select_related("course")
        .get()
    )
    page = new_context(chromium).new_page()
    log_in_as_coordinator(page, demo_site)
    expect(page.get_by_role("heading", name="Vandaag te doen")).to_be_visible()
    assert serious_violations(page) == []

    page.goto(demo_site + "/admin/kantoor/aanmelden/")
    assert serious_violations(page) == []
    page.locator(f'a[href="/admin/kantoor/aanmelden/{group.pk}/"]').click()
    expect(page.get_by_role("heading", name="1. Gegevens van de deelnemer")).to_be_visible()
    assert serious_violations(page) == []

    field(page, "Voornaam").fill("Joëlle")
    field(page, "Achternaam").fill("van der Meer-IJzerman")
    field(page, "E-mailadres").fill("joelle.telefoon@voorbeeld.example")
    field(page, "Telefoonnummer").fill("06 1234 5678")
    field(page, "Geboortejaar").fill("1984")
    field(page, "Postcode").fill("5701ab")
    answer_the_questions(page, group.course)
    # Forgetting the consent: said at the field, and nothing typed is lost.
    page.get_by_role("button", name="Aanmelden en bevestiging sturen").click()
    expect(page.locator("main")).to_contain_text("Lees de toestemmingstekst voor")
    expect(field(page, "Achternaam")).to_have_value("van der Meer-IJzerman")
    assert serious_violations(page) == []
    page.get_by_label("Per telefoon").check()
    page.get_by_label("De deelnemer heeft de tekst hierboven gehoord of gelezen en geeft toestemming").check()
    page.get_by_role("button", name="Aanmelden en bevestiging sturen").click()

    expect(page.locator(".messages")).to_contain_text("Joëlle van der Meer-IJzerman is aangemeld")
    expect(page.locator("main")).to_contain_text("per telefoon gegeven aan Ilse Verhoeven")
    assert serious_violations(page) == []
    enrollment = Enrollment.objects.get(participant__email="joelle.telefoon@voorbeeld.example")
    assert enrollment.status == "confirmed" and enrollment.participant.phone == "06-12345678"

    target = (
        TrainingGroup.objects.filter(course=group.course, status__in=["planned", "open", "closed"])
        .exclude(pk=group.pk)
        .with_places_left()
        .filter(places_left__gt=0)
        .order_by("pk")
        .first()
    )
    page.get_by_role("link", name="Naar een andere groep").click()
    assert serious_violations(page) == []
    field(page, "Naar welke groep?").select_option(str(target.pk))
    field(page, "Reden").fill("Kan op dinsdagavond niet meer.")
    page.get_by_role("button", name="Verplaatsen").click()

    expect(page.locator(".messages")).to_contain_text("De deelnemer is verplaatst")
    expect(page.locator("main")).to_contain_text("Kan op dinsdagavond niet meer.")
    enrollment.refresh_from_db()
    assert enrollment.group == target

    for action in ("afmelden", "gegevens", "link"):
        page.goto(f"{demo_site}/admin/aanmeldingen/{enrollment.pk}/{action}/")
        expect(page.get_by_role("button").last).to_be_visible()
        assert serious_violations(page) == [], action


def test_merging_a_group_that_will_not_fill(chromium, demo_site):
    small = TrainingGroup.objects.get(course__title="Mindfulness", location__town="Geldrop")
    people = list(small.enrollments.filter(status="confirmed").values_list("pk", flat=True))
    page = new_context(chromium).new_page()
    log_in_as_coordinator(page, demo_site)

    card = page.get_by_role("region", name="Groepen met te weinig aanmeldingen")
    card.get_by_role("link", name="Naar deze groepen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Groepen met te weinig aanmeldingen")
    assert serious_violations(page) == []
    page.get_by_role("link", name=re.compile(r"^Samenvoegen")).first.click()
    assert serious_violations(page) == []

    into = (
        TrainingGroup.objects.filter(course=small.course, status="open")
        .exclude(pk=small.pk)
        .with_places_left()
        .filter(places_left__gte=len(people))
        .order_by("pk")
        .first()
    )
    page.get_by_label(re.compile(re.escape(into.location.town))).check()
    page.get_by_role("button", name="Samenvoegen").click()

    expect(page.locator(".messages")).to_contain_text("De groepen zijn samengevoegd")
    small.refresh_from_db()
    assert small.status == "cancelled" and small.merged_into == into
    assert set(into.enrollments.filter(pk__in=people).values_list("pk", flat=True)) == set(people)
    assert serious_violations(page) == []


def test_the_other_office_screens_are_accessible(chromium, demo_site):
    entry = WaitlistEntry.objects.filter(status="waiting").order_by("pk").first()
    small = TrainingGroup.objects.get(course__title="Mindfulness", location__town="Geldrop")
    page = new_context(chromium).new_page()
    log_in_as_coordinator(page, demo_site)
    for path in (
        "/admin/",  # the day at a glance, with the calls to make before groups start
        f"/admin/wachtlijst/{entry.pk}/",
        f"/admin/wachtlijst/toevoegen/?course={entry.course_id}",
        f"/admin/groepen/{small.pk}/bijeenkomsten/",
        f"/admin/groepen/{small.pk}/doorgaan/",
        "/admin/groepen/",
        "/admin/kantoor/importeren/",
        "/admin/mislukte-emails/",
        "/admin/professionals/",
    ):
        page.goto(demo_site + path)
        expect(page.locator("main")).to_be_visible()
        if path == "/admin/":
            expect(page.locator("#werk-bellen")).to_have_text("Te bellen voor de start")
            page.locator("section[aria-labelledby=werk-bellen]").screenshot(path="/tmp/admin-home-calls.png")
        assert serious_violations(page) == [], path

    page.get_by_role("button", name=re.compile("^Goedkeuren")).first.click()
    expect(page.locator(".messages")).to_contain_text("heeft nu toegang als professional")
