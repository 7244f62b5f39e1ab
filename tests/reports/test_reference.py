"""The figures counted in the database against the rules read place by place in Python.

`compute` sorts places into outcomes with one SQL expression and takes the
first sessions, attendance, referrals and waits in as few queries as it can.
Here the same rules are applied one place at a time, straight from the
records, on the demo's generated year plus referrals, a group still ahead
and places given up before and after the start; every funnel, group figure
and wait must be the same, for the whole period and for each filter.
"""

import datetime
import random
from collections import Counter, defaultdict

import pytest
from django.utils import timezone

from booking.models import Attendance, Enrollment, Location, Offer, Session, TrainingGroup
from carepath.models import Referral
from home.demo.history import build_history, history_period
from reports import figures as f
from tests.booking.factories import place_in, planned_group
from tests.carepath.factories import PracticeFactory, ReferralFactory
from tests.factories import CoursePageFactory, LocationFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def year(course_index, now):
    """The generated year in two trainings over eight towns, with referrals from two practices, and more."""
    towns = ["Eindhoven", "Helmond", "Geldrop", "Nuenen", "Veldhoven", "Best", "Son", "Mierlo"]
    locations = [LocationFactory(name=f"Gezondheidscentrum {town}", town=town) for town in towns]
    courses = [
        CoursePageFactory(parent=course_index, slug=slug, title=title, session_count=5, locations=locations)
        for slug, title in (("mentaal-fit", "Mentaal Fit"), ("mindfulness", "Mindfulness"))
    ]
    build_history(seed=5, now=now)
    rng = random.Random(5)
    practices = [PracticeFactory(name="De Linde", town="Geldrop"), PracticeFactory(name="De Akkers", town="Mierlo")]
    for enrollment in rng.sample(list(Enrollment.objects.order_by("pk")), 120):
        for _ in range(rng.choice([1, 1, 1, 2])):  # some places have two referrals: the first one counts
            ReferralFactory(
                practice=rng.choice([*practices, None]),
                enrollment=enrollment,
                created_at=enrollment.created_at - rng.randint(1, 30) * DAY,
            )
    ReferralFactory(practice=practices[0], course=courses[0], created_at=now - 40 * DAY)
    # A group still ahead: signed up, one who already gave up their place, one who left and came back to nothing.
    ahead = planned_group(courses[1], locations[0], first_start=now + 20 * DAY, capacity=10, taken=4)
    Enrollment.objects.filter(pk=ahead.enrollments.first().pk).update(status="cancelled", cancelled_at=now - DAY)
    # A group that started last week: someone left before it, someone stopped after, one never came.
    recent = planned_group(courses[0], locations[1], first_start=now - 8 * DAY, capacity=8, count=4)
    people = [place_in(recent) for _ in range(6)]
    Enrollment.objects.filter(pk=people[0].pk).update(status="cancelled", cancelled_at=now - 10 * DAY)
    Enrollment.objects.filter(pk=people[1].pk).update(status="cancelled", cancelled_at=now - 2 * DAY)
    first = recent.sessions.order_by("start").first()
    Attendance.objects.create(session=first, enrollment=people[2], status=Attendance.Status.ABSENT)
    Attendance.objects.create(session=first, enrollment=people[3], status=Attendance.Status.PRESENT)
    return courses, locations, practices


def outcome_of(place, first, cancelled_group, now, attended, present):
    """The module's rules, in the order they are read, for one place."""
    cancelled = place.status == Enrollment.Status.CANCELLED
    if cancelled_group:
        return f.GROUP_CANCELLED
    if cancelled and place.cancelled_at is not None and place.cancelled_at < first:
        return f.LEFT_BEFORE_START
    if first > now:
        return f.LEFT_BEFORE_START if cancelled else f.NOT_STARTED_YET
    if place.pk in attended and place.pk not in present:
        return f.NO_SHOW
    if cancelled:
        return f.STOPPED
    if place.status == Enrollment.Status.COMPLETED:
        return f.COMPLETED
    return f.RUNNING


def by_hand(filters, now):
    """Every funnel, the groups and the waits of the period, one record at a time."""
    firsts = defaultdict(list)
    for session in Session.objects.all():
        firsts[session.group_id].append(session.start)
    groups = {}
    for group in TrainingGroup.objects.all():
        first = min(firsts[group.pk]) if firsts[group.pk] else None
        if first is None or not (filters.since <= first < filters.until):
            continue
        if filters.course_id and group.course_id != filters.course_id:
            continue
        if filters.location_id and group.location_id != filters.location_id:
            continue
        groups[group.pk] = (group, first)
    attended = set(Attendance.objects.values_list("enrollment_id", flat=True))
    present = set(Attendance.objects.filter(status=Attendance.Status.PRESENT).values_list("enrollment_id", flat=True))
    joined = {offer.enrollment_id: offer.entry.joined_at for offer in Offer.objects.filter(status="accepted")}
    first_referral = {}
    for referral in Referral.objects.exclude(enrollment=None).order_by("created_at", "pk"):
        first_referral.setdefault(referral.enrollment_id, referral)
    locations = {location.pk: f"{location.name}, {location.town}" for location in Location.objects.all()}

    funnels = defaultdict(Counter)
    started_groups = Counter()
    waits = []
    for place in Enrollment.objects.filter(group__in=list(groups)).order_by("pk"):
        if place.confirmed_at is None and place.status not in f.SIGNED_UP_STATUSES:
            continue
        group, first = groups[place.group_id]
        referral = first_referral.get(place.pk)
        practice = referral.practice_id if referral else None
        if filters.practice_id and practice != filters.practice_id:
            continue
        cancelled_group = group.status == TrainingGroup.Status.CANCELLED
        outcome = outcome_of(place, first, cancelled_group, now, attended, present)
        if referral is None:
            practice_name = "zonder verwijzing"
        else:
            practice_name = str(referral.practice) if referral.practice else "praktijk niet vastgelegd"
        for key in ("total", group.course.title, locations[group.location_id], practice_name):
            funnels[key][outcome] += 1
            funnels[key]["signed_up"] += 1
        if outcome in f.AT_START:
            started_groups[group.pk] += 1
        if cancelled_group or first > now:
            continue
        if place.status == Enrollment.Status.CANCELLED and place.cancelled_at and place.cancelled_at < first:
            continue
        asked = min(place.created_at, joined.get(place.pk, place.created_at))
        waits.append(max(0.0, (first - asked).total_seconds() / 86400))
    return funnels, groups, started_groups, waits


def assert_same(filters, now):
    result = f.compute(filters, now=now)
    funnels, groups, at_start, waits = by_hand(filters, now)

    outcomes = [key for key, _label in f.OUTCOMES] + [f.COMPLETED, f.SIGNED_UP]
    counted = {"total": result.total, **result.by_course, **result.by_location, **result.by_practice}
    for name, funnel in counted.items():
        by_rule = funnels.get(name, Counter())  # a funnel of referrals only has no places
        assert {key: funnel[key] for key in outcomes} == {key: by_rule[key] for key in outcomes}, name
    assert {name for name, funnel in counted.items() if funnel[f.SIGNED_UP]} == set(funnels)

    assert result.groups.planned == len(groups)
    started = [pk for pk, (group, first) in groups.items() if group.status != "cancelled" and first <= now]
    assert result.groups.started == len(started)
    assert result.groups.places_offered == sum(groups[pk][0].capacity for pk in started)
    assert result.groups.places_at_start == sum(at_start.values())
    assert sorted(result.waits.days) == pytest.approx(sorted(waits))
    return result


def test_the_database_counts_every_place_as_the_rules_read_one_by_one(year, now):
    courses, locations, practices = year
    start, end = history_period(now)
    whole = f.Filters(start=start, end=timezone.localdate(now) + 60 * DAY)

    result = assert_same(whole, now)
    assert result.total[f.NOT_STARTED_YET] == 3 and result.total[f.NO_SHOW] > 0
    assert result.by_practice["De Linde, Geldrop"][f.SIGNED_UP] > 0

    assert_same(f.Filters(start=start, end=end), now)
    assert_same(f.Filters(start=start, end=end, course_id=courses[1].pk), now)
    assert_same(f.Filters(start=start, end=whole.end, location_id=locations[1].pk), now)
    assert_same(f.Filters(start=start, end=whole.end, practice_id=practices[0].pk), now)
    # A short period in the middle: groups begin and end at its edges.
    middle = start + datetime.timedelta(days=150)
    assert_same(f.Filters(start=middle, end=middle + datetime.timedelta(days=20)), now)
