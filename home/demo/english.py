"""English versions of the home page and two trainings, made the way an editor makes them (Wagtail's "Vertalen").

The English pages have English addresses (/trainings/mentally-fit/); the Dutch addresses stay as they were.

The English pages are translations of the Dutch ones: the same groups, places and waiting list (see
home.languages). Every other page stays Dutch for an English visitor, in the English frame of the site.
"""

from wagtail.models import Locale

from .courses import FEATURED
from .stream import bullets, call_to_action, faq, heading, paragraph, quote, steps

ENGLISH = "en"

HOME = {
    "title": "Groepswijzer",
    "seo_title": "Group trainings close to home in Zuidoost-Brabant",
    "intro": (
        "Find a group training for your mental health, close to home in Zuidoost-Brabant. "
        "You practise together with 5 to 10 others, led by experienced trainers."
    ),
    "search_title": "Find a training near you",
    "featured_title": "Featured trainings",
    "professionals_title": "For professionals",
    "professionals_text": (
        "Are you a mental health practice nurse, a GP or a psychologist? Here you read how to refer someone to a "
        "group training. Most of these pages are in Dutch."
    ),
}


def home_body(course_index):
    return [
        heading("How it works"),
        paragraph(
            "<p>Most trainings are given in Dutch. Some pages are in English as well. "
            "Not sure whether your Dutch is good enough for a group? Ask your GP or the trainer.</p>"
            + steps(
                "Not sure whether a group suits you? Talk to your GP or practice nurse first.",
                "Choose a training and a place near you. Or choose an online group.",
                "Sign up and pay your own contribution. Usually that is 35 euros.",
                "You receive a confirmation with the dates of all sessions.",
            )
        ),
        call_to_action("See all trainings", course_index),
    ]


COURSE_INDEX = {
    "title": "Trainings",
    "slug": "trainings",
    "intro": (
        "Here you find all group trainings in the region. Enter your postcode to see which place is closest to you. "
        "Most trainings have 5 sessions of 2 hours, in a group of 5 to 10 people."
    ),
}

CRISIS = "you are in a crisis right now, or you are thinking about suicide"
SEVERE_DEPRESSION = "you have a severe depression"
ADDICTION = "you are addicted to alcohol, drugs or medicines at the moment"
TALK_TO_GP = (
    "<p>Talk to your GP or practice nurse. Together you look for help that does fit. "
    "That can also be help just for you.</p>"
)
URGENT_HELP = (
    "<p>Do you need help right now? Call your GP or the out-of-hours GP service. If a life is in danger, call 112.</p>"
)
MISSED_SESSION = (
    "What if I cannot come once?",
    "<p>Let the trainer know as soon as you can. You get the exercises to do at home. "
    "Do you miss more than one session? Then the trainer talks with you about whether the training suits you now.</p>",
)
WHAT_YOU_SHARE = (
    "Do I have to talk about my problems in the group?",
    "<p>No. You decide what you tell. What is said in the group stays in the group.</p>",
)
COSTS = (
    "What does the training cost?",
    "<p>You pay your own contribution of 35 euros. You can pay online or at the first session. "
    "Can you not pay this? Please contact the regional office. Together we will find a solution.</p>",
)
LANGUAGE = (
    "Is the training in English?",
    "<p>The groups speak Dutch. The trainers can explain things in English, and the workbook is simple. "
    "Ask the regional office if you are unsure.</p>",
)

QUESTIONS = [
    (
        "Are you 18 or older?",
        "yes",
        "This training is for adults. Are you younger? Ask your GP or practice nurse which help suits you.",
    ),
    (
        "Can you usually still do your daily things, such as work, housework or school?",
        "yes",
        "It sounds as if your complaints are heavy right now. A group is then often too much. "
        "Make an appointment with your GP or practice nurse. Together you look at which help suits you better now.",
    ),
    (
        "Are you fine with talking about your experiences in a group and listening to others?",
        "yes",
        "In this training you talk with other participants. Would you rather talk to a counsellor alone? "
        "That is possible too. Discuss it with your practice nurse.",
    ),
    (
        "Are you in a crisis at the moment, or are you thinking about suicide?",
        "no",
        "Then a group training is not the right help now. Call your GP today. "
        "In the evening and at the weekend, call the out-of-hours GP service. "
        "You can also call 113 Suicide Prevention for free, day and night: 0800-0113.",
    ),
]

COURSES = {
    "mentaal-fit": {
        "slug": "mentally-fit",
        "title": "Mentaal Fit",
        "seo_title": "Mentaal Fit: a group training about stress",
        "summary": (
            "In five sessions you learn to deal better with stress and tension. You practise relaxing, "
            "setting limits and looking at negative thoughts in another way."
        ),
        "complaints": (
            "stress and tension\na restless mind\nquickly tired or irritable\nworrying\nfinding it hard to say no"
        ),
        "learning_goals": (
            "notice when tension builds up\n"
            "relax with simple exercises\n"
            "set your limits\n"
            "recognise negative thoughts and steer them\n"
            "make a plan for difficult moments"
        ),
        "suitable_for": bullets(
            "you suffer from mild or moderate stress or tension",
            "you want to get to work yourself, also at home between the sessions",
            "you like learning from others in a group",
        ),
        "not_suitable_for": bullets(CRISIS, SEVERE_DEPRESSION, ADDICTION, "you cannot be at all five sessions"),
        "alternative_advice": TALK_TO_GP + URGENT_HELP,
        "follow_up_text": (
            "Would you like to go on practising how you talk with others? "
            "Then the training Communicatie: van praten naar verbinding suits you."
        ),
        "body": [
            heading("What can you expect?"),
            paragraph(
                "<p>You are in a group of 5 to 10 people. Two trainers lead the group. "
                "Each week is about one subject: recognising tension, relaxing, limits, "
                "thoughts and a plan for later. You get a workbook to read and write in. "
                "After each session you take a small task home.</p>"
            ),
            quote(
                "I thought I was the only one who dreaded every working day. "
                "In the group I noticed that others felt the same. That was a relief.",
                "Participant in Mentaal Fit, Helmond",
            ),
            faq(
                WHAT_YOU_SHARE,
                COSTS,
                MISSED_SESSION,
                (
                    "Do I need a referral?",
                    "<p>No, you can sign up yourself. It is wise to discuss it with your GP or practice nurse first. "
                    "They know whether this training suits you.</p>",
                ),
                LANGUAGE,
                title="Frequently asked questions",
            ),
        ],
    },
    "mindfulness": {
        "slug": "mindfulness-training",
        "title": "Mindfulness",
        "seo_title": "Mindfulness: a group training",
        "summary": (
            "You learn to live with attention, here and now. That way you deal more calmly with stress, worries and "
            "difficult feelings."
        ),
        "complaints": "stress\nworrying\nlow mood that keeps coming back\nrestlessness\nfinding it hard to relax",
        "learning_goals": (
            "turn your attention to your breath and your body\n"
            "notice what happens inside you, without judging straight away\n"
            "pause before you react on autopilot\n"
            "practise a few minutes every day"
        ),
        "suitable_for": bullets(
            "you suffer from stress, worrying or low moods",
            "you want to practise for about half an hour every day",
            "you are curious about another way of dealing with worries",
        ),
        "not_suitable_for": bullets(
            CRISIS,
            SEVERE_DEPRESSION,
            ADDICTION,
            "you recently had a psychosis, or went through something very shocking",
        ),
        "alternative_advice": TALK_TO_GP + URGENT_HELP,
        "follow_up_text": (
            "After the training you can join Mindfulness: blijven oefenen (keep practising). "
            "Four sessions to keep the thread together."
        ),
        "body": [
            heading("What can you expect?"),
            paragraph(
                "<p>The training has eight sessions at a location. You do exercises sitting, lying down and walking. "
                "Then you talk in the group about what you noticed. At home you practise with audio recordings in "
                "the online module. You also get a folder with explanations to read again later.</p>"
            ),
            quote(
                "My worries have not gone. But I no longer get carried away by them so much.",
                "Participant in Mindfulness, Nuenen",
            ),
            faq(
                (
                    "Is mindfulness something vague or spiritual?",
                    "<p>No. It is about attention: noticing what happens now. "
                    "You do not have to believe anything, and you do not have to take difficult postures.</p>",
                ),
                (
                    "How much time does it take at home?",
                    "<p>Count on about half an hour a day. That is a lot, but it is also what makes the "
                    "difference.</p>",
                ),
                COSTS,
                MISSED_SESSION,
                LANGUAGE,
                title="Frequently asked questions",
            ),
        ],
    },
}
# The two trainings with an English page: both featured on the home page.
TRANSLATED_COURSES = [slug for slug in FEATURED if slug in COURSES]


def english_locale(tally):
    locale, created = Locale.objects.get_or_create(language_code=ENGLISH)
    if created:
        tally.add("languages")
    return locale


def _translate(page, locale, fields, tally, user, after=None):
    """The page's English translation, made, filled in and published once when it is missing: (page, made now)."""
    existing = page.get_translation_or_none(locale)
    if existing is not None:
        return existing.specific, False
    translated = page.copy_for_translation(locale, copy_parents=False).specific
    for name, value in fields.items():
        setattr(translated, name, value)
    if after is not None:
        after(translated)
    translated.save_revision(user=user).publish(user=user)
    tally.add("English pages")
    return translated, True


def ensure_english(home, course_index, course_pages, tally, user):
    """English home page, overview of trainings and two trainings (each made once)."""
    locale = english_locale(tally)
    english_home, home_is_new = _translate(home, locale, HOME, tally, user)
    english_index, _made = _translate(course_index, locale, COURSE_INDEX, tally, user)
    if home_is_new:
        # The body links to the English overview, which can only be made under the English home page. Read the
        # home page again first: making the overview below it changed its place in the tree (its child count).
        english_home.refresh_from_db()
        english_home.body = home_body(english_index)
        english_home.save_revision(user=user).publish(user=user)
    for slug in TRANSLATED_COURSES:
        fields = dict(COURSES[slug])
        _translate(course_pages[slug], locale, fields, tally, user, after=_english_questions)


def _english_questions(page):
    """The sign-up questions of a translated course page, in English (same order and answers as the Dutch ones)."""
    questions = list(page.suitability_questions.all())
    for question, (text, answer, advice) in zip(questions, QUESTIONS, strict=False):
        question.question = text
        question.fitting_answer = answer
        question.advice = advice
    page.suitability_questions = questions
