"""A national-scale data set, to measure how the site behaves with years of data from the whole country.

`generate(factor=1)` adds to the demo (its courses, pages and accounts):
2,000 locations at real four-digit postcode centroids spread over the
Netherlands (a few of them online), 20,000 groups in every status over 2.5
years back and half a year ahead, 160,000 sessions (each with its event on
its location's calendar), 1,000,000 enrollments (places taken in groups that
are mostly full, with a history of cancelled and expired ones), a participant
per enrollment, payments for the places taken, live holds, waiting lists with
preferred locations and open offers, and registration stops. A factor of 0.1
or 0.01 makes everything proportionally smaller.

The same seed gives the same data: the same numbers in every status, the
same groups at the same places and times relative to the moment of
generating. Everything is invented (people, addresses); only towns, four-digit
postcodes and their coordinates are real. Participants have addresses at
`EMAIL_DOMAIN`, so generated data can be told from the demo's.

The data is left as if the periodic run had just run: no hold or offer past
its expiry, no waiting-list check overdue, every group's status as its dates
say. Sessions of groups at one location never overlap (online locations
excepted), as the planning rules require; groups have no trainers, so
trainers cannot clash either. Rows are inserted in batches with
`bulk_create`, in one transaction: a run that fails leaves nothing behind.
Then the tables are analyzed, so that queries are planned with the real
numbers (autovacuum would do that in production, after a while).
"""

import csv
import datetime
import random
import time
import uuid
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, reset_queries, transaction
from django.utils import timezone
from schedule.models import Event

from booking import geo
from booking.clock import LOCAL_TZ
from booking.models import (
    WEEKS_BETWEEN,
    Enrollment,
    Location,
    Offer,
    Participant,
    PartOfDay,
    Payment,
    RegistrationStop,
    Session,
    TrainingGroup,
    WaitlistEntry,
)
from booking.models.enrollments import REFERENCE_ALPHABET, REFERENCE_LENGTH
from booking.services import consent
from booking.services.planning import calendar_for_location, repeating_slots
from courses.models import CoursePage, Delivery
from home.languages import originals

from .builder import build_demo
from .courses import COURSES
from .english import COURSES as ENGLISH_COURSES

EMAIL_DOMAIN = "schaal.example"
# What factor 1 makes; smaller factors scale each number.
NATIONAL = {"locations": 2_000, "groups": 20_000, "enrollments": 1_000_000, "waitlist": 20_000, "stops": 40}
SESSIONS_PER_GROUP = 8  # 160,000 sessions for 20,000 groups: some groups plan follow-up meetings
MAX_FACTOR = 5
BATCH = 2_000
GROUPS_PER_CHUNK = 400
ONLINE_SHARE = 0.01
ONLINE_COURSE_SHARE = 0.08
CANCELLED_GROUP_SHARE = 0.04
CLOSED_GROUP_SHARE = 0.08
COUPLE_SHARE = 0.25  # of places in a course that welcomes couples
CANCELLED_SHARE = 0.2  # of the places given up in a group: the rest are holds that ran out
LIVE_HOLD_SHARE = 0.15  # of open groups with a free place
PAST_DAYS = 900
FUTURE_DAYS = 180
HOLD = datetime.timedelta(minutes=15)
OFFER = datetime.timedelta(hours=48)
CHECK_DAYS = 30
ANSWER_DAYS = 14
# Weekday (0 = Monday) and clock time of a group's sessions: every group at a location has its own.
CLOCK_TIMES = [(9, 30), (13, 30), (16, 0), (19, 30)]
SLOTS = [(weekday, clock) for weekday in range(5) for clock in CLOCK_TIMES]
# (status, days from now to the first session) of the groups every set starts with.
ANCHORS = [
    (TrainingGroup.Status.COMPLETED, -300),
    (TrainingGroup.Status.CANCELLED, -100),
    (TrainingGroup.Status.RUNNING, -14),
    (TrainingGroup.Status.OPEN, 25),
    (TrainingGroup.Status.CLOSED, 30),
    (TrainingGroup.Status.PLANNED, 150),
]
CAPACITIES = [(10, 50), (12, 30), (15, 15), (20, 5)]
KINDS = [(Location.Kind.HEALTH_CENTRE, 40), (Location.Kind.GP_PRACTICE, 40), (Location.Kind.COMMUNITY, 20)]
LETTERS = "ABCDEFGHJKLMNPRSTVWXZ"
REFERENCE_SHUFFLE = 48_271_003  # not a multiple of 31

FIRST_NAMES = [
    "Anouk", "Bram", "Chaimae", "Daan", "Eline", "Fleur", "Gijs", "Hanna", "Ilse", "Joris", "Kevin", "Lieke",
    "Mohamed", "Noor", "Olaf", "Priya", "Quinten", "Roos", "Sanne", "Tim", "Umut", "Vera", "Willem", "Yara",
    "Zoë", "Anne-Marie", "Björn", "Céline", "Dewi", "Esra", "Frits", "Gerda", "Hüseyin", "Inge", "Jeroen",
]  # fmt: skip
LAST_NAMES = [
    "de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot",
    "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits",
    "de Graaf", "van der Meer", "van der Linden", "Kok", "Jacobs", "de Haan", "Vermeulen", "van den Heuvel",
    "van der Veen", "van den Broek", "IJzerman", "Çelik", "Yılmaz", "El Amrani", "Nguyễn", "Öztürk",
]  # fmt: skip
BUILDINGS = {
    Location.Kind.HEALTH_CENTRE: ["Gezondheidscentrum", "Gezondheidshuis", "Zorgcentrum"],
    Location.Kind.GP_PRACTICE: ["Huisartsenpraktijk", "Huisartsen", "Praktijk"],
    Location.Kind.COMMUNITY: ["Wijkcentrum", "Buurthuis", "Ontmoetingscentrum"],
}
BUILDING_NAMES = ["De Linde", "Het Anker", "De Brug", "Zonnehof", "De Hoeve", "Het Kompas", "De Wissel", "Oost"]
STREETS = ["Kerkstraat", "Dorpsstraat", "Stationsweg", "Schoolstraat", "Molenweg", "Beukenlaan", "Julianastraat"]
STOP_MESSAGE = (
    "Hier starten voorlopig geen nieuwe groepen. Er zijn te weinig trainers. "
    "Kies een andere locatie, of zet uzelf op de wachtlijst."
)


def volumes(factor):
    """How many of each thing a factor makes: the national numbers times the factor, at least one each."""
    return {name: max(1, round(number * factor)) for name, number in NATIONAL.items()}


# --- refusing a database that holds other data ---------------------------------------------------


def generated_data_exists():
    return Participant.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").exists()


def foreign_data():
    """What in this database was made by neither the demo nor this generator, in words; None when nothing.

    Made-up people have addresses under the reserved top-level domain
    ".example", so any other address is someone real. Course pages other than
    the demo's are someone's content.
    """
    if Participant.objects.exclude(email__endswith=".example").exists():
        return "deelnemers met een echt e-mailadres / participants with a real email address"
    demo_slugs = {course["slug"] for course in COURSES} | {course["slug"] for course in ENGLISH_COURSES.values()}
    if CoursePage.objects.exclude(slug__in=demo_slugs).exists():
        return "trainingen die niet uit de demo komen / course pages that are not the demo's"
    return None


# --- the plan, in memory -------------------------------------------------------------------------


@dataclass
class PlannedLocation:
    name: str
    kind: str
    address: str = ""
    postcode: str = ""
    town: str = ""
    latitude: float | None = None
    longitude: float | None = None
    pk: int | None = None
    busy_until: dict = field(default_factory=dict)  # slot -> end of the last session planned in it


@dataclass
class PlannedGroup:
    course: CoursePage
    location: PlannedLocation
    slots: list
    capacity: int
    status: str
    created_at: datetime.datetime
    signup_deadline: datetime.datetime | None = None
    cancelled_at: datetime.datetime | None = None
    placed: int = 0
    live_holds: int = 0
    offers: list = field(default_factory=list)  # PlannedEntry
    given_up: int = 0  # cancelled places and holds that ran out
    pk: int | None = None

    @property
    def first_start(self):
        return self.slots[0][0]

    @property
    def last_end(self):
        return self.slots[-1][1]

    @property
    def free(self):
        return self.capacity - self.placed - self.live_holds - len(self.offers)

    def open_for_signup(self, now):
        return (
            self.status == TrainingGroup.Status.OPEN
            and self.first_start > now
            and (self.signup_deadline is None or self.signup_deadline > now)
        )


@dataclass
class PlannedEntry:
    course: CoursePage
    status: str
    joined_at: datetime.datetime
    part_of_day: str
    preferred: list = field(default_factory=list)  # PlannedLocation
    check_sent_at: datetime.datetime | None = None
    check_answered_at: datetime.datetime | None = None
    left_at: datetime.datetime | None = None
    offer_expires_at: datetime.datetime | None = None
    offer_created_at: datetime.datetime | None = None
    participant: Participant | None = None
    pk: int | None = None


class Generator:
    """Plans the whole set in memory first (locations, groups and their places, waiting lists), then writes it.

    Every random choice comes from one seeded generator, in a fixed order, so
    the same seed plans the same set.
    """

    def __init__(self, *, factor, seed, now, say):
        self.rng = random.Random(seed)
        self.now = now
        self.say = say
        self.volume = volumes(factor)
        self.made = Counter()
        self.people = Participant.objects.count()  # every address its own, also in a second set
        self.started = time.monotonic()
        self.references = set(Enrollment.objects.values_list("reference", flat=True))
        self.reference_number = Enrollment.objects.count()
        self.payment_number = Payment.objects.count()

    # --- small helpers -----------------------------------------------------------------------

    def pick(self, weighted):
        values, weights = zip(*weighted, strict=True)
        return self.rng.choices(values, weights=weights)[0]

    def moment_between(self, earliest, latest):
        if latest <= earliest:
            return earliest
        return earliest + (latest - earliest) * self.rng.random()

    def note(self, what, number):
        self.made[what] += number
        reset_queries()  # with DEBUG on, Django would keep every insert in memory

    def report(self, what):
        self.say(f"  {what}: {self.made[what]:,} ({time.monotonic() - self.started:.1f} s)")

    def letter_pair(self):
        while True:
            pair = self.rng.choice(LETTERS) + self.rng.choice(LETTERS)
            if pair not in geo.UNUSED_LETTER_PAIRS:
                return pair

    def new_reference(self):
        """A unique enrollment reference, the same each run: the n-th of a shuffle of all possible references.

        Multiplying by a number that shares no factor with 31 shuffles 0 … 31^8 - 1 without repeats.
        """
        base = len(REFERENCE_ALPHABET)
        while True:
            self.reference_number += 1
            number = (self.reference_number * REFERENCE_SHUFFLE + 7_919) % base**REFERENCE_LENGTH
            letters = []
            for _ in range(REFERENCE_LENGTH):
                number, digit = divmod(number, base)
                letters.append(REFERENCE_ALPHABET[digit])
            reference = "".join(letters)
            if reference not in self.references:
                self.references.add(reference)
                return reference

    def new_party(self):
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def new_participant(self, *, near, created_at, min_age=18):
        self.people += 1
        first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
        local = f"{first}.{last}".lower().replace(" ", "").replace("-", "")
        local = local.encode("ascii", "ignore").decode() or "deelnemer"
        oldest = self.now.year - 85
        youngest = self.now.year - max(min_age, 18) - 1
        pc4 = near.postcode[:4] if near.postcode else self.rng.choice(self.pc4s).pc4
        return Participant(
            first_name=first,
            last_name=last,
            email=f"{local}.{self.people}@{EMAIL_DOMAIN}",
            phone=f"06-{self.rng.randrange(10_000_000, 99_999_999)}" if self.rng.random() < 0.7 else "",
            birth_year=self.rng.randint(min(oldest, youngest), youngest),
            postcode=f"{pc4} {self.letter_pair()}",
            created_at=created_at,
        )

    # --- the plan ------------------------------------------------------------------------------

    def plan_locations(self):
        with geo.DATA_FILE.open(newline="", encoding="utf-8") as handle:
            places = [
                geo.PostcodeArea(row["pc4"], row["place"], float(row["latitude"]), float(row["longitude"]))
                for row in csv.DictReader(handle)
            ]
        self.pc4s = places
        total = self.volume["locations"]
        online = max(1, round(total * ONLINE_SHARE))
        physical = max(1, total - online)
        # A sample of postcode areas, so locations lie where people live: dense in the cities, spread elsewhere.
        chosen = sorted(self.rng.sample(places, min(physical, len(places))), key=lambda place: place.pc4)
        locations = []
        for number, area in enumerate(chosen, start=1):
            kind = self.pick(KINDS)
            building = f"{self.rng.choice(BUILDINGS[kind])} {self.rng.choice(BUILDING_NAMES)}"
            locations.append(
                PlannedLocation(
                    name=f"{building} {area.name}" if number % 3 else building,
                    kind=kind,
                    address=f"{self.rng.choice(STREETS)} {self.rng.randint(1, 180)}",
                    postcode=f"{area.pc4} {self.letter_pair()}",
                    town=area.name,
                    latitude=area.latitude,
                    longitude=area.longitude,
                )
            )
        self.physical = locations
        self.online = [
            PlannedLocation(name=f"Online, videobellen {number}", kind=Location.Kind.ONLINE)
            for number in range(1, online + 1)
        ]

    def plan_groups(self, courses):
        online_courses = [course for course in courses if course.delivery == Delivery.ONLINE]
        in_person = [course for course in courses if course.delivery != Delivery.ONLINE] or courses
        # Each course is given at most locations, not all.
        pools = {
            course.pk: self.rng.sample(self.physical, max(1, round(len(self.physical) * 0.8))) for course in in_person
        }
        # One group in each status first, so that even the smallest set has every status.
        groups = [
            self.plan_group(
                in_person[number % len(in_person)],
                self.rng.choice(pools[in_person[number % len(in_person)].pk]),
                self.now + datetime.timedelta(days=days),
                status=status,
            )
            for number, (status, days) in enumerate(ANCHORS)
        ]
        starts = sorted(
            self.now + datetime.timedelta(days=self.rng.uniform(-PAST_DAYS, FUTURE_DAYS))
            for _ in range(max(0, self.volume["groups"] - len(groups)))
        )
        for start in starts:
            if online_courses and self.rng.random() < ONLINE_COURSE_SHARE:
                course = self.rng.choice(online_courses)
                location = self.rng.choice(self.online)
            else:
                course = self.rng.choice(in_person)
                location = self.rng.choice(pools[course.pk])
            groups.append(self.plan_group(course, location, start))
        self.groups = groups[: self.volume["groups"]]

    def plan_group(self, course, location, around, status=None):
        slot = self.free_slot(location, around)
        weekday, (hour, minute) = slot
        day = timezone.localtime(around, LOCAL_TZ).date()
        day += datetime.timedelta(days=(weekday - day.weekday()) % 7)
        busy_until = location.busy_until.get(slot)
        if busy_until is not None and location.kind != Location.Kind.ONLINE:
            # Never two groups at one location at the same time: start after the one before in this slot.
            while datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LOCAL_TZ) <= busy_until:
                day += datetime.timedelta(weeks=1)
        first = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LOCAL_TZ)
        duration = datetime.timedelta(minutes=int(course.hours_per_session * 60))
        slots = repeating_slots(
            first, count=SESSIONS_PER_GROUP, weeks_between=WEEKS_BETWEEN[course.frequency], duration=duration
        )
        location.busy_until[slot] = slots[-1][1]
        capacity = self.pick(CAPACITIES)
        created = min(first - datetime.timedelta(days=self.rng.uniform(45, 150)), self.now - datetime.timedelta(days=1))
        group = PlannedGroup(
            course=course,
            location=location,
            slots=slots,
            capacity=capacity,
            status=status or self.status_for(first, slots[-1][1]),
            created_at=created,
        )
        if first > self.now:
            group.signup_deadline = first - datetime.timedelta(days=2)
        if group.status == TrainingGroup.Status.CANCELLED:
            group.cancelled_at = self.moment_between(created, min(first, self.now))
        group.placed = self.places_taken(group)
        return group

    def free_slot(self, location, around):
        """A weekly slot at the location that is free from `around`, or else the one that comes free first."""
        if location.kind == Location.Kind.ONLINE:
            return self.rng.choice(SLOTS)
        order = self.rng.sample(SLOTS, len(SLOTS))
        for slot in order:
            if location.busy_until.get(slot) is None or location.busy_until[slot] < around:
                return slot
        return min(order, key=lambda slot: location.busy_until[slot])

    def status_for(self, first, last_end):
        Status = TrainingGroup.Status
        if self.rng.random() < CANCELLED_GROUP_SHARE:
            return Status.CANCELLED
        if last_end <= self.now:
            return Status.COMPLETED
        if first <= self.now:
            return Status.RUNNING
        if (first - self.now).days > 120 and self.rng.random() < 0.6:
            return Status.PLANNED
        return Status.CLOSED if self.rng.random() < CLOSED_GROUP_SHARE else Status.OPEN

    def places_taken(self, group):
        """Most groups are full or nearly; groups far ahead are still filling up."""
        if group.status == TrainingGroup.Status.PLANNED:
            return 0
        if group.first_start > self.now:
            days = (group.first_start - self.now).days
            if days > 120:
                share = self.rng.uniform(0.0, 0.6)
            elif days > 30:
                share = self.rng.uniform(0.5, 1.0)
            else:
                share = 1.0 - self.pick([(0, 45), (0.1, 25), (0.2, 15), (0.4, 15)])
            return min(group.capacity, round(group.capacity * share))
        short = self.pick([(0, 55), (1, 25), (2, 15), (4, 5)])
        return max(min(group.course.group_min, group.capacity), group.capacity - short)

    def plan_live_holds(self):
        """Someone is paying right now in some open groups; in at least one, however small the set."""
        room = [group for group in self.groups if group.open_for_signup(self.now) and group.free > 0]
        for group in room:
            if self.rng.random() < LIVE_HOLD_SHARE:
                group.live_holds = min(group.free, self.rng.choice([1, 1, 2]))
        if room and not any(group.live_holds for group in room):
            room[0].live_holds = 1

    def plan_waitlist(self, courses):
        """Waiting lists per course; offers hold free places; the others wait where nothing is free.

        People on the list wish for locations where no open group of their
        course has a free place (that is why they wait), so the periodic run
        finds nothing to offer them until a place comes free.
        """
        total = self.volume["waitlist"]
        open_groups = defaultdict(list)
        for group in self.groups:
            if (
                group.open_for_signup(self.now)
                and group.signup_deadline > self.now + datetime.timedelta(hours=2)
                and group.location.kind != Location.Kind.ONLINE
            ):
                open_groups[group.course.pk].append(group)
        entries = []
        for number in range(total):
            course = courses[number % len(courses)]
            status = self.pick(
                [
                    (WaitlistEntry.Status.WAITING, 70),
                    (WaitlistEntry.Status.OFFERED, 3),
                    (WaitlistEntry.Status.PLACED, 12),
                    (WaitlistEntry.Status.LEFT, 10),
                    (WaitlistEntry.Status.REMOVED, 5),
                ]
            )
            joined = self.now - datetime.timedelta(days=self.rng.uniform(0, 365))
            entry = PlannedEntry(
                course=course,
                status=status,
                joined_at=joined,
                part_of_day=self.pick(
                    [(PartOfDay.ANY, 50), (PartOfDay.MORNING, 15), (PartOfDay.AFTERNOON, 10), (PartOfDay.EVENING, 25)]
                ),
            )
            if status == WaitlistEntry.Status.OFFERED:
                free = [group for group in open_groups[course.pk] if group.free > 0]
                if free:
                    group = self.rng.choice(free)
                    group.offers.append(entry)
                    entry.preferred = [group.location]
                    entry.offer_created_at = self.now - datetime.timedelta(hours=self.rng.uniform(1, 47))
                    entry.offer_expires_at = min(
                        entry.offer_created_at + OFFER, group.signup_deadline, group.first_start
                    )
                else:
                    entry.status = WaitlistEntry.Status.WAITING
            if entry.status in (WaitlistEntry.Status.LEFT, WaitlistEntry.Status.REMOVED, WaitlistEntry.Status.PLACED):
                entry.left_at = self.moment_between(joined, self.now)
            entries.append(entry)

        full_locations = self.locations_without_free_places(courses)
        for entry in entries:
            if entry.status == WaitlistEntry.Status.OFFERED:
                continue
            choices = full_locations[entry.course.pk]
            if not choices:
                # Nowhere is full: nobody would be waiting for this course.
                entry.status = WaitlistEntry.Status.LEFT
                entry.left_at = self.moment_between(entry.joined_at, self.now)
            else:
                entry.preferred = self.rng.sample(choices, min(len(choices), self.rng.choice([1, 1, 2, 3])))
            if entry.status == WaitlistEntry.Status.WAITING:
                self.plan_checks(entry)
        self.entries = entries

    def locations_without_free_places(self, courses):
        """Per course: its locations (where it has groups) without an open group that has a free place."""
        given = defaultdict(set)
        free = defaultdict(set)
        for group in self.groups:
            if group.location.kind == Location.Kind.ONLINE:
                continue
            given[group.course.pk].add(id(group.location))
            if group.open_for_signup(self.now) and group.free > 0:
                free[group.course.pk].add(id(group.location))
        by_id = {id(location): location for location in self.physical}
        return {
            course.pk: sorted(
                (by_id[key] for key in given[course.pk] - free[course.pk]), key=lambda location: location.postcode
            )
            for course in courses
        }

    def plan_checks(self, entry):
        """The monthly "still waiting?" email, as if every check so far went out on time.

        Whoever joined more than a month ago has had a check in the last month:
        answered when it is older than the time to answer, else answered or
        still open. So no check is overdue now, and in the coming days a
        thirtieth of the list becomes due each day.
        """
        if entry.joined_at > self.now - datetime.timedelta(days=CHECK_DAYS):
            return
        sent = self.now - datetime.timedelta(days=self.rng.uniform(0.5, CHECK_DAYS - 1))
        entry.check_sent_at = sent
        if sent < self.now - datetime.timedelta(days=ANSWER_DAYS - 1) or self.rng.random() < 0.6:
            entry.check_answered_at = min(sent + datetime.timedelta(days=self.rng.uniform(0, 2)), self.now)

    def plan_given_up(self):
        """The places given up (cancelled, or held and never paid), so that the enrollments add up exactly."""
        taken = sum(group.placed + group.live_holds + len(group.offers) for group in self.groups)
        rest = max(0, self.volume["enrollments"] - taken)
        receiving = [group for group in self.groups if group.status != TrainingGroup.Status.PLANNED]
        if not receiving:
            return
        weights = [self.rng.uniform(0.5, 1.5) for _ in receiving]
        scale = rest / sum(weights)
        given = 0
        for group, weight in zip(receiving, weights, strict=True):
            group.given_up = int(weight * scale)
            given += group.given_up
        for group in self.rng.sample(receiving, len(receiving))[: rest - given]:
            group.given_up += 1

    # --- writing ---------------------------------------------------------------------------------

    def write_locations(self, courses):
        rows = [
            Location(
                name=planned.name,
                kind=planned.kind,
                address=planned.address,
                postcode=planned.postcode,
                town=planned.town,
                latitude=planned.latitude,
                longitude=planned.longitude,
            )
            for planned in self.physical + self.online
        ]
        saved = Location.objects.bulk_create(rows, batch_size=BATCH)
        self.calendars = {}
        for planned, row in zip(self.physical + self.online, saved, strict=True):
            planned.pk = row.pk
            self.calendars[row.pk] = calendar_for_location(row)
        self.note("locations", len(rows))
        # A course page lists the locations where it is given.
        through = CoursePage._meta.get_field("locations").remote_field.through
        pairs = sorted({(group.course.pk, group.location.pk) for group in self.groups})
        through.objects.bulk_create(
            [through(coursepage_id=course_id, location_id=location_id) for course_id, location_id in pairs],
            batch_size=BATCH,
            ignore_conflicts=True,
        )
        self.note("course locations", len(pairs))
        self.report("locations")

    def write_groups(self):
        for start in range(0, len(self.groups), GROUPS_PER_CHUNK * 5):
            chunk = self.groups[start : start + GROUPS_PER_CHUNK * 5]
            rows = TrainingGroup.objects.bulk_create(
                [
                    TrainingGroup(
                        course_id=planned.course.pk,
                        location_id=planned.location.pk,
                        capacity=planned.capacity,
                        min_participants=min(planned.course.group_min, planned.capacity),
                        signup_deadline=planned.signup_deadline,
                        status=planned.status,
                        online_meeting_url=(
                            f"https://meet.example/groep-{start + number}"
                            if planned.location.kind == Location.Kind.ONLINE
                            else ""
                        ),
                        created_at=planned.created_at,
                    )
                    for number, planned in enumerate(chunk)
                ],
                batch_size=BATCH,
            )
            for planned, row in zip(chunk, rows, strict=True):
                planned.pk = row.pk
            events = Event.objects.bulk_create(
                [
                    Event(
                        calendar=self.calendars[planned.location.pk], title=planned.course.title[:255], start=s, end=e
                    )
                    for planned in chunk
                    for s, e in planned.slots
                ],
                batch_size=BATCH,
            )
            events = iter(events)
            sessions = [
                Session(
                    group_id=planned.pk,
                    event_id=next(events).pk,
                    sequence=number,
                    start=s,
                    end=e,
                    created_at=planned.created_at,
                )
                for planned in chunk
                for number, (s, e) in enumerate(planned.slots, start=1)
            ]
            Session.objects.bulk_create(sessions, batch_size=BATCH)
            self.note("sessions", len(sessions))
        self.report("sessions")

    def write_waitlist(self):
        entries = self.entries
        for planned in entries:
            planned.participant = self.new_participant(
                near=planned.preferred[0] if planned.preferred else self.rng.choice(self.physical),
                created_at=planned.joined_at,
                min_age=planned.course.min_age,
            )
        Participant.objects.bulk_create([planned.participant for planned in entries], batch_size=BATCH)
        rows = WaitlistEntry.objects.bulk_create(
            [
                WaitlistEntry(
                    course_id=planned.course.pk,
                    participant_id=planned.participant.pk,
                    part_of_day=planned.part_of_day,
                    status=planned.status,
                    # Unique ranks in the order of joining, as `join_waitlist` hands them out.
                    rank=planned.joined_at.timestamp() + number / 1000,
                    consent_text_version=consent.VERSION,
                    consent_at=planned.joined_at,
                    joined_at=planned.joined_at,
                    left_at=planned.left_at,
                    check_sent_at=planned.check_sent_at,
                    check_answered_at=planned.check_answered_at,
                )
                for number, planned in enumerate(entries)
            ],
            batch_size=BATCH,
        )
        through = WaitlistEntry.preferred_locations.through
        preferences = []
        for planned, row in zip(entries, rows, strict=True):
            planned.pk = row.pk
            preferences += [through(waitlistentry_id=row.pk, location_id=location.pk) for location in planned.preferred]
        through.objects.bulk_create(preferences, batch_size=BATCH)
        self.note("participants", len(entries))
        self.note("waiting list", len(entries))
        self.note("preferred locations", len(preferences))
        self.report("waiting list")

    def write_places(self):
        """Enrollments group by group, each with its own participant, and payments for the places taken."""
        for start in range(0, len(self.groups), GROUPS_PER_CHUNK):
            chunk = self.groups[start : start + GROUPS_PER_CHUNK]
            enrollments, new_participants, parties, offers = [], [], [], []
            for group in chunk:
                for kind, row in self.places_of(group):
                    enrollments.append(row)
                    if kind == "offer":
                        offers.append((row, group))
                    else:
                        new_participants.append(row.participant)
                    if kind == "placed":
                        parties.append((row, group))
            Participant.objects.bulk_create(new_participants, batch_size=BATCH)
            for row in enrollments:
                row.participant_id = row.participant.pk
            Enrollment.objects.bulk_create(enrollments, batch_size=BATCH)
            self.write_offers(offers)
            self.write_payments(parties)
            self.note("participants", len(new_participants))
            self.note("enrollments", len(enrollments))
            if (start // GROUPS_PER_CHUNK) % 10 == 9 or start + GROUPS_PER_CHUNK >= len(self.groups):
                self.report("enrollments")

    def places_of(self, group):
        """(kind, unsaved Enrollment) for every place in the group, in the order they were signed up."""
        Status = Enrollment.Status
        first = group.first_start
        latest = min(first - datetime.timedelta(days=1), self.now - datetime.timedelta(minutes=20))
        min_age = group.course.min_age

        def enrollment(status, created, **fields):
            participant = fields.pop("participant", None) or self.new_participant(
                near=group.location, created_at=created, min_age=min_age
            )
            return Enrollment(
                group_id=group.pk,
                participant=participant,
                status=status,
                party=fields.pop("party", None) or self.new_party(),
                reference=self.new_reference(),
                consent_text_version=consent.VERSION,
                consent_at=created,
                created_at=created,
                **fields,
            )

        placed_status = {
            TrainingGroup.Status.COMPLETED: Status.COMPLETED,
            TrainingGroup.Status.CANCELLED: Status.CANCELLED,
        }.get(group.status, Status.CONFIRMED)
        couples = group.course.couples_welcome
        waiting = group.placed
        while waiting > 0:
            created = self.moment_between(group.created_at, latest)
            together = 2 if couples and waiting >= 2 and self.rng.random() < COUPLE_SHARE else 1
            party = self.new_party()
            for _ in range(together):
                yield (
                    "placed",
                    enrollment(
                        placed_status,
                        created,
                        party=party,
                        confirmed_at=created + datetime.timedelta(minutes=self.rng.uniform(1, 14)),
                        cancelled_at=group.cancelled_at if placed_status == Status.CANCELLED else None,
                    ),
                )
            waiting -= together
        for _ in range(group.live_holds):
            expires = self.now + datetime.timedelta(minutes=self.rng.uniform(1, 14))
            yield "hold", enrollment(Status.HELD, expires - HOLD, hold_expires_at=expires)
        for entry in group.offers:
            yield (
                "offer",
                enrollment(
                    Status.HELD,
                    entry.offer_created_at,
                    participant=entry.participant,
                    hold_expires_at=entry.offer_expires_at,
                ),
            )
        for _ in range(group.given_up):
            created = self.moment_between(group.created_at, latest)
            if self.rng.random() < CANCELLED_SHARE:
                cancelled = self.moment_between(created, min(first, self.now))
                yield "cancelled", enrollment(Status.CANCELLED, created, cancelled_at=cancelled)
            else:
                yield "expired", enrollment(Status.EXPIRED, created, hold_expires_at=created + HOLD)

    def write_offers(self, offers):
        if not offers:
            return
        by_participant = {entry.participant.pk: entry for group in self.groups for entry in group.offers}
        Offer.objects.bulk_create(
            [
                Offer(
                    entry_id=by_participant[row.participant_id].pk,
                    group_id=group.pk,
                    enrollment_id=row.pk,
                    status=Offer.Status.OPEN,
                    created_at=row.created_at,
                    expires_at=row.hold_expires_at,
                )
                for row, group in offers
            ],
            batch_size=BATCH,
        )
        self.note("offers", len(offers))

    def write_payments(self, placed):
        """One payment per sign-up (a couple pays once), the way the place was paid for."""
        by_party = defaultdict(list)
        for row, group in placed:
            by_party[row.party].append((row, group))
        payments, links = [], []
        for party, rows in by_party.items():
            first, group = rows[0]
            finished = group.status == TrainingGroup.Status.COMPLETED
            provider = self.pick(
                [(Payment.Provider.MOLLIE, 75), (Payment.Provider.OFFLINE, 17), (Payment.Provider.EXEMPT, 8)]
            )
            created = first.created_at + datetime.timedelta(minutes=1)
            paid = created + datetime.timedelta(minutes=2)
            payment = Payment(
                party=party,
                group_id=group.pk,
                places=len(rows),
                amount=(group.course.contribution * len(rows)).quantize(Decimal("0.01")),
                provider=provider,
                created_at=created,
                updated_at=paid,
            )
            if provider == Payment.Provider.MOLLIE:
                self.payment_number += 1
                payment.status = Payment.Status.PAID
                payment.mollie_id = f"tr_schaal{self.payment_number:09d}"
                payment.mollie_mode = "test"
                payment.method = "ideal"
                payment.paid_at = paid
            elif provider == Payment.Provider.OFFLINE and (finished or group.first_start <= self.now):
                payment.status = Payment.Status.PAID
                payment.method = "contant bij de eerste bijeenkomst"
                payment.paid_at = group.first_start
                payment.updated_at = group.first_start
            elif provider == Payment.Provider.OFFLINE:
                payment.status = Payment.Status.OPEN
            else:
                payment.status = Payment.Status.PAID
                payment.amount = Decimal("0.00")
                payment.exemption_reason = "Vrijgesteld na overleg met de huisarts."
                payment.paid_at = paid
            payments.append(payment)
            links.append(rows)
        Payment.objects.bulk_create(payments, batch_size=BATCH)
        through = Payment.enrollments.through
        through.objects.bulk_create(
            [
                through(payment_id=payment.pk, enrollment_id=row.pk)
                for payment, rows in zip(payments, links, strict=True)
                for row, group in rows
            ],
            batch_size=BATCH,
        )
        self.note("payments", len(payments))

    def write_stops(self, courses):
        stops = []
        for number in range(self.volume["stops"]):
            location = self.rng.choice(self.physical)
            starts = self.now - datetime.timedelta(days=self.rng.uniform(1, 60))
            kind = self.pick([("course_location", 50), ("location", 30), ("ended", 20)])
            stop = RegistrationStop(
                course_id=None if kind == "location" else courses[number % len(courses)].pk,
                location_id=location.pk,
                message=STOP_MESSAGE,
                starts_at=starts,
                ends_at=starts + datetime.timedelta(days=self.rng.uniform(60, 120)),
                created_at=starts,
            )
            if kind == "ended":
                stop.starts_at = self.now - datetime.timedelta(days=200)
                stop.ends_at = self.now - datetime.timedelta(days=100)
                stop.created_at = stop.starts_at
            stops.append(stop)
        RegistrationStop.objects.bulk_create(stops, batch_size=BATCH)
        self.note("registration stops", len(stops))


@contextmanager
def dates_as_given(*models):
    """Let bulk_create keep the dates we give: auto_now(_add) would stamp years of history with today."""
    stamped = [
        model_field
        for model in models
        for model_field in model._meta.concrete_fields
        if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False)
    ]
    before = [(model_field, model_field.auto_now, model_field.auto_now_add) for model_field in stamped]
    for model_field in stamped:
        model_field.auto_now = model_field.auto_now_add = False
    try:
        yield
    finally:
        for model_field, auto_now, auto_now_add in before:
            model_field.auto_now, model_field.auto_now_add = auto_now, auto_now_add


def course_pages():
    """The live course pages to plan groups for; the demo is loaded first when there are none."""
    courses = list(originals(CoursePage.objects.live()).order_by("path"))
    if not courses:
        build_demo()
        courses = list(originals(CoursePage.objects.live()).order_by("path"))
    return courses


@transaction.atomic
def generate(*, factor, seed=1, now=None, say=lambda line: None):
    """Add a national-scale data set, `factor` times the national numbers. Returns a Counter of what was made.

    The caller checks first whether the database may be filled
    (`foreign_data`, `generated_data_exists`). `say` gets a line of progress
    now and then.
    """
    if not 0 < factor <= MAX_FACTOR:
        raise ValueError(f"The factor must be above 0 and at most {MAX_FACTOR}.")
    now = now or timezone.now()
    courses = course_pages()
    generator = Generator(factor=factor, seed=seed, now=now, say=say)
    generator.plan_locations()
    generator.plan_groups(courses)
    generator.plan_live_holds()
    generator.plan_waitlist(courses)
    generator.plan_given_up()
    with dates_as_given(
        TrainingGroup, Session, Participant, Enrollment, Payment, WaitlistEntry, Offer, RegistrationStop
    ):
        generator.write_locations(courses)
        generator.write_groups()
        generator.note("groups", len(generator.groups))
        generator.write_waitlist()
        generator.write_places()
        generator.write_stops(courses)
    refresh_statistics()
    say(f"  tables analyzed ({time.monotonic() - generator.started:.1f} s)")
    return generator.made


def refresh_statistics():
    """Let the query planner know the new numbers, as autovacuum would in production (and SQLite never does)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
