"""Demo training days for professionals: one ahead with places, an intervisie with 2 places left, and one past
day where the demo professional was present (so the certificate can be downloaded).

Safe to run again: pages are found by their slug, colleagues by their address, bookings by day and account.
Every name and address is invented.
"""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts import roles
from accounts.models import ProfessionalProfile

from .models import TrainingDayBooking, TrainingDayIndexPage, TrainingDayPage, TrainingDaySpeaker, local_today
from .services import unused_certificate_code

Status = TrainingDayBooking.Status

INDEX = {
    "slug": "scholing",
    "title": "Scholing en intervisie",
    "intro": (
        "Scholingsdagen, terugkombijeenkomsten en intervisie voor POH-GGZ, huisartsen en psychologen in de regio. "
        "Aanmelden kan met een goedgekeurd account voor professionals. Na afloop krijgt u een certificaat."
    ),
}

# (first name, last name, email, organisation): invented colleagues who fill the demo days.
COLLEAGUES = [
    ("Fleur", "van den Heuvel", "fleur.vandenheuvel@demo-praktijk.example", "Huisartsenpraktijk De Linde"),
    ("Bram", "Verhoeven", "bram.verhoeven@demo-praktijk.example", "Gezondheidscentrum Woensel"),
    ("Ilse", "de Bruijn", "ilse.debruijn@demo-praktijk.example", "Huisartsenpraktijk Het Anker"),
    ("Joëlle", "Smits", "joelle.smits@demo-praktijk.example", "Zorggroep De Kempen"),
]


def _body(*paragraphs):
    return [("paragraph", f"<p>{text}</p>") for text in paragraphs]


DAYS = [
    {
        "slug": "scholing-slaapproblemen-in-de-huisartsenpraktijk",
        "title": "Slaapproblemen in de huisartsenpraktijk",
        "kind": TrainingDayPage.Kind.TRAINING_DAY,
        "summary": (
            "Een middag over slaapproblemen: wat werkt in een groep, wanneer verwijst u, en hoe bespreekt u het "
            "slaapdagboek met een patiënt."
        ),
        "in_days": 24,
        "times": (datetime.time(13, 30), datetime.time(17, 0)),
        "location": "eindhoven-centrum",
        "online_link": "",
        "accreditation": "3 punten ADV/V&VN",
        "capacity": 24,
        "price": 0,
        "speakers": [("Drs. Marleen Kools", "GZ-psycholoog"), ("Sander Wijnen", "POH-GGZ en trainer")],
        "body": _body(
            "U leert de opbouw van de groepstraining Beter slapen kennen en oefent met het slaapdagboek.",
            "Programma: 13.30 uur ontvangst, 13.45 uur wat werkt bij slaapproblemen, 15.15 uur pauze, "
            "15.30 uur oefenen in kleine groepen, 16.45 uur afsluiting.",
        ),
        "colleagues_booked": 2,
        "professional": None,
    },
    {
        "slug": "intervisie-poh-ggz-groepen-begeleiden",
        "title": "Intervisie POH-GGZ: groepen begeleiden",
        "kind": TrainingDayPage.Kind.INTERVISION,
        "summary": (
            "Een avond intervisie in een kleine groep: u brengt een situatie uit een groepstraining in en "
            "bespreekt die met collega's."
        ),
        "in_days": 10,
        "times": (datetime.time(19, 0), datetime.time(21, 0)),
        "location": None,
        "online_link": "https://meet.groepswijzer.example/intervisie-poh-ggz",
        "accreditation": "2 punten ADV/V&VN",
        "capacity": 6,
        "price": 0,
        "speakers": [("Annemiek Peeters", "intervisiebegeleider")],
        "body": _body(
            "We werken met de incidentmethode. Neem een korte situatie mee uit uw eigen praktijk.",
            "Online, met camera en microfoon. De link staat in uw bevestiging.",
        ),
        "colleagues_booked": 4,
        "professional": None,
    },
    {
        "slug": "terugkombijeenkomst-mentaal-fit",
        "title": "Terugkombijeenkomst Mentaal Fit",
        "kind": TrainingDayPage.Kind.RETURN_MEETING,
        "summary": "Ervaringen met de groepen van het afgelopen halfjaar, en wat er verandert in de training.",
        "in_days": -14,
        "times": (datetime.time(14, 0), datetime.time(16, 30)),
        "location": "eindhoven-centrum",
        "online_link": "",
        "accreditation": "2 punten ADV/V&VN",
        "capacity": 20,
        "price": 25,
        "speakers": [("Marieke Hendriks", "trainer Mentaal Fit")],
        "body": _body("We kijken terug op de groepen en bespreken de nieuwe oefeningen."),
        "colleagues_booked": 3,
        "professional": "present",
    },
]


def _working_day(day):
    """The day, or the next weekday outside the Christmas holidays (no demo training on a Sunday or 25 December)."""
    while day.weekday() >= 5 or (day.month, day.day) >= (12, 24) or (day.month, day.day) <= (1, 1):
        day += datetime.timedelta(days=1)
    return day


def _ensure_child(parent, slug, make_page, tally, user):
    existing = parent.get_children().filter(slug=slug).first()
    if existing is not None:
        return existing.specific, False
    page = make_page()
    page.slug = slug
    parent.add_child(instance=page)
    page.save_revision(user=user).publish(user=user)
    tally.add("pages")
    return page, True


def _colleagues(tally):
    User = get_user_model()
    group, _created = Group.objects.get_or_create(name=roles.PROFESSIONALS)
    people = []
    for first_name, last_name, email, organisation in COLLEAGUES:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email, first_name=first_name, last_name=last_name)
            user.set_unusable_password()
            user.save()
            ProfessionalProfile.objects.create(
                user=user,
                organisation=organisation,
                role=ProfessionalProfile.Role.POH_GGZ,
                practice=organisation,
                status=ProfessionalProfile.Status.VERIFIED,
                decided_at=timezone.now(),
            )
            user.groups.add(group)
            tally.add("demo colleagues")
        people.append(user)
    return people


def _booking(event, user, *, attended=None, marked_by=None, at):
    booking, created = TrainingDayBooking.objects.get_or_create(
        event=event, user=user, defaults={"status": Status.BOOKED, "created_at": at, "placed_at": at}
    )
    if created and attended is not None:
        booking.attended = attended
        booking.attendance_marked_at = event.end
        booking.attendance_marked_by = marked_by
        booking.certificate_code = unused_certificate_code() if attended else None
        booking.save()
    return created


def ensure_training_days_demo(*, professionals_index, locations, professional, coordinator, editor, tally):
    """The index page and the three demo days with their bookings; returns the days by slug."""
    index, _created = _ensure_child(
        professionals_index,
        INDEX["slug"],
        lambda: TrainingDayIndexPage(title=INDEX["title"], intro=INDEX["intro"]),
        tally,
        editor,
    )
    colleagues = _colleagues(tally)
    today = local_today()
    days = {}
    for data in DAYS:
        start, end = data["times"]

        def make(data=data, start=start, end=end):
            page = TrainingDayPage(
                title=data["title"],
                kind=data["kind"],
                summary=data["summary"],
                date=_working_day(today + datetime.timedelta(days=data["in_days"])),
                start_time=start,
                end_time=end,
                location=locations[data["location"]] if data["location"] else None,
                online_link=data["online_link"],
                accreditation=data["accreditation"],
                capacity=data["capacity"],
                price=data["price"],
                body=data["body"],
            )
            page.speakers = [
                TrainingDaySpeaker(name=name, about=about, sort_order=order)
                for order, (name, about) in enumerate(data["speakers"])
            ]
            return page

        day, created = _ensure_child(index, data["slug"], make, tally, editor)
        days[data["slug"]] = day
        if not created:
            continue
        signed_up = day.start - datetime.timedelta(days=7)
        past = data["in_days"] < 0
        made = 0
        for number, colleague in enumerate(colleagues[: data["colleagues_booked"]]):
            # On the past day, the last colleague did not come.
            attended = (number < data["colleagues_booked"] - 1) if past else None
            made += _booking(
                day,
                colleague,
                attended=attended,
                marked_by=coordinator,
                at=min(signed_up, timezone.now()) + datetime.timedelta(minutes=number),
            )
        if data["professional"] == "present":
            made += _booking(day, professional, attended=True, marked_by=coordinator, at=signed_up)
        tally.add("training day bookings", made)
    return days


def training_days_summary():
    """One line for load_demo: the demo days, their places, and who came to the past one."""
    today = local_today()
    days = TrainingDayPage.objects.live().with_places_left().order_by("date")
    parts = []
    for day in days:
        if day.date < today:
            present = day.bookings.filter(status=Status.BOOKED, attended=True).count()
            parts.append(f"{day.title} ({day.date:%d-%m-%Y}, geweest: {present} aanwezig, certificaten klaar)")
        else:
            parts.append(f"{day.title} ({day.date:%d-%m-%Y}, nog {day.places_left} van {day.capacity} plekken vrij)")
    return "Scholing voor professionals: " + "; ".join(parts) + "." if parts else ""
