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

Speed at national scale (thousands of areas, 2,000 locations): neighbours are
found through a grid of cells at least `km` wide (`Grid`), so an area is
compared only with what lies in the cells around it, never with every other
area; the exact distance still decides, so the outcome is the same as
comparing every pair.
"""

import datetime
import math
from collections import Counter, defaultdict
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


# A grid cell's height in degrees of latitude for `km`; its width in degrees of longitude is
# larger by 1 / cos(60°): every point within `km` of a point then lies in the 3 × 3 cells around
# its cell anywhere south of 60° north (the Netherlands lie between 50.7° and 53.6°).
LONGITUDE_STRETCH = 1 / math.cos(math.radians(60))


class Grid:
    """Points (latitude, longitude, item) in square-ish cells of at least `km`: neighbours without all pairs."""

    def __init__(self, points, km):
        self.km = max(float(km), 0.1)
        self.height = self.km / geo.KM_PER_DEGREE_LATITUDE
        self.width = self.height * LONGITUDE_STRETCH
        self.cells = defaultdict(list)
        for point in points:
            self.cells[self.cell(point[0], point[1])].append(point)
        rows = [row for row, _column in self.cells]
        columns = [column for _row, column in self.cells]
        self.bounds = (min(rows), max(rows), min(columns), max(columns)) if self.cells else None

    def cell(self, latitude, longitude):
        return (math.floor(latitude / self.height), math.floor(longitude / self.width))

    def ring(self, latitude, longitude, radius):
        """The points in the cells exactly `radius` cells away (in rows or columns) from the cell of a point."""
        row, column = self.cell(latitude, longitude)
        for d_row in range(-radius, radius + 1):
            step = 1 if abs(d_row) == radius else 2 * radius or 1
            for d_column in range(-radius, radius + 1, step):
                yield from self.cells.get((row + d_row, column + d_column), ())

    def within(self, latitude, longitude):
        """(distance, item) of every point within `km`: the 3 × 3 cells around, then the exact distance."""
        found = []
        for radius in (0, 1):
            for lat, lon, item in self.ring(latitude, longitude, radius):
                distance = geo.distance_km(latitude, longitude, lat, lon)
                if distance <= self.km:
                    found.append((distance, item))
        return found

    def nearest(self, latitude, longitude, key=lambda item: 0):
        """(distance, item) of the nearest point (ties: the smallest `key`), or (None, None) without points.

        Ring by ring: a point `radius + 1` cells away or further is more than `radius` cell heights
        away, so once the best found is nearer than that, no further ring can beat it.
        """
        if not self.cells:
            return None, None
        best = None
        row, column = self.cell(latitude, longitude)
        low_row, high_row, low_column, high_column = self.bounds
        furthest = max(abs(row - low_row), abs(row - high_row), abs(column - low_column), abs(column - high_column))
        for radius in range(furthest + 1):
            for lat, lon, item in self.ring(latitude, longitude, radius):
                candidate = (geo.distance_km(latitude, longitude, lat, lon), key(item), item)
                if best is None or candidate[:2] < best[:2]:
                    best = candidate
            # A margin of 1 % for the sphere: the cells are cut in degrees, the distance is a great circle.
            if best is not None and best[0] < radius * self.km * 0.99:
                break
        return best[0], best[2]


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
        grid = Grid([(location.latitude, location.longitude, location) for location in places], km)
        rows = []
        for pc4, counts in areas.items():
            area = geo.find_area(pc4)
            if area is None:
                continue
            row = AreaDemand(area=area, waiting=counts["waiting"], signed_up=counts["signed_up"], km=km)
            # The nearest location; of equally near ones the first by key, as a scan in key order finds.
            row.nearest_km, row.nearest = grid.nearest(area.latitude, area.longitude, key=lambda location: location.pk)
            rows.append(row)
        rows.sort(key=lambda row: (-row.waiting, -row.signed_up, row.area.pc4))
        result.append(
            CourseDemand(course=course, areas=rows, supply=places, suggestions=suggest(course, rows, places, km))
        )
    return result


def suggest(course, rows, places, km):
    """The greedy coverage rule of the module's docstring; ranked, best first.

    The areas within `km` of each open area are found once, through the grid;
    each round then only adds up what is left in those.
    """
    open_rows = [row for row in rows if row.uncovered]
    left = {row.area.pc4: row.waiting for row in open_rows}
    grid = Grid([(row.area.latitude, row.area.longitude, row.area.pc4) for row in open_rows], km)
    near = {
        row.area.pc4: [pc4 for _distance, pc4 in grid.within(row.area.latitude, row.area.longitude)]
        for row in open_rows
    }
    suggestions = []
    while len(suggestions) < MAX_SUGGESTIONS:
        best, best_key = None, None
        for candidate in open_rows:
            pc4 = candidate.area.pc4
            reach = sum(left[other] for other in near[pc4])
            # Ties: the area with more people of its own waiting, then the lower postcode (a stable order).
            key = (reach, left[pc4], -int(pc4))
            if best_key is None or key > best_key:
                best, best_key = candidate, key
        best_count = best_key[0] if best_key else 0
        if best is None or best_count < MIN_GROUP:
            break
        suggestions.append(
            Suggestion(course=course, area=best.area, waiting_within=best_count, nearest_km=best.nearest_km)
        )
        for other in near[best.area.pc4]:
            left[other] = 0
    return suggestions
