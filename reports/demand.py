"""Where the next group should open: demand per PC4 area against where groups run.

Demand of one training, per four-digit postcode area (PC4) of where people
live: people on the waiting list now, and people who signed up in the last
twelve months (a confirmed place). Supply: the locations where the training
has a group that is planned, open, closed for sign-up or running. The
distance from an area to a group is the straight line from the area's
centroid to the location (`booking.geo`, as the course finder measures).

An area is "without a group" when no such location lies within `km`
kilometres (default 10: the distance people in the villages say they will
travel). The suggestion rule, a simple greedy coverage: among the areas with
people waiting and no group within `km`, take the area that has the most
waiting people within `km` of it (its own and its neighbours'); suggest a
group there; count those people as served; repeat while a suggestion would
reach at least a group's minimum (5) people, at most 5 times per training.
Ties go to the area with more of its own people waiting, then the lower postcode.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, F
from django.db.models.functions import Substr
from django.utils import timezone

from booking import geo
from booking.models import Enrollment, Location, TrainingGroup, WaitlistEntry
from courses.models import CoursePage
from home.languages import originals

DEFAULT_KM = 10
MIN_GROUP = 5
MAX_SUGGESTIONS = 5
SUPPLY_STATUSES = (
    TrainingGroup.Status.PLANNED,
    TrainingGroup.Status.OPEN,
    TrainingGroup.Status.CLOSED,
    TrainingGroup.Status.RUNNING,
)


@dataclass
class AreaDemand:
    area: geo.PostcodeArea
    waiting: int = 0
    signed_up: int = 0
    nearest_km: float | None = None  # to the nearest location with a group of the training
    nearest: object = None  # that Location

    km: float = DEFAULT_KM

    @property
    def uncovered(self):
        """People wait here and no group of the training runs within `km`."""
        return self.waiting > 0 and (self.nearest_km is None or self.nearest_km > self.km)


@dataclass
class Suggestion:
    course: object
    area: geo.PostcodeArea
    waiting_within: int
    nearest_km: float | None


@dataclass
class CourseDemand:
    course: object
    areas: list = field(default_factory=list)  # AreaDemand, most waiting first
    supply: list = field(default_factory=list)  # Locations with a group
    suggestions: list = field(default_factory=list)


def _per_area(queryset, course_path):
    """People per (course id, PC4 of where they live): one query, counted in the database."""
    rows = (
        queryset.annotate(training=F(course_path), pc4=Substr("participant__postcode", 1, 4))
        .order_by()
        .values("training", "pc4")
        .annotate(count=Count("pk"))
    )
    return Counter({(row["training"], row["pc4"]): row["count"] for row in rows})


def demand(*, km=DEFAULT_KM, now=None, course_id=None):
    """Per live training: demand per area, the locations with a group, and the ranked suggestions."""
    now = now or timezone.now()
    courses = originals(CoursePage.objects.live()).order_by("title")
    if course_id:
        courses = courses.filter(pk=course_id)
    courses = list(courses)
    ids = [course.pk for course in courses]
    waiting = _per_area(WaitlistEntry.objects.active().filter(course_id__in=ids), "course_id")
    year_ago = now - datetime.timedelta(days=365)
    signed = _per_area(
        Enrollment.objects.filter(group__course_id__in=ids, confirmed_at__gte=year_ago), "group__course_id"
    )
    supply = {}
    for course_id_, location_id in (
        TrainingGroup.objects.filter(course_id__in=ids, status__in=SUPPLY_STATUSES)
        .values_list("course_id", "location_id")
        .distinct()
    ):
        supply.setdefault(course_id_, set()).add(location_id)
    locations = {
        location.pk: location
        for location in Location.objects.filter(pk__in={pk for pks in supply.values() for pk in pks})
        if location.has_coordinates and not location.is_online
    }
    result = []
    for course in courses:
        places = [locations[pk] for pk in sorted(supply.get(course.pk, ())) if pk in locations]
        areas = {}
        for (course_key, pc4), count in waiting.items():
            if course_key == course.pk:
                areas.setdefault(pc4, Counter())["waiting"] += count
        for (course_key, pc4), count in signed.items():
            if course_key == course.pk:
                areas.setdefault(pc4, Counter())["signed_up"] += count
        rows = []
        for pc4, counts in areas.items():
            area = geo.find_area(pc4)
            if area is None:
                continue
            row = AreaDemand(area=area, waiting=counts["waiting"], signed_up=counts["signed_up"], km=km)
            for location in places:
                distance = geo.distance_km(area.latitude, area.longitude, location.latitude, location.longitude)
                if row.nearest_km is None or distance < row.nearest_km:
                    row.nearest_km, row.nearest = distance, location
            rows.append(row)
        rows.sort(key=lambda row: (-row.waiting, -row.signed_up, row.area.pc4))
        result.append(
            CourseDemand(course=course, areas=rows, supply=places, suggestions=suggest(course, rows, places, km))
        )
    return result


def suggest(course, rows, places, km):
    """The greedy coverage rule of the module's docstring; ranked, best first."""
    open_rows = [row for row in rows if row.uncovered]
    left = {row.area.pc4: row.waiting for row in open_rows}
    suggestions = []
    while len(suggestions) < MAX_SUGGESTIONS:
        best, best_key = None, None
        for candidate in open_rows:
            reach = sum(
                left[other.area.pc4]
                for other in open_rows
                if geo.distance_km(
                    candidate.area.latitude, candidate.area.longitude, other.area.latitude, other.area.longitude
                )
                <= km
            )
            # Ties: the area with more people of its own waiting, then the lower postcode (a stable order).
            key = (reach, left[candidate.area.pc4], -int(candidate.area.pc4))
            if best_key is None or key > best_key:
                best, best_key = candidate, key
        best_count = best_key[0] if best_key else 0
        if best is None or best_count < MIN_GROUP:
            break
        suggestions.append(
            Suggestion(course=course, area=best.area, waiting_within=best_count, nearest_km=best.nearest_km)
        )
        for other in open_rows:
            distance = geo.distance_km(
                best.area.latitude, best.area.longitude, other.area.latitude, other.area.longitude
            )
            if distance <= km:
                left[other.area.pc4] = 0
    return suggestions
