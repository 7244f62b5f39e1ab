"""The care path end to end in a real browser: decision aid, referral, sign-up by code with consent, telephone
screening, attendance, GP letters, questionnaires before and after, and the referrer seeing "afgerond".

Two moments: now (the group starts next week), and six weeks later (the group is over), by moving the
clock of the whole process with time-machine. Every new page is checked with axe-core.
"""

import datetime
import io
import re

import time_machine
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from booking.models import Enrollment, Session, TrainingGroup
from booking.services import planning
from booking.staff.trainers import record_attendance
from carepath.models import Letter, Referral
from courses.models import CoursePage, Trainer
from home.demo.users import DEMO_PASSWORD, NEW_PROFESSIONAL, PROFESSIONAL, TRAINER
from tests.booking.factories import days_ahead
from tests.browser.conftest import serious_violations
from tests.browser.test_office import log_in_as_coordinator
from tests.browser.test_trainer import log_in_as_trainer
from tests.factories import LocationFactory

PATIENT_EMAIL = "fatma.yilmaz@voorbeeld.nl"


def accessible(page, where):
    assert serious_violations(page) == [], where


def new_page(chromium):
    context = chromium.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def log_in(page, base, email, next_path):
    page.goto(base + next_path)
    expect(page).to_have_url(re.compile(r"/account/login/"))
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(next_path) + "$"))


def own_group():
    """A Mentaal Fit group of the demo trainer at a location of its own, starting in a week: five sessions."""
    course = CoursePage.objects.get(slug="mentaal-fit")
    location = LocationFactory(name="Wijkcentrum De Kroon", postcode="5612 AB", town="Eindhoven")
    trainer = Trainer.objects.get(user__email=TRAINER.email)
    group = TrainingGroup.objects.create(course=course, location=location, status=TrainingGroup.Status.OPEN)
    planning.set_trainers(group, [trainer])
    planning.plan_sessions(group, first_start=days_ahead(6, hour=16), count=5)
    return group


def link_in_last_email_to(address, pattern):
    body = [m for m in mail.outbox if m.to == [address]][-1].body
    return re.search(pattern, body).group(0)


def answer_all(page, label):
    for group in page.get_by_role("group").all():
        option = group.get_by_label(label, exact=True)
        if option.count():
            option.check()


def test_the_care_path_from_decision_aid_to_completed(chromium, demo_site, settings):
    group = own_group()
    base = demo_site

    # 1. The POH runs the decision aid and refers.
    poh = new_page(chromium)
    log_in(poh, base, PROFESSIONAL.email, "/verwijzen/")
    expect(poh.get_by_role("heading", level=1)).to_have_text("Mijn verwijzingen")
    accessible(poh, "my referrals")
    poh.get_by_role("link", name="Beslishulp: past een groep?").click()
    accessible(poh, "decision aid")
    poh.get_by_role("link", name="Nee", exact=True).click()
    poh.get_by_role("link", name="Stress, spanning, moeite met grenzen stellen").click()
    expect(poh.get_by_role("heading", level=1)).to_have_text("Advies: Mentaal Fit")
    accessible(poh, "advice")
    poh.get_by_role("link", name="Maak een verwijzing").click()
    expect(poh.get_by_label("Training")).to_have_value(str(group.course.pk))
    poh.get_by_label("Per e-mail vanaf deze website").check()
    poh.get_by_role("button", name="Verwijzing maken").click()
    expect(poh.locator("main")).to_contain_text("Vul het e-mailadres van de patiënt in, of kies voor printen.")
    accessible(poh, "new referral with an error")
    poh.get_by_label("Geprint meegeven (code en QR-code)").check()
    poh.get_by_label("Korte notitie voor de trainer").fill("Liever 's avonds.")
    poh.get_by_role("button", name="Verwijzing maken").click()
    referral = Referral.objects.get(note="Liever 's avonds.")
    expect(poh.locator("main")).to_contain_text(referral.display_code)
    expect(poh.get_by_role("img", name="QR-code met de link naar uw verwijzing")).to_be_visible()
    accessible(poh, "referral detail")

    # 2. The patient types the code, agrees to share, and signs up for the group.
    patient = new_page(chromium)
    patient.goto(base + "/verwijzing/")
    accessible(patient, "enter code")
    patient.get_by_label("Uw verwijscode").fill("abcde")
    patient.get_by_role("button", name="Verder").click()
    expect(patient.locator("main")).to_contain_text("Een verwijscode heeft 10 letters en cijfers")
    patient.get_by_label("Uw verwijscode").fill(referral.display_code.lower())
    patient.get_by_role("button", name="Verder").click()
    expect(patient.locator("main")).to_contain_text("Daan Kuijpers heeft u verwezen naar een groepstraining.")
    accessible(patient, "referral start")
    patient.get_by_label("Ja, mijn verwijzer mag zien hoe het gaat").check()
    patient.get_by_role("button", name="Verder naar aanmelden").click()
    patient.goto(base + f"/aanmelden/groep/{group.pk}/")
    patient.get_by_role("link", name="Ja, meld mij aan voor deze groep").click()
    expect(patient.locator("main")).to_contain_text("U meldt zich aan met een verwijzing van Daan Kuijpers.")
    patient.fill("#id_first_name", "Fatma")
    patient.fill("#id_last_name", "Yilmaz")
    patient.fill("#id_email", PATIENT_EMAIL)
    patient.fill("#id_phone", "06-12345678")
    patient.fill("#id_birth_year", "1979")
    patient.fill("#id_postcode", "5612 ab")
    patient.fill("#id_gp_practice", "Huisartsenpraktijk Het Kwadrant")
    patient.locator("#id_gp_letter_consent").check()
    patient.get_by_role("button", name="Volgende").click()
    for question in group.course.suitability_questions.all():
        answer = "Ja" if question.fitting_answer == "yes" else "Nee"
        patient.get_by_role("group", name=question.question).get_by_label(answer, exact=True).check()
    patient.get_by_role("button", name="Volgende").click()
    patient.get_by_label("Ja, ik geef toestemming").check()
    patient.get_by_role("button", name="Plaats vasthouden en verder").click()
    patient.get_by_role("button", name="Aanmelding afronden").click()
    expect(patient.get_by_role("heading", level=1)).to_have_text("U bent aangemeld")
    enrollment = Enrollment.objects.get(participant__email=PATIENT_EMAIL)
    referral.refresh_from_db()
    assert referral.enrollment == enrollment

    # The questionnaire before the start, by the personal link. The demo was loaded without the periodic run,
    # so its places wait for invitations too: this run may take as long as they need (its budget has a test of its own).
    settings.GROEPSWIJZER_INVITATIONS_RUN_MS = 600_000
    call_command("run_periodic", stdout=io.StringIO())
    patient.goto(base + link_in_last_email_to(PATIENT_EMAIL, r"/vragenlijst/[^\s]+/"))
    expect(patient.get_by_role("heading", level=1)).to_have_text("Hoe gaat het met u? (demo)")
    accessible(patient, "questionnaire before")
    answer_all(patient, "Soms")
    expect(patient.locator("progress")).to_have_attribute("value", "5")
    patient.get_by_role("button", name="Versturen").click()
    expect(patient.get_by_role("heading", level=1)).to_have_text("Dank u wel")

    # 3. The trainer calls before the start.
    trainer = new_page(chromium)
    log_in_as_trainer(trainer, base)
    trainer.goto(base + f"/medewerkers/groep/{group.pk}/bellen/")
    expect(trainer.locator("main")).to_contain_text("06-12345678")
    expect(trainer.locator("main")).to_contain_text("Liever 's avonds.")
    accessible(trainer, "to call")
    trainer.get_by_role("link", name="Gesprek vastleggen Fatma Yilmaz").click()
    accessible(trainer, "screening form")
    trainer.get_by_label("Past in de groep").check()
    trainer.get_by_role("button", name="Opslaan").click()
    expect(trainer.locator(".messages")).to_contain_text("Het gesprek met Fatma Yilmaz is opgeslagen.")

    # 4. Six weeks later: the group is over.
    sessions = list(group.sessions.filter(status=Session.Status.SCHEDULED).order_by("start"))
    later = sessions[-1].end + datetime.timedelta(days=2)
    with time_machine.travel(later, tick=True):
        trainer = new_page(chromium)
        log_in_as_trainer(trainer, base)
        trainer.goto(base + f"/medewerkers/groep/{group.pk}/bijeenkomst/{sessions[0].pk}/aanwezigheid/")
        trainer.get_by_role("group", name="Fatma Yilmaz").get_by_label(re.compile(r"^aanwezig$", re.IGNORECASE)).check()
        trainer.get_by_role("button", name="Aanwezigheid opslaan").click()
        expect(trainer.locator(".messages")).to_contain_text("De aanwezigheid is opgeslagen.")
        user = Trainer.objects.get(user__email=TRAINER.email).user
        for session in sessions[1:4]:
            record_attendance(session, {enrollment.pk: "present"}, by=user)

        # The questionnaire after, and the evaluation.
        call_command("run_periodic", stdout=io.StringIO())
        patient = new_page(chromium)
        patient.goto(base + link_in_last_email_to(PATIENT_EMAIL, r"/vragenlijst/[^\s]+/"))
        answer_all(patient, "Vaak")
        patient.get_by_label("Mijn huisarts mag in de brief over de training lezen hoe mijn score veranderde").check()
        patient.get_by_role("button", name="Versturen en verder").click()
        expect(patient.get_by_role("heading", level=1)).to_have_text("Wat vond u van de training?")
        accessible(patient, "evaluation")
        patient.get_by_role("group", name="Welk rapportcijfer geeft u de training?").get_by_label(
            "8", exact=True
        ).check()
        patient.get_by_role("group", name="Zou u de training aanraden aan iemand anders?").get_by_label("Ja").check()
        patient.get_by_role("button", name="Versturen").click()
        expect(patient.get_by_role("heading", level=1)).to_have_text("Dank u wel")

        trainer.goto(base + f"/medewerkers/groep/{group.pk}/uitkomsten/")
        expect(trainer.locator("main")).to_contain_text("+50")
        accessible(trainer, "outcomes")

        # 5. The office sees the letters and marks them sent.
        office = new_page(chromium)
        log_in_as_coordinator(office, base)
        expect(office.locator("main")).to_contain_text("Brieven aan de huisarts")
        office.goto(base + "/admin/brieven/")
        row = office.get_by_role("row").filter(has_text="Fatma Yilmaz")
        expect(row).to_have_count(2)  # start and end
        accessible(office, "letters")
        office.locator("input[name=brief]").evaluate_all("boxes => boxes.forEach(b => b.checked = false)")
        for letter in Letter.objects.filter(enrollment=enrollment):
            office.locator(f"#brief-{letter.pk}").check()
        office.get_by_role("button", name="Markeren als verstuurd").click()
        expect(office.locator("main")).to_contain_text("2 brieven staan nu op verstuurd.")
        assert Letter.objects.filter(enrollment=enrollment, sent_at__isnull=False).count() == 2
        end = Letter.objects.get(enrollment=enrollment, kind="end")
        assert "voor de training 25" in end.outcome_text and "na de training 75" in end.outcome_text

        # 6. The POH sees "afgerond" and the change in score.
        poh = new_page(chromium)
        log_in(poh, base, PROFESSIONAL.email, "/verwijzen/")
        row = poh.get_by_role("row").filter(has_text=referral.display_code)
        expect(row).to_contain_text("afgerond")
        expect(row).to_contain_text("25 → 75 (+50)")

        # A professional who is not verified sees none of it.
        stranger = new_page(chromium)
        log_in(stranger, base, NEW_PROFESSIONAL.email, f"/verwijzen/{referral.pk}/")
        expect(stranger.get_by_role("heading", level=1)).to_have_text("Alleen voor professionals")
        expect(stranger.locator("main")).not_to_contain_text(referral.display_code)
