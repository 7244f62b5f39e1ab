"""Demo content of the care path: the demo wellbeing questionnaire (not a validated instrument), the first
version of the decision aid, written from the trainings' own suitability facts."""

from decimal import Decimal

from courses.models import CoursePage

from .models import DecisionAnswer, DecisionQuestion, Questionnaire, QuestionnaireItem, ScoreBand

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
    return CoursePage.objects.live().filter(title=title).first()


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
