"""Demo planning: groups over the coming months, some nearly full, one full with a waiting list,
one behind a registration stop, one already running with attendance, one starting soon with too few people.

Dates are counted from the day the demo is loaded. All participants are invented.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from booking.clock import LOCAL_TZ
from booking.models import Attendance, Enrollment, Participant, RegistrationStop, TrainingGroup, WaitlistEntry
from booking.services import consent, places, planning
from courses.models import SuitabilityQuestion

# Suitability questions every demo course asks at sign-up.
QUESTIONS = [
    (
        "Bent u 18 jaar of ouder?",
        "yes",
        "Deze training is voor volwassenen. Bent u jonger? Vraag uw huisarts of POH-GGZ welke hulp bij u past.",
    ),
    (
        "Kunt u uw dagelijkse dingen meestal nog doen, zoals werk, huishouden of school?",
        "yes",
        "Het klinkt alsof uw klachten nu zwaar zijn. Een groep is dan vaak te veel. "
        "Maak een afspraak met uw huisarts of POH-GGZ. Samen kijkt u welke hulp nu beter past.",
    ),
    (
        "Vindt u het goed om in een groep over uw ervaringen te praten en naar anderen te luisteren?",
        "yes",
        "In deze training praat u met andere deelnemers. Liever alleen met een hulpverlener? "
        "Dat kan ook. Bespreek het met uw POH-GGZ.",
    ),
    (
        "Zit u op dit moment in een crisis, of denkt u aan zelfdoding?",
        "no",
        "Dan is een groepstraining nu niet de juiste hulp. Bel vandaag nog uw huisarts. "
        "'s Avonds en in het weekend belt u de huisartsenpost. "
        "U kunt ook dag en nacht gratis bellen met 113 Zelfmoordpreventie: 0800-0113.",
    ),
]

# Invented people: first name, last name, birth year, four-digit postcode area.
PEOPLE = [
    ("Eva", "Jansen", 1984, "5701"),
    ("Daan", "de Bruijn", 1979, "5702"),
    ("Sophie", "van Dijk", 1991, "5703"),
    ("Lucas", "Bakker", 1968, "5704"),
    ("Emma", "van der Linden", 1987, "5705"),
    ("Milan", "Peeters", 1995, "5706"),
    ("Julia", "Smits", 1973, "5707"),
    ("Thijs", "van den Broek", 1982, "5708"),
    ("Lotte", "IJzerman", 1990, "5709"),
    ("Sem", "Verhoeven", 1966, "5611"),
    ("Anna", "Coppens", 1988, "5612"),
    ("Bram", "van Beek", 1976, "5613"),
    ("Noa", "Claessens", 1999, "5614"),
    ("Ruben", "Maas", 1985, "5615"),
    ("Fenna", "Hendriks", 1971, "5616"),
    ("Jesse", "de Groot", 1993, "5621"),
    ("Iris", "Willems", 1981, "5622"),
    ("Stijn", "van Gerwen", 1964, "5623"),
    ("Zoë", "Aarts", 1997, "5624"),
    ("Mees", "Kuijpers", 1989, "5625"),
    ("Roos", "van Loon", 1978, "5501"),
    ("Gijs", "Biemans", 1986, "5502"),
    ("Maud", "Swinkels", 1992, "5503"),
    ("Teun", "Hoogendijk", 1970, "5504"),
    ("Sara", "el Amrani", 1994, "5505"),
    ("Luuk", "van Rooij", 1983, "5671"),
    ("Femke", "Vos", 1977, "5672"),
    ("Ties", "Bosch", 1990, "5673"),
    ("Nina", "Verbeek", 1985, "5751"),
    ("Joep", "van de Ven", 1969, "5752"),
    ("Elin", "Schepers", 1996, "5753"),
    ("Hugo", "Gerritsen", 1974, "5754"),
    ("Jasmijn", "Wouters", 1988, "5721"),
    ("Olivier", "Römer", 1980, "5722"),
    ("Lieke", "Dekkers", 1991, "5723"),
    ("Pim", "van Heugten", 1967, "5724"),
]

# (key, course slug, location key, weeks from now to the first session (negative: already running),
#  weekday (0 = Monday), start time, participants, status)
PLAN = [
    ("mf-helmond", "mentaal-fit", "helmond", 3, 1, "19:00", 8, "open"),
    ("mf-eindhoven", "mentaal-fit", "eindhoven-centrum", 5, 3, "13:30", 10, "open"),
    ("mf-geldrop", "mentaal-fit", "geldrop", -3, 2, "10:00", 7, "running"),
    ("mf-deurne", "mentaal-fit", "deurne", 11, 1, "19:30", 0, "planned"),
    ("mind-nuenen", "mindfulness", "nuenen", 4, 0, "19:30", 3, "open"),
    ("mind-best", "mindfulness", "best", 7, 2, "14:00", 6, "open"),
    ("com-woensel", "communicatie-van-praten-naar-verbinding", "eindhoven-woensel", 6, 3, "19:00", 2, "open"),
    ("com-helmond", "communicatie-van-praten-naar-verbinding", "helmond", 8, 0, "13:30", 4, "open"),
    ("pieker-veldhoven", "grip-op-piekeren", "veldhoven", 2, 2, "19:00", 9, "open"),
    ("slaap-online", "beter-slapen", "online", 3, 3, "20:00", 5, "open"),
    ("verlies-deurne", "veerkracht-na-verlies", "deurne", 5, 4, "10:00", 4, "open"),
    ("blijven-helmond", "mindfulness-blijven-oefenen", "helmond", 9, 1, "19:30", 1, "open"),
    # Starts soon with too few people: the office decides (go ahead, merge with Best, or cancel).
    ("mind-geldrop", "mindfulness", "geldrop", 1, 3, "10:00", 2, "open"),
]
FULL_GROUP_WAITLIST = ["mf-eindhoven"]
STOPPED_GROUP = "com-woensel"


def add_questions(page):
    """Suitability questions for a course page that is being created (no revision of their own)."""

    page.suitability_questions = [
        SuitabilityQuestion(question=question, fitting_answer=answer, advice=advice, sort_order=number)
        for number, (question, answer, advice) in enumerate(QUESTIONS)
    ]


def _first_start(today, weeks, weekday, clock):
    monday = today - datetime.timedelta(days=today.weekday())
    day = monday + datetime.timedelta(weeks=weeks, days=weekday)
    hour, minute = (int(part) for part in clock.split(":"))
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LOCAL_TZ)


def _person_data(person, number, min_age=18):
    first, last, year, pc4 = person
    # Courses for older people get older demo participants.
    year = min(year, timezone.localdate().year - min_age - number % 9)
    email_name = f"{first}.{last}".lower().replace(" ", "").replace("ë", "e").replace("ö", "o")
    return {
        "first_name": first,
        "last_name": last,
        "email": f"{email_name}.{number}@voorbeeld.example",
        "phone": f"06-{12000000 + number * 7919 % 8000000:08d}",
        "birth_year": year,
        "postcode": f"{pc4} {'ABCDEFGHJK'[number % 10]}{'LMNPRSTVWX'[number % 10]}",
    }


def ensure_groups(course_pages, locations, trainers, tally):
    """Plan the demo groups, once: when any group exists, planning is left alone."""
    if TrainingGroup.objects.exists():
        return {}
    now = timezone.now()
    today = timezone.localdate()
    people = iter(enumerate(PEOPLE * 3))
    groups = {}
    for key, slug, location_key, weeks, weekday, clock, taken, status in PLAN:
        course = course_pages[slug]
        group = TrainingGroup.objects.create(
            course=course, location=locations[location_key], status=TrainingGroup.Status.OPEN
        )
        planning.set_trainers(group, list(course.trainers.all()))
        first = _first_start(today, weeks, weekday, clock)
        planning.plan_sessions(group, first_start=first)
        if weeks > 0:
            group.signup_deadline = first - datetime.timedelta(days=2)
        group.save()
        groups[key] = group
        tally.add("groups")

        for _ in range(taken):
            number, person = next(people)
            data = _person_data(person, number, course.min_age)
            if status == "running":
                # Signed up before the start: placed directly, as the sign-up rules no longer apply now.
                participant = Participant.objects.create(**data)
                Enrollment.objects.create(
                    group=group,
                    participant=participant,
                    status=Enrollment.Status.CONFIRMED,
                    consent_text_version=consent.VERSION,
                    consent_at=first - datetime.timedelta(days=20),
                    confirmed_at=first - datetime.timedelta(days=20),
                )
            else:
                held = places.hold_places(group, [data], consent_text_version=consent.VERSION, now=now)
                places.confirm_enrollment(held[0], now=now)
            tally.add("enrollments")
        if status != "open":
            group.status = status
            group.save(update_fields=["status"])

    _attendance_for_running_group(groups["mf-geldrop"], now, tally)
    _changes_in_the_plan(groups, tally)
    _waiting_list(groups, course_pages, locations, people, now, tally)
    RegistrationStop.objects.create(
        course=groups[STOPPED_GROUP].course,
        location=groups[STOPPED_GROUP].location,
        message=(
            "Op deze locatie starten we voorlopig geen nieuwe groepen voor deze training: de trainers zijn met "
            "verlof. Kies een andere locatie, of zet uzelf op de wachtlijst. Dan hoort u het als er weer plaats is."
        ),
        ends_at=now + datetime.timedelta(days=90),
    )
    tally.add("registration stops")
    return groups


def _attendance_for_running_group(group, now, tally):
    statuses = [Attendance.Status.PRESENT] * 5 + [Attendance.Status.ABSENT_NOTIFIED, Attendance.Status.ABSENT]
    enrollments = list(group.enrollments.all())
    for session in group.sessions.filter(end__lt=now).order_by("start"):
        for number, enrollment in enumerate(enrollments):
            status = statuses[(number + session.sequence) % len(statuses)]
            Attendance.objects.create(session=session, enrollment=enrollment, status=status)
            tally.add("attendance")


def _changes_in_the_plan(groups, tally):
    """One session moved (the room was taken that evening) and one cancelled (a holiday), as offices do.

    Through the planning services, so the participants get their emails and
    the calendars show both. The move takes the first later day that clashes
    with nothing.
    """
    session = groups["mf-helmond"].sessions.order_by("start")[2]
    for days in (1, 2, 3):
        shift = datetime.timedelta(days=days)
        try:
            planning.move_session(session, session.start + shift, session.end + shift)
        except ValidationError:
            continue
        tally.add("sessions moved")
        break
    planning.cancel_session(groups["mind-nuenen"].sessions.order_by("start")[3])
    tally.add("sessions cancelled")


def _waiting_list(groups, course_pages, locations, people, now, tally):
    for key in FULL_GROUP_WAITLIST:
        group = groups[key]
        for order in range(3):
            number, person = next(people)
            participant = Participant.objects.create(**_person_data(person, number))
            entry = WaitlistEntry.objects.create(
                course=group.course,
                participant=participant,
                part_of_day=["any", "afternoon", "evening"][order],
                consent_text_version=consent.VERSION,
                consent_at=now - datetime.timedelta(days=30 - order * 7),
                rank=(now - datetime.timedelta(days=30 - order * 7)).timestamp(),
            )
            entry.preferred_locations.set([group.location] if order != 1 else [])
            tally.add("waiting list")
