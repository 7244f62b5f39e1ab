"""A past year for the demo region (`manage.py load_demo --history`), so every figure shows something real.

The shape follows the region's own year in the context texts: Mentaal Fit and
Mindfulness, 74 groups that started (28 and 46), about 640 people who started
(244 and 396), groups of 8 to 9 at the start, some who left before the start,
did not come or stopped, a few cancelled groups, waits from two weeks to a
few months (part of them through the waiting list), payments and exemptions.
The care path around them (practices and referrers, referrals, screening
calls, questionnaires before and after, evaluations) is `history_care`'s part.

Deterministic: the same seed and the same `now` give the same year. The year is
the twelve whole months before the current one (the figures' default period).
`build_history` returns what it put in, counted as it wrote it, so a test can
hold the figures against it.
"""

import datetime
import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from schedule.models import Event

from booking.clock import LOCAL_TZ
from booking.models import (
    Attendance,
    CancelCause,
    Enrollment,
    Offer,
    Participant,
    Payment,
    Session,
    TrainingGroup,
    WaitlistEntry,
)
from booking.services.planning import calendar_for_location
from courses.models import CoursePage
from home.languages import originals

from .history_care import EMAIL_DOMAIN, CareExpected, CareWriter, insert_rows
from .scale import dates_as_given

CONSENT_VERSION = "demo-geschiedenis"
# (course slug, groups that started, people who started, groups cancelled with their causes)
PLAN = [
    ("mentaal-fit", 28, 244, [CancelCause.TOO_FEW, CancelCause.TRAINER]),
    ("mindfulness", 46, 396, [CancelCause.TOO_FEW, CancelCause.LOCATION]),
]
# People waiting now in villages without a group nearby (course slug, PC4, how many): the demand map's case.
WAITING_NOW = [("mindfulness", "5531", 8), ("mindfulness", "5525", 5), ("mentaal-fit", "5531", 6)]
FIRST_NAMES = ["Eva", "Daan", "Sophie", "Lucas", "Emma", "Milan", "Julia", "Thijs", "Lotte", "Sem", "Noa", "Bram"]
LAST_NAMES = ["Jansen", "de Bruijn", "van Dijk", "Bakker", "Peeters", "Smits", "van den Broek", "Maas", "Hendriks"]
HOURS = (10, 14, 19)
POSTCODES = ["5611", "5701", "5501", "5671", "5751", "5621", "5581"]  # where the people of the past year live


@dataclass
class Expected:
    """What the history holds, counted while writing it (the figures must say the same)."""

    outcomes: Counter = field(default_factory=Counter)
    groups_started: int = 0
    groups_cancelled: int = 0
    causes: Counter = field(default_factory=Counter)
    places_offered: int = 0
    places_at_start: int = 0
    waits: list = field(default_factory=list)
    paid: int = 0
    paid_amount: Decimal = Decimal("0.00")
    exemptions: int = 0
    per_course: dict = field(default_factory=dict)  # title -> Counter of outcomes
    care: CareExpected = None  # referrals, screenings, scores and evaluations


def history_exists():
    return Participant.objects.filter(email__endswith="@" + EMAIL_DOMAIN).exists()


def history_period(now):
    today = timezone.localdate(now)
    end = today.replace(day=1) - datetime.timedelta(days=1)
    start = end.replace(year=end.year - 1) + datetime.timedelta(days=1)
    return start, end


def _sizes(rng, groups, people):
    """`people` spread over `groups` groups, each between 6 and 10, adding up exactly."""
    sizes = [people // groups] * groups
    for index in range(people - sum(sizes)):
        sizes[index % groups] += 1
    for _ in range(groups * 3):
        a, b = rng.randrange(groups), rng.randrange(groups)
        if sizes[a] < 10 and sizes[b] > 6:
            sizes[a] += 1
            sizes[b] -= 1
    return sizes


class HistoryWriter:
    def __init__(self, *, seed, now):
        self.rng = random.Random(seed)
        self.now = now
        self.start, self.end = history_period(now)
        self.expected = Expected()
        self.person = 0
        self.slot_use = Counter()
        self.participants, self.enrollments, self.entries, self.offers = [], [], [], []
        self.attendance, self.payments = [], []
        self.care = CareWriter(self)
        self.expected.care = self.care.expected

    def new_person(self, created_at):
        self.person += 1
        first = self.rng.choice(FIRST_NAMES)
        return Participant(
            first_name=first,
            last_name=self.rng.choice(LAST_NAMES),
            email=f"deelnemer{self.person:04d}@{EMAIL_DOMAIN}",
            birth_year=self.rng.randint(1950, 2000),
            postcode=f"{self.rng.choice(POSTCODES)} AB",
            created_at=created_at,
        )

    def first_start(self, location, number, count):
        """A start spread over the year, on a slot of its own at the location (no two groups at once)."""
        days = (self.end - self.start).days - 7 * 6
        day = self.start + datetime.timedelta(days=int(days * (number + self.rng.random()) / count))
        use = self.slot_use[location.pk]
        self.slot_use[location.pk] += 1
        day += datetime.timedelta(days=use % 5)
        return datetime.datetime.combine(day, datetime.time(HOURS[use % 3], 0), tzinfo=LOCAL_TZ)

    def make_group(self, course, location, first_start, *, cancelled_cause=None):
        status = TrainingGroup.Status.COMPLETED
        sessions = [first_start + datetime.timedelta(weeks=week) for week in range(course.session_count)]
        if cancelled_cause:
            status = TrainingGroup.Status.CANCELLED
        elif sessions[-1] + datetime.timedelta(hours=2) > self.now:
            status = TrainingGroup.Status.RUNNING
        group = TrainingGroup.objects.create(
            course=course,
            location=location,
            capacity=10,
            min_participants=min(course.group_min, 10),
            status=status,
            signup_deadline=first_start - datetime.timedelta(days=2),
            created_at=first_start - datetime.timedelta(days=120),
            cancel_cause=cancelled_cause or "",
            cancelled_at=first_start - datetime.timedelta(days=10) if cancelled_cause else None,
        )
        calendar = calendar_for_location(location)
        hours = datetime.timedelta(hours=2)
        events = Event.objects.bulk_create(
            [Event(calendar=calendar, title=course.title[:255], start=start, end=start + hours) for start in sessions]
        )
        rows = [
            Session(
                group=group,
                event=event,
                sequence=number,
                start=event.start,
                end=event.end,
                status=Session.Status.CANCELLED if cancelled_cause else Session.Status.SCHEDULED,
                created_at=group.created_at,
            )
            for number, event in enumerate(events, start=1)
        ]
        return group, Session.objects.bulk_create(rows)

    def place(self, group, first_start, *, outcome, sessions):
        """One person in `group`, with the dates and records of `outcome` (a figures outcome key)."""
        through_list = self.rng.random() < 0.4
        wait = self.rng.randint(35, 120) if through_list else self.rng.randint(9, 34)
        asked = first_start - datetime.timedelta(days=wait, hours=self.rng.randint(0, 10))
        signed = asked + datetime.timedelta(days=self.rng.randint(5, 20)) if through_list else asked
        participant = self.new_person(asked)
        enrollment = Enrollment(
            group=group,
            participant=participant,
            status=Enrollment.Status.CONFIRMED,
            party=uuid.UUID(int=self.rng.getrandbits(128)),
            consent_text_version=CONSENT_VERSION,
            consent_at=signed,
            created_at=signed,
            confirmed_at=signed + datetime.timedelta(minutes=3),
        )
        if outcome in ("left_before_start", "group_cancelled"):
            enrollment.status = Enrollment.Status.CANCELLED
            enrollment.cancelled_at = first_start - datetime.timedelta(days=self.rng.randint(3, 9))
        elif outcome == "stopped":
            enrollment.status = Enrollment.Status.CANCELLED
            enrollment.cancelled_at = first_start + datetime.timedelta(weeks=self.rng.randint(1, 2), hours=5)
        elif outcome in ("completed", "no_show"):
            enrollment.status = Enrollment.Status.COMPLETED
        if group.status == TrainingGroup.Status.RUNNING and enrollment.status == Enrollment.Status.COMPLETED:
            enrollment.status = Enrollment.Status.CONFIRMED
        self.participants.append(participant)
        self.enrollments.append(enrollment)
        entry = None
        if through_list:
            entry = WaitlistEntry(
                course_id=group.course_id,
                participant=participant,
                status=WaitlistEntry.Status.PLACED,
                rank=asked.timestamp(),
                joined_at=asked,
                left_at=signed,
                consent_text_version=CONSENT_VERSION,
                consent_at=asked,
            )
            self.entries.append(entry)
            self.offers.append((entry, enrollment, signed))
        if outcome in ("completed", "stopped", "running", "no_show"):
            # Elapsed time (in UTC, as the database keeps it): wall-clock arithmetic would be an hour off across DST.
            elapsed = first_start.astimezone(datetime.UTC) - asked.astimezone(datetime.UTC)
            self.expected.waits.append(elapsed.total_seconds() / 86400)
            for number, session in enumerate(sessions):
                if session.start > self.now:
                    break
                if outcome == "stopped" and session.start > enrollment.cancelled_at:
                    break
                if outcome == "no_show":
                    status = Attendance.Status.ABSENT
                elif number == 0 or self.rng.random() > 0.08:
                    # Whoever started was at the first session; later, some miss one with notice.
                    status = Attendance.Status.PRESENT
                else:
                    status = Attendance.Status.ABSENT_NOTIFIED
                self.attendance.append((session, enrollment, status))
        if outcome != "group_cancelled":
            self.pay(enrollment, group, signed)
        self.care.place(enrollment, group, first_start, sessions, outcome=outcome, asked=asked, entry=entry)
        return enrollment

    def pay(self, enrollment, group, signed):
        provider = self.rng.choices(
            [Payment.Provider.MOLLIE, Payment.Provider.OFFLINE, Payment.Provider.EXEMPT], weights=[78, 12, 10]
        )[0]
        amount = group.course.contribution or Decimal("35.00")
        payment = Payment(
            party=enrollment.party,
            group=group,
            places=1,
            amount=Decimal("0.00") if provider == Payment.Provider.EXEMPT else amount,
            provider=provider,
            status=Payment.Status.PAID,
            paid_at=signed + datetime.timedelta(minutes=2),
            created_at=signed,
            updated_at=signed,
        )
        if provider == Payment.Provider.EXEMPT:
            payment.exemption_reason = "Vrijgesteld na overleg met de huisarts."
            self.expected.exemptions += 1
        else:
            if provider == Payment.Provider.MOLLIE:
                payment.method = "ideal"
            self.expected.paid += 1
            self.expected.paid_amount += payment.amount
        self.payments.append((payment, enrollment))

    def course_year(self, course, started_groups, started_people, causes):
        locations = [location for location in course.locations.all() if not location.is_online]
        sizes = _sizes(self.rng, started_groups, started_people)
        count = started_groups + len(causes)
        plan = [(size, None) for size in sizes] + [(0, cause) for cause in causes]
        self.rng.shuffle(plan)
        tally = self.expected.per_course.setdefault(course.title, Counter())
        for number, (size, cause) in enumerate(plan):
            location = locations[number % len(locations)]
            first_start = self.first_start(location, number, count)
            group, sessions = self.make_group(course, location, first_start, cancelled_cause=cause)
            if cause:
                self.expected.groups_cancelled += 1
                self.expected.causes[cause] += 1
                outcomes = ["group_cancelled"] * self.rng.randint(2, 4)
            else:
                self.expected.groups_started += 1
                self.expected.places_offered += group.capacity
                started = ["completed"] * size
                for index in range(size):
                    if self.rng.random() < 0.09:
                        started[index] = "stopped"
                if group.status == TrainingGroup.Status.RUNNING:
                    started = ["running" if o == "completed" else o for o in started]
                extra = []
                if self.rng.random() < 0.3 and size < 10:
                    extra.append("no_show")
                outcomes = started + extra + ["left_before_start"] * self.rng.randint(0, 2)
                self.expected.places_at_start += size + len(extra)
            for outcome in outcomes:
                self.place(group, first_start, outcome=outcome, sessions=sessions)
                self.expected.outcomes[outcome] += 1
                tally[outcome] += 1

    def waiting_now(self, course, pc4, count):
        for _ in range(count):
            joined = self.now - datetime.timedelta(days=self.rng.randint(10, 70), hours=self.rng.randint(0, 23))
            participant = self.new_person(joined)
            participant.postcode = f"{pc4} AB"
            self.participants.append(participant)
            entry = WaitlistEntry(
                course_id=course.pk,
                participant=participant,
                status=WaitlistEntry.Status.WAITING,
                rank=joined.timestamp(),
                joined_at=joined,
                consent_text_version=CONSENT_VERSION,
                consent_at=joined,
            )
            self.entries.append(entry)
            if self.rng.random() < 0.7:
                self.care.waiting(entry, course)

    def write(self):
        with dates_as_given(Participant, Enrollment, WaitlistEntry, Offer, Payment):
            Participant.objects.bulk_create(self.participants)
            for enrollment in self.enrollments:
                enrollment.participant_id = enrollment.participant.pk
            Enrollment.objects.bulk_create(self.enrollments)
            for entry in self.entries:
                entry.participant_id = entry.participant.pk
            WaitlistEntry.objects.bulk_create(self.entries)
            Offer.objects.bulk_create(
                [
                    Offer(
                        entry_id=entry.pk,
                        group_id=enrollment.group_id,
                        enrollment_id=enrollment.pk,
                        status=Offer.Status.ACCEPTED,
                        created_at=signed - datetime.timedelta(hours=20),
                        expires_at=signed + datetime.timedelta(hours=28),
                        decided_at=signed,
                    )
                    for entry, enrollment, signed in self.offers
                ]
            )
            # Recorded by the trainer when the session ended.
            recorded = connection.ops.adapt_datetimefield_value
            insert_rows(
                Attendance,
                ["session_id", "enrollment_id", "status", "recorded_at"],
                [
                    (session.pk, enrollment.pk, status, recorded(session.end))
                    for session, enrollment, status in self.attendance
                ],
            )
            for payment, _enrollment in self.payments:
                payment.group_id = payment.group.pk
            Payment.objects.bulk_create([payment for payment, _enrollment in self.payments])
            through = Payment.enrollments.through
            through.objects.bulk_create(
                [through(payment_id=payment.pk, enrollment_id=enrollment.pk) for payment, enrollment in self.payments]
            )
            self.care.write()


@transaction.atomic
def build_history(*, seed=1, now=None):
    """Write the past year once (a second call changes nothing and returns None); returns what it put in."""
    if history_exists():
        return None
    now = now or timezone.now()
    writer = HistoryWriter(seed=seed, now=now)
    courses = {slug: originals(CoursePage.objects.filter(slug=slug)).first() for slug, *_plan in PLAN}
    for slug, groups, people, causes in PLAN:
        if courses[slug] is not None:
            writer.course_year(courses[slug], groups, people, causes)
    for slug, pc4, count in WAITING_NOW:
        if courses.get(slug) is not None:
            writer.waiting_now(courses[slug], pc4, count)
    writer.care.referred_only(courses, POSTCODES)
    writer.write()
    return writer.expected
