"""Demo content of the care path: the demo wellbeing questionnaire (not a validated instrument)."""

from decimal import Decimal

from .models import Questionnaire, QuestionnaireItem, ScoreBand

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
