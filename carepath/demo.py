"""Demo content of the care path: the demo wellbeing questionnaire (not a validated instrument), the first
version of the decision aid, written from the trainings' own suitability facts."""

import datetime
from decimal import Decimal

from django.utils import timezone

from booking.models import Attendance, Enrollment, Participant, TrainingGroup, WaitlistEntry
from booking.services import consent, planning
from courses.models import CoursePage
from home.languages import originals

from .models import (
    DecisionAnswer,
    DecisionQuestion,
    Invitation,
    Letter,
    Practice,
    Questionnaire,
    QuestionnaireItem,
    Referral,
    ScoreBand,
    Screening,
)
from .services import consent as referral_consent
from .services import letters, questionnaires, referrals

DEMO_QUESTIONNAIRE = "Hoe gaat het met u? (demo)"
DEMO_ITEMS = [
    "Ik kon de afgelopen twee weken goed ontspannen.",
    "Ik had de afgelopen twee weken energie voor de dingen die ik wilde doen.",
    "Ik kon de afgelopen twee weken omgaan met wat er op mijn pad kwam.",
    "Ik voelde me de afgelopen twee weken verbonden met mensen om mij heen.",
    "Ik sliep de afgelopen twee weken goed genoeg om uitgerust te zijn.",
]
DEMO_SCALE = ["Nooit", "Soms", "Regelmatig", "Vaak", "Bijna altijd"]
DEMO_BANDS = [(0, 40, "Het gaat niet goed"), (41, 70, "Het gaat redelijk"), (71, 100, "Het gaat goed")]


def ensure_demo_questionnaire():
    """The demo questionnaire: five items, 0-4 each, the sum times 5 gives 0-100. Made once; returns it."""
    questionnaire, created = Questionnaire.objects.get_or_create(
        name=DEMO_QUESTIONNAIRE,
        defaults={
            "intro": (
                "Vijf korte vragen over de afgelopen twee weken. Er zijn geen goede of foute antwoorden. "
                "Dit is een voorbeeldvragenlijst van de demo, geen gevalideerd meetinstrument."
            ),
            "is_demo": True,
            "scale_min": 0,
            "scale_max": 4,
            "scale_labels": "\n".join(DEMO_SCALE),
            "scoring": Questionnaire.Scoring.SUM,
            "multiplier": Decimal(5),
        },
    )
    if created:
        for order, text in enumerate(DEMO_ITEMS):
            QuestionnaireItem.objects.create(questionnaire=questionnaire, sort_order=order, text=text)
        for order, (low, high, label) in enumerate(DEMO_BANDS):
            ScoreBand.objects.create(questionnaire=questionnaire, sort_order=order, low=low, high=high, label=label)
    return questionnaire


NOT_A_GROUP = (
    "Een groep past nu niet. Bespreek met de huisarts wat wel past: behandeling in de basis-GGZ of de "
    "specialistische GGZ, of bij acuut gevaar de crisisdienst via de huisarts of huisartsenpost."
)


def _course(title):
    return originals(CoursePage.objects.live().filter(title=title)).first()


def _question(text, help_text="", *, start=False):
    return DecisionQuestion.objects.create(text=text, help_text=help_text, is_start=start)


def _answer(question, order, label, *, next_question=None, course_title="", advice=""):
    course = _course(course_title) if course_title else None
    if course_title and course is None:
        advice = advice or f"De training {course_title} is nu niet te vinden. Kijk bij de trainingen wat er is."
    DecisionAnswer.objects.create(
        question=question, sort_order=order, label=label, next_question=next_question, course=course, advice=advice
    )


def ensure_decision_aid():
    """The first version of the decision aid, when there is none yet; editors change it in the admin."""
    if DecisionQuestion.objects.exists():
        return DecisionQuestion.objects.filter(is_start=True).first()
    start = _question(
        "Is er nu sprake van een crisis, gedachten aan zelfdoding, een ernstige depressie of een verslaving?",
        "Dit zijn de redenen waarom geen van de groepstrainingen nu past.",
        start=True,
    )
    complaint = _question("Wat is de belangrijkste klacht?", "Kies wat de patiënt zelf het meest hindert.")
    age = _question("Is de patiënt tussen de 18 en 27 jaar?")
    sleep = _question(
        "Snurkt de patiënt heel hard, stopt de ademhaling in de slaap, of wil de patiënt stoppen met slaapmiddelen?"
    )
    loss = _question("Is het verlies langer dan drie maanden geleden, en is de patiënt 65 jaar of ouder?")
    violence = _question("Is er geweld in de relatie?")

    _answer(start, 0, "Ja", advice=NOT_A_GROUP)
    _answer(start, 1, "Nee", next_question=complaint)

    _answer(
        complaint,
        0,
        "Stress, spanning, moeite met grenzen stellen",
        course_title="Mentaal Fit",
        advice="Vijf bijeenkomsten over ontspannen, grenzen stellen en negatieve gedachten; ook oefenen thuis.",
    )
    _answer(complaint, 1, "Piekeren of sombere buien", next_question=age)
    _answer(complaint, 2, "Al langer dan een maand slecht slapen", next_question=sleep)
    _answer(complaint, 3, "Verdriet na een verlies", next_question=loss)
    _answer(complaint, 4, "Praten met anderen loopt vaak uit op ruzie of stilte", next_question=violence)

    _answer(
        age,
        0,
        "Ja",
        course_title="Grip op piekeren",
        advice="Een groep met leeftijdsgenoten die leren minder tijd kwijt te zijn aan piekeren.",
    )
    _answer(
        age,
        1,
        "Nee",
        course_title="Mindfulness",
        advice="Acht weken aandachtstraining; de patiënt oefent elke dag ongeveer een half uur.",
    )
    _answer(
        sleep,
        0,
        "Ja",
        advice="Eerst onderzoek of een gesprek bij de huisarts: snurken, ademstops en afbouwen van slaapmiddelen "
        "horen niet in een slaapgroep.",
    )
    _answer(
        sleep,
        1,
        "Nee",
        course_title="Beter slapen",
        advice="Online groep met een slaapdagboek; de patiënt heeft een computer, tablet of telefoon met camera nodig.",
    )
    _answer(
        loss,
        0,
        "Ja",
        course_title="Veerkracht na verlies",
        advice="Steun van mensen die hetzelfde meemaken.",
    )
    _answer(
        loss,
        1,
        "Nee",
        advice="Korter dan drie maanden na een verlies is een groep vaak nog te vroeg. Plan een vervolggesprek, "
        "of kijk samen naar hulp voor de patiënt alleen.",
    )
    _answer(
        violence,
        0,
        "Ja",
        advice="Een groep is dan niet veilig genoeg. Verwijs naar Veilig Thuis: 0800-2000 (gratis).",
    )
    _answer(
        violence,
        1,
        "Nee",
        course_title="Communicatie: van praten naar verbinding",
        advice="Leren rustig en duidelijk zeggen wat je bedoelt; alleen of samen met de partner.",
    )
    return start


# --- practices, a completed group and referrals in every status ---------------------------------------

PRACTICES = [
    {
        "name": "Huisartsenpraktijk Het Kwadrant",
        "agb_code": "01059321",
        "address": "Kwadrantplein 4",
        "postcode": "5684 CV",
        "town": "Best",
        "letter_email": "brieven@kwadrant.voorbeeld.example",
    },
    {
        "name": "Gezondheidscentrum De Smelen",
        "agb_code": "01057784",
        "address": "Smelenplein 2",
        "postcode": "5664 HX",
        "town": "Geldrop",
        "letter_email": "",
    },
]
# Invented people of the completed group: (first, last, year, answers before, answers after, sessions attended).
COMPLETED_GROUP = [
    ("Ilona", "Verbeek", 1977, 1, 3, 5),
    ("Bram", "Hoogendijk", 1969, 2, 3, 4),
    ("Yasmin", "el Idrissi", 1990, 1, 2, 5),
    ("Frank", "Mertens", 1958, 2, 2, 4),
    ("Petra", "Scholten", 1983, 1, 1, 2),
    ("Ruben", "van Aalst", 1995, 0, 3, 5),
]


def ensure_care_path_demo(*, groups, course_pages, locations, trainer, professional, coordinator, tally):
    """Practices, a completed group with screenings, answers and letters, and referrals in every status; once."""
    ensure_demo_questionnaire()
    ensure_decision_aid()
    if Practice.objects.exists() or not groups:
        return
    now = timezone.now()
    kwadrant, smelen = (Practice.objects.create(**data) for data in PRACTICES)
    kwadrant.members.add(professional)
    tally.add("practices", 2)

    completed, people = _completed_group(course_pages["mentaal-fit"], locations["best"], trainer, kwadrant, now)
    tally.add("groups")
    _screenings(completed, people, trainer.user, now)
    _answers(completed, people, now)
    made = letters.create_due_letters(now)
    tally.add("letters", made)
    # The office already sent the start letters; the end letters are waiting.
    letters.mark_sent(list(Letter.objects.filter(kind=Letter.Kind.START)), by=coordinator, now=now)
    _referrals(professional, kwadrant, groups, completed, people, now)
    tally.add("referrals", Referral.objects.count())


def _completed_group(course, location, trainer, practice, now):
    first = timezone.localtime(now - datetime.timedelta(weeks=10)).replace(hour=19, minute=0, second=0, microsecond=0)
    group = TrainingGroup.objects.create(course=course, location=location, status=TrainingGroup.Status.OPEN)
    planning.set_trainers(group, [trainer])
    planning.plan_sessions(group, first_start=first)
    sessions = list(group.sessions.order_by("start"))
    people = []
    for number, (first_name, last_name, year, _before, _after, attended) in enumerate(COMPLETED_GROUP):
        participant = Participant.objects.create(
            first_name=first_name,
            last_name=last_name,
            email=f"{first_name}.{last_name}".lower().replace(" ", "") + "@voorbeeld.example",
            phone=f"06-{23450000 + number * 1301:08d}",
            birth_year=year,
            postcode=f"568{number} BA",
            gp_practice=practice.name,
            gp_letter_consent=number % 3 != 2,
            gp_letter_consent_at=first - datetime.timedelta(days=21) if number % 3 != 2 else None,
        )
        enrollment = Enrollment.objects.create(
            group=group,
            participant=participant,
            status=Enrollment.Status.CONFIRMED,
            consent_text_version=consent.VERSION,
            consent_at=first - datetime.timedelta(days=21),
            confirmed_at=first - datetime.timedelta(days=21),
        )
        for session in sessions[:attended]:
            Attendance.objects.create(session=session, enrollment=enrollment, status=Attendance.Status.PRESENT)
        for session in sessions[attended:]:
            Attendance.objects.create(session=session, enrollment=enrollment, status=Attendance.Status.ABSENT)
        people.append(enrollment)
    planning.advance_group_statuses(now)
    return group, people


def _screenings(group, people, caller, now):
    first = group.sessions.order_by("start").first().start
    for number, enrollment in enumerate(people):
        called = first - datetime.timedelta(days=7, hours=number)
        if number == 3:
            Screening.objects.create(
                enrollment=enrollment,
                called_at=called - datetime.timedelta(days=2),
                called_by=caller,
                outcome=Screening.Outcome.DOUBT,
                note="Twijfelt of de avond lukt; overlegd met de POH.",
            )
        Screening.objects.create(
            enrollment=enrollment, called_at=called, called_by=caller, outcome=Screening.Outcome.SUITABLE
        )


def _answers(group, people, now):
    questionnaire = ensure_demo_questionnaire()
    items = list(questionnaire.items.all())
    first = group.sessions.order_by("start").first().start
    last = group.sessions.order_by("start").last().end
    for number, enrollment in enumerate(people):
        _first, _last, _year, before, after, attended = COMPLETED_GROUP[number]
        pre = Invitation.objects.create(
            enrollment=enrollment, questionnaire=questionnaire, moment="pre", created_at=first - timedelta_days(14)
        )
        questionnaires.answer(pre, {item.pk: before for item in items}, now=first - timedelta_days(12))
        if attended < 4:
            continue  # stopped early: no answers after
        post = Invitation.objects.create(
            enrollment=enrollment, questionnaire=questionnaire, moment="post", created_at=last + timedelta_days(1)
        )
        questionnaires.answer(
            post, {item.pk: after for item in items}, share_with_gp=number % 2 == 0, now=last + timedelta_days(2)
        )
        evaluation = Invitation.objects.create(enrollment=enrollment, moment="evaluation", created_at=last)
        questionnaires.evaluate(
            evaluation,
            grade=7 + number % 3,
            would_recommend=number != 3,
            helped=["De ademhalingsoefening.", "Horen dat anderen hetzelfde hebben.", ""][number % 3],
            now=last + timedelta_days(2),
        )


def timedelta_days(days):
    return datetime.timedelta(days=days)


def _referral(referrer, practice, course, now, *, days_ago, opened=True, shares=True, **links):
    created = now - timedelta_days(days_ago)
    referral = Referral.objects.create(
        referrer=referrer,
        practice=practice,
        course=course,
        delivery=Referral.Delivery.PRINT,
        created_at=created,
        expires_at=created + timedelta_days(referrals.valid_days()),
        opened_at=created + timedelta_days(1) if opened else None,
        **links,
    )
    if shares and opened:
        referral.share_consent_at = created + timedelta_days(1)
        referral.share_consent_version = referral_consent.SHARE_VERSION
        referral.save(update_fields=["share_consent_at", "share_consent_version"])
    return referral


def _referrals(professional, practice, groups, completed, people, now):
    mentaal_fit = completed.course
    upcoming = groups["mf-helmond"]
    running = groups["mf-geldrop"]
    waiting = WaitlistEntry.objects.filter(status=WaitlistEntry.Status.WAITING).order_by("pk").first()
    # Created, not opened yet; opened; and one whose code ran out.
    _referral(professional, practice, None, now, days_ago=2, opened=False)
    _referral(professional, practice, mentaal_fit, now, days_ago=6, shares=False)
    _referral(professional, practice, mentaal_fit, now, days_ago=120, opened=False)
    # Signed up for a group that starts soon; the same, without consent to share (shows "geopend").
    signed_up = upcoming.enrollments.filter(status=Enrollment.Status.CONFIRMED).order_by("pk")
    _referral(professional, practice, upcoming.course, now, days_ago=20, enrollment=signed_up[0])
    _referral(professional, practice, upcoming.course, now, days_ago=22, shares=False, enrollment=signed_up[1])
    if waiting is not None:
        _referral(professional, practice, waiting.course, now, days_ago=30, waitlist_entry=waiting)
    started = running.enrollments.filter(attendance__status=Attendance.Status.PRESENT).distinct().order_by("pk")
    if started.exists():
        _referral(professional, practice, running.course, now, days_ago=45, enrollment=started[0])
    # The completed group: completed, and one who stopped after two sessions.
    _referral(professional, practice, mentaal_fit, now, days_ago=90, enrollment=people[0])
    _referral(professional, practice, mentaal_fit, now, days_ago=88, enrollment=people[4])
