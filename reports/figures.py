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

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
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

    def add(self, outcome, referred=False, count=1):
        self.counts[SIGNED_UP] += count
        self.counts[outcome] += count
        if referred:
            self.counts[SIGNED_UP_REFERRED] += count

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
    belongs to the period it was planned in. One pass over the sessions, grouped per group (the
    database joins and aggregates them once), not a lookup per group: annotated `first_start`.
    """
    groups = TrainingGroup.objects.order_by()
    if filters.course_id:
        groups = groups.filter(course_id=filters.course_id)
    if filters.location_id:
        groups = groups.filter(location_id=filters.location_id)
    return groups.annotate(first_start=Min("sessions__start")).filter(
        first_start__gte=filters.since, first_start__lt=filters.until
    )


def outcome_expression(ahead):
    """The outcome of one place that was signed up (see the module's rules), as a database expression.

    On places annotated with `first` (the group's first session), `attended` and `present`;
    `ahead` lists the groups whose first session is still ahead (known per group, so the
    database need not look up the first session for every place). The conditions are tried in
    order, as the rules are read.
    """
    cancelled = Q(status=Enrollment.Status.CANCELLED)
    return Case(
        When(group__status=TrainingGroup.Status.CANCELLED, then=Value(GROUP_CANCELLED)),
        When(cancelled & Q(cancelled_at__isnull=False, cancelled_at__lt=F("first")), then=Value(LEFT_BEFORE_START)),
        When(cancelled & keys_in("group_id", ahead), then=Value(LEFT_BEFORE_START)),
        When(keys_in("group_id", ahead), then=Value(NOT_STARTED_YET)),
        When(attended=True, present=False, then=Value(NO_SHOW)),
        When(cancelled, then=Value(STOPPED)),
        When(status=Enrollment.Status.COMPLETED, then=Value(COMPLETED)),
        default=Value(RUNNING),
        output_field=CharField(),
    )


AT_START = (COMPLETED, STOPPED, RUNNING, NO_SHOW)


class AnyOf(Func):
    """`column = ANY(%s)` with the keys as one array parameter (PostgreSQL).

    Thousands of keys as `IN (%s, %s, …)` cost Django and the driver one placeholder each to
    prepare, every query (seconds at national scale); one array is one parameter.
    """

    output_field = BooleanField()
    conditional = True  # usable in filter() and When(), alone or with Q objects

    def __init__(self, column, keys):
        super().__init__(F(column))
        self.keys = [int(key) for key in keys]

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"{sql} = ANY(%s::bigint[])", (*params, self.keys)


def keys_in(column, keys):
    """The condition "`column` is one of `keys`": `keys` a list of keys, or a subquery of them."""
    if connection.vendor == "postgresql" and isinstance(keys, list):
        return AnyOf(column, keys)
    return Q(**{f"{column}__in": keys})


def period_keys(filters, groups):
    """The period's groups for a filter `group__in=`: their keys as a list where the database takes a list
    that long (PostgreSQL), else the subquery (SQLite's limit on parameters)."""
    limit = connection.features.max_query_params
    return list(groups) if limit is None or len(groups) < limit // 2 else period_groups(filters).values("pk")


def signed_up_places(filters, groups, now, period):
    """The places signed up in the period's `groups` (from `period_groups`, by key), each with its `outcome`.

    Lazy: `compute` counts them per group of figures in the database, and reads only the waits of
    the places held at the start. `period` is the groups as `period_keys` gives them (a list of keys
    where the database takes one that long, PostgreSQL), so the period's first sessions are not
    looked up again in every query.
    """
    ahead = [pk for pk, group in groups.items() if group["first_start"] > now]
    first = (
        Session.objects.filter(group=OuterRef("group_id"))
        .order_by()
        .values("group")
        .annotate(first=Min("start"))
        .values("first")
    )
    # Which places have a referral: one set the database builds once (not a lookup per place).
    with_referral = Referral.objects.filter(enrollment__isnull=False).values("enrollment_id")
    first_referral = Referral.objects.filter(enrollment=OuterRef("pk")).order_by("created_at", "pk")
    places = (
        Enrollment.objects.filter(keys_in("group_id", period))
        .filter(Q(confirmed_at__isnull=False) | Q(status__in=SIGNED_UP_STATUSES))
        .annotate(
            # Looked up only for the places given up (the first condition that needs it).
            first=Subquery(first, output_field=DateTimeField()),
            attended=Exists(Attendance.objects.filter(enrollment=OuterRef("pk"))),
            present=Exists(Attendance.objects.filter(enrollment=OuterRef("pk"), status=Attendance.Status.PRESENT)),
            referred=ExpressionWrapper(Q(pk__in=with_referral), output_field=BooleanField()),
        )
        .annotate(
            # Looked up only for places with a referral.
            practice=Case(
                When(referred=True, then=Subquery(first_referral.values("practice_id")[:1])),
                default=None,
                output_field=IntegerField(),
            ),
            outcome=outcome_expression(ahead),
        )
    )
    if filters.practice_id:
        places = places.filter(practice=filters.practice_id)
    return places


class Epoch(Func):
    """A moment as seconds since 1970 (a float): PostgreSQL's EXTRACT(EPOCH …), SQLite's julianday.

    The waits need only the difference of two moments: numbers come back from the database much
    cheaper than timestamps, one per place.
    """

    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)::float8", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        template = "((julianday(%(expressions)s) - 2440587.5) * 86400.0)"
        return self.as_sql(compiler, connection, template=template, **extra)


def waits_of(places, started):
    """(group, days) of each place held at the start: from asking for a place to the first session.

    Asking is the earlier of signing up and joining the list whose offer was accepted. `started`
    maps the period's started groups to their first session; places given up before it were not
    held at the start. Per place two numbers (seconds) of the started groups' places; the first
    session per group; the subtraction in Python.
    """
    if not started:
        return
    first = {group_id: moment.timestamp() for group_id, moment in started.items()}
    # The offer a place came from (at most one: a one-to-one), joined once rather than looked up per place.
    list_joined = Case(When(offer__status=Offer.Status.ACCEPTED, then=F("offer__entry__joined_at")), default=None)
    asked = Coalesce(Least(F("created_at"), list_joined), F("created_at"))
    given_up = Case(When(status=Enrollment.Status.CANCELLED, then=Epoch(F("cancelled_at"))), default=None)
    # The places of the period's groups; those of groups not started are passed over below.
    rows = places.order_by().values_list("group_id", Epoch(asked), given_up)
    for group_id, asked_at, cancelled_at in rows:
        start = first.get(group_id)
        if start is None or (cancelled_at is not None and cancelled_at < start):
            continue
        # A place taken over from an earlier system can be dated after the start: no wait, not a negative one.
        yield group_id, max(0.0, (start - asked_at) / 86400)


def compute(filters, now=None):
    """Every figure for the filters, in a fixed number of queries, counted per group of figures in the database.

    The places come back as one row per (training, location, practice, with a
    referral or not, outcome) with its count, never one per place; only the
    waits come per place, as one duration each.
    """
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

    period = period_keys(filters, groups)
    places = signed_up_places(filters, groups, now, period)
    counts = list(
        places.order_by()
        .values_list("group__course_id", "group__location_id", "practice", "referred", "outcome")
        .annotate(count=Count("pk"))
    )

    referrals = referred_in(filters)
    practices = {
        practice.pk: str(practice)
        for practice in Practice.objects.filter(
            pk__in={row[0] for row in referrals} | {row[2] for row in counts if row[2] is not None}
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
    for practice_id, course_id, location_id, count in referrals:
        total.counts[REFERRED] += count
        by_practice[practice_label(practices, practice_id, True)].counts[REFERRED] += count
        if course_id:
            by_course[courses[course_id]].counts[REFERRED] += count
        if location_id:
            by_location[locations[location_id]].counts[REFERRED] += count

    at_start_per_location = Counter()
    for course_id, location_id, practice_id, referred, outcome, count in counts:
        for funnel in (
            total,
            by_course[courses[course_id]],
            by_location[locations[location_id]],
            by_practice[practice_label(practices, practice_id, referred)],
        ):
            funnel.add(outcome, referred, count)
        if outcome in AT_START:
            at_start_per_location[location_id] += count

    month_of = {pk: timezone.localtime(group["first_start"]).strftime("%Y-%m") for pk, group in groups.items()}
    waits, waits_by_month = Waits(), defaultdict(Waits)
    started = {
        pk: group["first_start"]
        for pk, group in groups.items()
        if group["status"] != TrainingGroup.Status.CANCELLED and group["first_start"] <= now
    }
    for group_id, days in waits_of(places, started):
        waits.days.append(days)
        waits_by_month[month_of[group_id]].days.append(days)

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
    # Places held at the start are only in started groups (not cancelled, first session passed).
    for location_id, count in at_start_per_location.items():
        stats.places_at_start += count
        stats_by_location[locations[location_id]].places_at_start += count

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
        money=money(period),
        outcomes=outcomes(places.filter(outcome=COMPLETED)),
        satisfaction=satisfaction(places),
    )


def band_index(bands, score):
    """The place of `score` among the bands (ordered by their lower bound), or None outside every band."""
    for index, (low, high) in enumerate(bands):
        if low <= score <= high:
            return index
    return None


def outcomes(completed):
    """Per questionnaire: the `completed` places (a queryset) with a pre and a post score on it (see the rules)."""
    scores = defaultdict(dict)  # enrollment -> moment -> (questionnaire, score)
    for enrollment_id, moment, questionnaire_id, score in Invitation.objects.filter(
        enrollment__in=completed.values("pk"),
        moment__in=[Invitation.Moment.PRE, Invitation.Moment.POST],
        score__isnull=False,
        questionnaire__isnull=False,
    ).values_list("enrollment_id", "moment", "questionnaire_id", "score"):
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


def satisfaction(counted):
    """The evaluations of the `counted` places (a queryset): grades and who would recommend the training."""
    result = Satisfaction()
    for grade, recommend in Evaluation.objects.filter(invitation__enrollment__in=counted.values("pk")).values_list(
        "grade", "would_recommend"
    ):
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
    """(practice, training, location, count) of the referrals made in the period that fit the filters (see the rules).

    Counted in the database: one row per practice, training and location.
    """
    rows = Referral.objects.filter(created_at__gte=filters.since, created_at__lt=filters.until)
    if filters.practice_id:
        rows = rows.filter(practice_id=filters.practice_id)
    rows = rows.annotate(
        training=Coalesce(F("enrollment__group__course_id"), F("course_id")),
        place=Coalesce(F("enrollment__group__location_id"), F("preferred_location_id")),
    )
    if filters.course_id:
        rows = rows.filter(training=filters.course_id)
    if filters.location_id:
        rows = rows.filter(place=filters.location_id)
    return list(rows.order_by().values_list("practice_id", "training", "place").annotate(count=Count("pk")))


def money(period):
    """Payments for places in the period's groups (`period`: as `period_keys` gives it)."""
    payments = Payment.objects.filter(keys_in("group_id", period))
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
