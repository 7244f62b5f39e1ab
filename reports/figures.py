"""The office's figures: the funnel, the groups, the waits and the money, counted from booking's records.

Everything is counted when asked, for a period and optionally one training and
one location. A group belongs to the period of its first session (as planned
now); its people, places, waits and payments come with it. The rules, each
stated once here and in `docs/figures.md`:

Per place (an enrollment) in a group of the period:

* signed up (aangemeld): the place was confirmed at some moment (`confirmed_at`,
  or a status that only follows confirmation). Holds that ran out never count.
* the group did not go ahead (groep ging niet door): the group was cancelled.
* left before the start (afgemeld voor de start): cancelled before the first session.
* not started yet (nog niet begonnen): the first session is still ahead.
* no-show (niet gekomen): had a place at the first session; the trainer
  registered attendance and this person was never present.
* started (gestart): had a place at the first session and is not a no-show.
  Of them: completed (afgerond: the group ended with the place confirmed),
  stopped (gestopt: cancelled after the start), still running (loopt nog).

Per group of the period: started when its first session has passed and it
was not cancelled. The size at the start is the places held at the first
session (started + no-shows); the fill rate is those places over the places
offered (capacity) of the started groups. A cancelled group counts with its cause.

The wait of someone who had a place at the start runs from the moment they
asked for a place, joining the waiting list (the list entry whose offer they
accepted) or signing up, to the first session, in days. Median: the middle
value (the mean of the middle two for an even count); P90: the smallest wait
that at least 90 % of waits are not longer than (nearest rank); within
4 weeks: a wait of at most 28 days (the Treeknorm).

Outcome (per questionnaire, the instrument): of the completed places, those
with a score before (pre) and after (post) on the same questionnaire: mean
pre, mean post, mean change (post minus pre), and how many ended in a higher
band than they started in (bands ordered by their lower bound; higher scores
are better on the instruments the care path supports). Satisfaction: the
evaluations of the period's places: mean grade and the share that would
recommend the training.

Money: payments for places in the period's groups, by way of paying; paid
amounts; exemptions; refunds paid back.

Referred (verwezen), in front of signed up: the care path's referrals made
in the period (their `created_at`: a referral has no group, and counts also
when the patient never signs up). A referral's training and location are
those of the place it led to, else what the referrer chose (none: it counts
only without that filter). Its practice is the referral's practice. A place
belongs to the practice of its (first) referral; places without a referral
are "zonder verwijzing". The practice filter narrows the people (referrals,
places, waits); groups and money stay those of the period's groups.
`FUNNEL_STEPS` is the ordered list the pages, the charts and the exports follow.
"""

import datetime
import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, Min, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.clock import LOCAL_TZ
from booking.models import (
    Attendance,
    CancelCause,
    Enrollment,
    Location,
    Offer,
    Payment,
    Refund,
    Session,
    TrainingGroup,
)
from carepath.models import Evaluation, Invitation, Practice, Questionnaire, Referral, ScoreBand
from courses.models import CoursePage

SMALL = 5  # cells of fewer people than this are shown as "< 5"
TREEKNORM_DAYS = 28

REFERRED = "referred"
SIGNED_UP = "signed_up"
SIGNED_UP_REFERRED = "signed_up_referred"  # signed up with a referral: what "verwezen" converts into
STARTED = "started"
COMPLETED = "completed"
STOPPED = "stopped"
RUNNING = "running"
NO_SHOW = "no_show"
LEFT_BEFORE_START = "left_before_start"
GROUP_CANCELLED = "group_cancelled"
NOT_STARTED_YET = "not_started_yet"

# The funnel's main steps in order.
FUNNEL_STEPS = [
    (REFERRED, _("verwezen")),
    (SIGNED_UP, _("aangemeld")),
    (STARTED, _("gestart")),
    (COMPLETED, _("afgerond")),
]
# What else became of people who signed up.
OUTCOMES = [
    (LEFT_BEFORE_START, _("afgemeld voor de start")),
    (GROUP_CANCELLED, _("groep ging niet door")),
    (NO_SHOW, _("niet gekomen")),
    (STOPPED, _("gestopt")),
    (RUNNING, _("loopt nog")),
    (NOT_STARTED_YET, _("nog niet begonnen")),
]
LABELS = dict(FUNNEL_STEPS + OUTCOMES)
SIGNED_UP_STATUSES = (Enrollment.Status.CONFIRMED, Enrollment.Status.COMPLETED)


@dataclass(frozen=True)
class Filters:
    """The period is of first sessions: from `start` up to and including `end` (dates on the Dutch clock)."""

    start: datetime.date
    end: datetime.date
    course_id: int | None = None
    location_id: int | None = None
    practice_id: int | None = None

    @property
    def since(self):
        return datetime.datetime.combine(self.start, datetime.time.min, tzinfo=LOCAL_TZ)

    @property
    def until(self):
        return datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=LOCAL_TZ)


def last_twelve_months(now=None):
    """The default period: the twelve whole months before the current one."""
    today = timezone.localdate(now or timezone.now())
    end = today.replace(day=1) - datetime.timedelta(days=1)
    start = end.replace(year=end.year - 1) + datetime.timedelta(days=1)
    return start, end


@dataclass
class Funnel:
    counts: Counter = field(default_factory=Counter)

    def __getitem__(self, key):
        if key == STARTED:
            return self.counts[COMPLETED] + self.counts[STOPPED] + self.counts[RUNNING]
        return self.counts[key]

    def add(self, outcome, referred=False):
        self.counts[SIGNED_UP] += 1
        self.counts[outcome] += 1
        if referred:
            self.counts[SIGNED_UP_REFERRED] += 1

    def conversion(self, key):
        """The part of step `key` that the step before leads to: aangemeld with a referral, of verwezen."""
        return self.counts[SIGNED_UP_REFERRED] if key == SIGNED_UP else self[key]

    @property
    def at_start(self):
        """Places held at the first session: everyone who started, and the no-shows."""
        return self[STARTED] + self[NO_SHOW]

    def steps(self):
        """(key, label, count, count of the step before or None) for the funnel's main steps, in order."""
        rows, before = [], None
        for key, label in FUNNEL_STEPS:
            rows.append((key, label, self[key], before))
            before = self[key]
        return rows


@dataclass
class GroupStats:
    planned: int = 0  # groups in the period, in every status
    started: int = 0
    cancelled: int = 0
    places_offered: int = 0  # capacity of the started groups
    places_at_start: int = 0  # places held at the first session in the started groups
    causes: Counter = field(default_factory=Counter)

    @property
    def average_size(self):
        return self.places_at_start / self.started if self.started else None

    @property
    def fill_rate(self):
        return self.places_at_start / self.places_offered if self.places_offered else None


@dataclass
class Waits:
    days: list = field(default_factory=list)

    @property
    def count(self):
        return len(self.days)

    @property
    def median(self):
        return statistics.median(self.days) if self.days else None

    @property
    def p90(self):
        if not self.days:
            return None
        ordered = sorted(self.days)
        return ordered[math.ceil(0.9 * len(ordered)) - 1]

    @property
    def within_treeknorm(self):
        return sum(1 for days in self.days if days <= TREEKNORM_DAYS)

    @property
    def within_share(self):
        return self.within_treeknorm / self.count if self.days else None


@dataclass
class Outcome:
    """Pre and post scores of one questionnaire; `improved` is None when it has no bands."""

    name: str
    pairs: list = field(default_factory=list)  # (pre, post) as Decimals
    improved: int | None = 0

    @property
    def count(self):
        return len(self.pairs)

    def _mean(self, values):
        return sum(values) / len(values) if values else None

    @property
    def mean_pre(self):
        return self._mean([pre for pre, _post in self.pairs])

    @property
    def mean_post(self):
        return self._mean([post for _pre, post in self.pairs])

    @property
    def mean_change(self):
        return self._mean([post - pre for pre, post in self.pairs])


@dataclass
class Satisfaction:
    grades: list = field(default_factory=list)
    recommend: int = 0

    @property
    def count(self):
        return len(self.grades)

    @property
    def mean_grade(self):
        return sum(self.grades) / len(self.grades) if self.grades else None


@dataclass
class Money:
    by_provider: Counter = field(default_factory=Counter)  # payments per way of paying
    paid_count: int = 0
    paid_amount: Decimal = Decimal("0.00")
    open_count: int = 0
    exemptions: int = 0
    refunded_amount: Decimal = Decimal("0.00")


@dataclass
class Figures:
    filters: Filters
    total: Funnel
    by_course: dict  # course title -> Funnel
    by_location: dict  # location label -> Funnel
    by_practice: dict  # practice label (or "zonder verwijzing") -> Funnel
    groups: GroupStats
    groups_by_location: dict  # location label -> GroupStats
    waits: Waits
    waits_by_month: dict  # "2026-03" -> Waits (month of the first session)
    money: Money
    outcomes: list  # Outcome per questionnaire, by name
    satisfaction: Satisfaction


def _label(location):
    return f"{location.name}, {location.town}" if location.town else location.name


def period_groups(filters):
    """The groups whose first session falls in the period (optionally of one training and one location).

    The first session in any status: a cancelled group's sessions are cancelled too, and it still
    belongs to the period it was planned in.
    """
    first = (
        Session.objects.filter(group=OuterRef("pk"))
        .order_by()
        .values("group")
        .annotate(first=Min("start"))
        .values("first")
    )
    groups = TrainingGroup.objects.annotate(first_start=Subquery(first)).filter(
        first_start__gte=filters.since, first_start__lt=filters.until
    )
    if filters.course_id:
        groups = groups.filter(course_id=filters.course_id)
    if filters.location_id:
        groups = groups.filter(location_id=filters.location_id)
    return groups


def classify(group, status, cancelled_at, attended, present, now):
    """The outcome of one place that was signed up (see the module's rules)."""
    first = group["first_start"]
    if group["status"] == TrainingGroup.Status.CANCELLED:
        return GROUP_CANCELLED
    if status == Enrollment.Status.CANCELLED and cancelled_at is not None and cancelled_at < first:
        return LEFT_BEFORE_START
    if first > now:
        return LEFT_BEFORE_START if status == Enrollment.Status.CANCELLED else NOT_STARTED_YET
    if attended and not present:
        return NO_SHOW
    if status == Enrollment.Status.CANCELLED:
        return STOPPED
    if status == Enrollment.Status.COMPLETED:
        return COMPLETED
    return RUNNING


def compute(filters, now=None):
    """Every figure for the filters, in a fixed number of queries (the people come as plain tuples)."""
    now = now or timezone.now()
    groups_qs = period_groups(filters)
    groups = {
        row["pk"]: row
        for row in groups_qs.values(
            "pk", "course_id", "location_id", "first_start", "status", "capacity", "cancel_cause"
        )
    }
    courses = dict(
        CoursePage.objects.filter(pk__in={g["course_id"] for g in groups.values()}).values_list("pk", "title")
    )
    locations = {
        location.pk: _label(location)
        for location in Location.objects.filter(pk__in={g["location_id"] for g in groups.values()})
    }

    accepted_from = Offer.objects.filter(enrollment=OuterRef("pk"), status=Offer.Status.ACCEPTED).values(
        "entry__joined_at"
    )[:1]
    first_referral = Referral.objects.filter(enrollment=OuterRef("pk")).order_by("created_at", "pk")
    places = (
        Enrollment.objects.filter(group__in=groups_qs.values("pk"))
        .filter(Q(confirmed_at__isnull=False) | Q(status__in=SIGNED_UP_STATUSES))
        .annotate(
            attended=Exists(Attendance.objects.filter(enrollment=OuterRef("pk"))),
            present=Exists(Attendance.objects.filter(enrollment=OuterRef("pk"), status=Attendance.Status.PRESENT)),
            list_joined=Subquery(accepted_from),
            referred=Exists(first_referral),
            practice=Subquery(first_referral.values("practice_id")[:1]),
        )
    )
    if filters.practice_id:
        places = places.filter(practice=filters.practice_id)
    places = places.values_list(
        "pk",
        "group_id",
        "status",
        "cancelled_at",
        "created_at",
        "attended",
        "present",
        "list_joined",
        "referred",
        "practice",
    )

    referrals = referred_in(filters)
    practices = {
        practice.pk: str(practice)
        for practice in Practice.objects.filter(
            pk__in={row[0] for row in referrals} | set(places.exclude(practice=None).values_list("practice", flat=True))
        )
    }
    courses.update(
        CoursePage.objects.filter(pk__in={row[1] for row in referrals} - set(courses)).values_list("pk", "title")
    )
    locations.update(
        (location.pk, _label(location))
        for location in Location.objects.filter(pk__in={row[2] for row in referrals} - set(locations))
    )

    total, by_course, by_location = Funnel(), defaultdict(Funnel), defaultdict(Funnel)
    by_practice = defaultdict(Funnel)
    for practice_id, course_id, location_id in referrals:
        total.counts[REFERRED] += 1
        by_practice[practice_label(practices, practice_id, True)].counts[REFERRED] += 1
        if course_id:
            by_course[courses[course_id]].counts[REFERRED] += 1
        if location_id:
            by_location[locations[location_id]].counts[REFERRED] += 1

    at_start_per_group = Counter()
    waits, waits_by_month = Waits(), defaultdict(Waits)
    counted, completed = set(), set()
    for row in places.iterator(chunk_size=5000):
        pk, group_id, status, cancelled_at, created_at, attended, present, list_joined, referred, practice_id = row
        group = groups[group_id]
        outcome = classify(group, status, cancelled_at, attended, present, now)
        total.add(outcome, referred)
        by_course[courses[group["course_id"]]].add(outcome, referred)
        by_location[locations[group["location_id"]]].add(outcome, referred)
        by_practice[practice_label(practices, practice_id, referred)].add(outcome, referred)
        counted.add(pk)
        if outcome == COMPLETED:
            completed.add(pk)
        if outcome in (COMPLETED, STOPPED, RUNNING, NO_SHOW):
            at_start_per_group[group_id] += 1
            asked = min(created_at, list_joined) if list_joined else created_at
            # A place taken over from an earlier system can be dated after the start: no wait, not a negative one.
            days = max(0.0, (group["first_start"] - asked).total_seconds() / 86400)
            waits.days.append(days)
            waits_by_month[timezone.localtime(group["first_start"]).strftime("%Y-%m")].days.append(days)

    stats, stats_by_location = GroupStats(), defaultdict(GroupStats)
    for group in groups.values():
        for target in (stats, stats_by_location[locations[group["location_id"]]]):
            target.planned += 1
            if group["status"] == TrainingGroup.Status.CANCELLED:
                target.cancelled += 1
                target.causes[group["cancel_cause"] or ""] += 1
            elif group["first_start"] <= now:
                target.started += 1
                target.places_offered += group["capacity"]
                target.places_at_start += at_start_per_group[group["pk"]]

    return Figures(
        filters=filters,
        total=total,
        by_course=dict(sorted(by_course.items())),
        by_location=dict(sorted(by_location.items())),
        by_practice=dict(sorted(by_practice.items(), key=lambda item: (item[0] == str(WITHOUT_REFERRAL), item[0]))),
        groups=stats,
        groups_by_location=dict(sorted(stats_by_location.items())),
        waits=waits,
        waits_by_month=dict(sorted(waits_by_month.items())),
        money=money(groups_qs),
        outcomes=outcomes(groups_qs, completed),
        satisfaction=satisfaction(groups_qs, counted),
    )


def band_index(bands, score):
    """The place of `score` among the bands (ordered by their lower bound), or None outside every band."""
    for index, (low, high) in enumerate(bands):
        if low <= score <= high:
            return index
    return None


def outcomes(groups_qs, completed):
    """Per questionnaire: the completed places with a pre and a post score on it (see the module's rules)."""
    scores = defaultdict(dict)  # enrollment -> moment -> (questionnaire, score)
    for enrollment_id, moment, questionnaire_id, score in Invitation.objects.filter(
        enrollment__group__in=groups_qs.values("pk"),
        moment__in=[Invitation.Moment.PRE, Invitation.Moment.POST],
        score__isnull=False,
        questionnaire__isnull=False,
    ).values_list("enrollment_id", "moment", "questionnaire_id", "score"):
        if enrollment_id in completed:
            scores[enrollment_id][moment] = (questionnaire_id, score)
    pairs = defaultdict(list)
    for found in scores.values():
        pre, post = found.get(Invitation.Moment.PRE), found.get(Invitation.Moment.POST)
        if pre and post and pre[0] == post[0]:
            pairs[pre[0]].append((pre[1], post[1]))
    bands = defaultdict(list)
    for questionnaire_id, low, high in (
        ScoreBand.objects.filter(questionnaire__in=list(pairs))
        .order_by("low")
        .values_list("questionnaire", "low", "high")
    ):
        bands[questionnaire_id].append((low, high))
    result = []
    for questionnaire in Questionnaire.objects.filter(pk__in=list(pairs)):
        demo = questionnaire.is_demo and "demo" not in questionnaire.name.lower()
        name = f"{questionnaire.name} ({_('demo')})" if demo else questionnaire.name
        outcome = Outcome(name=name, pairs=pairs[questionnaire.pk])
        if bands[questionnaire.pk]:
            for pre, post in outcome.pairs:
                before, after = band_index(bands[questionnaire.pk], pre), band_index(bands[questionnaire.pk], post)
                outcome.improved += before is not None and after is not None and after > before
        else:
            outcome.improved = None
        result.append(outcome)
    return sorted(result, key=lambda outcome: outcome.name)


def satisfaction(groups_qs, counted):
    """The evaluations of the counted places: grades and who would recommend the training."""
    result = Satisfaction()
    for enrollment_id, grade, recommend in Evaluation.objects.filter(
        invitation__enrollment__group__in=groups_qs.values("pk")
    ).values_list("invitation__enrollment_id", "grade", "would_recommend"):
        if enrollment_id in counted:
            result.grades.append(grade)
            result.recommend += recommend
    return result


WITHOUT_REFERRAL = _("zonder verwijzing")
UNKNOWN_PRACTICE = _("praktijk niet vastgelegd")


def practice_label(practices, practice_id, referred):
    if not referred:
        return str(WITHOUT_REFERRAL)
    return practices[practice_id] if practice_id else str(UNKNOWN_PRACTICE)


def referred_in(filters):
    """(practice, training, location) of each referral made in the period that fits the filters (see the rules)."""
    rows = Referral.objects.filter(created_at__gte=filters.since, created_at__lt=filters.until)
    if filters.practice_id:
        rows = rows.filter(practice_id=filters.practice_id)
    found = []
    for practice_id, course_id, location_id, group_course, group_location in rows.values_list(
        "practice_id",
        "course_id",
        "preferred_location_id",
        "enrollment__group__course_id",
        "enrollment__group__location_id",
    ):
        course_id, location_id = group_course or course_id, group_location or location_id
        if filters.course_id and course_id != filters.course_id:
            continue
        if filters.location_id and location_id != filters.location_id:
            continue
        found.append((practice_id, course_id, location_id))
    return found


def money(groups_qs):
    payments = Payment.objects.filter(group__in=groups_qs.values("pk"))
    result = Money()
    for row in payments.order_by().values("provider", "status").annotate(count=Count("pk"), amount=Sum("amount")):
        result.by_provider[row["provider"]] += row["count"]
        if row["provider"] == Payment.Provider.EXEMPT:
            result.exemptions += row["count"]
        elif row["status"] == Payment.Status.PAID:
            result.paid_count += row["count"]
            result.paid_amount += row["amount"] or Decimal("0")
        elif row["status"] in (Payment.Status.OPEN, Payment.Status.CREATED, Payment.Status.PENDING):
            result.open_count += row["count"]
    refunded = Refund.objects.filter(payment__in=payments, status=Refund.Status.REFUNDED).aggregate(sum=Sum("amount"))
    result.refunded_amount = refunded["sum"] or Decimal("0.00")
    return result


def cause_label(cause):
    return CancelCause(cause).label if cause else _("niet vastgelegd")


# --- what may be shown ------------------------------------------------------------------------------


def people(count):
    """A count of people as it may be shown: fewer than 5 (but not none) is "< 5", so no one can be picked out."""
    if 0 < count < SMALL:
        return "< 5"
    return count


def share(part, whole):
    """A percentage as text, or "–" when it is unknown or could reveal a small cell."""
    if not whole or 0 < part < SMALL or 0 < whole < SMALL:
        return "–"
    return f"{round(100 * part / whole)}%"
