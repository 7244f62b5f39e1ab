"""The public overview "Aanbod en wachttijden": per training and location, what someone can expect now.

Nothing is stored here: every page built counts from the groups, the places
and the waiting list as they are, so the page is right on the next request
after a place changes (anonymous visitors get it from the page cache until then:
groepswijzer.page_cache). The rules come from booking, never restated here:
bookable is `TrainingGroup.objects.with_bookable(now)`, a stop is
`services.stops`, and the expected wait is `waitlist.estimate` (the estimate
the waiting list shows a person) for someone who joins the list now and
wants this location.

Bounded at national scale (2,000 locations per training): per training the page
lists at most `ROWS_PER_TRAINING` physical locations, by town and name, or the
nearest to a postcode, or those in a place someone searched for, and always
the online ones; one training's locations can be read in full, `PAGE_SIZE` at a
time. Only the rows shown are counted (their groups, places and waits).
"""

from dataclasses import dataclass, field

from django.db.models import BigIntegerField, Count, ExpressionWrapper, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from booking import geo
from booking.models import Location, RegistrationStop, TrainingGroup, WaitlistEntry
from booking.services import stops
from booking.services.availability import LISTED_STATUSES
from booking.waitlist.estimate import counted_groups, estimate_from, expected_wait_for_newcomer
from courses.models import CoursePage
from home.languages import originals


@dataclass
class OfferRow:
    """One training at one location, at `now`."""

    location: object
    next_start: object = None  # the first session of the next group here (open or planned)
    places_left: int = 0  # free places in groups here that someone can sign up for now
    signup_until: object = None  # the deadline of the next group someone can sign up for now
    stop: object = None  # the registration stop in force here, if any
    wait: object = None  # a WaitEstimate for someone joining the list now for this location
    groups: int = 0  # upcoming groups here
    distance_km: float | None = None  # from the postcode searched for, when there is one

    @property
    def can_sign_up(self):
        return self.places_left > 0 and self.stop is None


@dataclass
class CourseOffer:
    course: object
    waiting: int
    rows: list = field(default_factory=list)
    stop: object = None  # a stop for the whole course
    total: int = 0  # locations of the training that fit the search (all of them without one)
    page: object = None  # (number, pages) when one training's locations are paged

    @property
    def more(self):
        """Locations that fit but are not on this page."""
        return self.total - len(self.rows)


ROWS_PER_TRAINING = 10
PAGE_SIZE = 50


@dataclass(frozen=True)
class Search:
    """What someone looks for: near a postcode area, or in a place (part of the town or the location's name)."""

    area: object = None  # a geo.PostcodeArea
    place: str = ""

    def fits(self, location):
        if not self.place:
            return True
        wanted = self.place.casefold()
        return wanted in (location.town or "").casefold() or wanted in location.name.casefold()


def upcoming_groups(now, course_ids=None):
    """Open and planned groups whose first session is still ahead (or not planned), with `bookable` and places."""
    groups = TrainingGroup.objects.filter(status__in=LISTED_STATUSES)
    if course_ids is not None:
        groups = groups.filter(course_id__in=course_ids)
    return (
        groups.with_bookable(now)
        .filter(Q(first_start__isnull=True) | Q(first_start__gt=now))
        .select_related("location")
        .order_by("first_start", "pk")
    )


def waiting_per_course(course_ids):
    """People on each course's list now (waiting, or with an open offer): one query."""
    rows = (
        WaitlistEntry.objects.active()
        .filter(course_id__in=course_ids)
        .order_by()
        .values("course_id")
        .annotate(count=Count("pk"))
    )
    return {row["course_id"]: row["count"] for row in rows}


def active_stops(now):
    """Every registration stop in force, in one query; `stop_for` picks per course and location (booking's rule)."""
    return list(RegistrationStop.objects.filter(RegistrationStop.active_q(now)).order_by("starts_at", "pk"))


stop_for = stops.stop_for


def offer_row(location, groups):
    """An OfferRow from the upcoming groups of one training at one location (from `upcoming_groups`, in date order)."""
    row = OfferRow(location=location, groups=len(groups))
    for group in groups:
        if group.first_start is not None and (row.next_start is None or group.first_start < row.next_start):
            row.next_start = group.first_start
        if group.bookable:
            row.places_left += group.places_left
            if row.signup_until is None and group.signup_deadline is not None:
                row.signup_until = group.signup_deadline
    return row


def wait_here(row, course_id, location_id, waiting, counted, now):
    """The expected wait at one location, as a WaitEstimate.

    With a free place here that someone can take now, they sign up and wait
    for that group's start: the estimate for the first in line over the
    bookable groups here. Otherwise they join the waiting list behind everyone
    on it: `expected_wait_for_newcomer`. `counted` holds only this location's
    groups: only those suit someone who wants this location, so the outcome is
    the same with less to count.
    """
    if row.can_sign_up:
        bookable = [group for group in counted if getattr(group, "bookable", False) and group.first_start]
        if bookable:
            return estimate_from(bookable, 1, lambda group: True, now)
    return expected_wait_for_newcomer(course_id, location_id=location_id, waiting=waiting, groups=counted, now=now)


# Pairs (course, location) as one number in SQL: course * PAIR_BASE + location (keys stay far below 2**31).
PAIR_BASE = 2**31


def only_pairs(groups, keys):
    """Of `groups`, those of exactly these (course id, location id) pairs, not every course at every location.

    One IN list of combined numbers (next to the plain IN lists the indexes use): a filter of a
    hundred OR-ed pairs costs the ORM longer to build than the database takes to run it.
    """
    keys = set(keys)
    pair = ExpressionWrapper(F("course_id") * Value(PAIR_BASE) + F("location_id"), output_field=BigIntegerField())
    return (
        groups.filter(course_id__in={course for course, _location in keys})
        .filter(location_id__in={location for _course, location in keys})
        .alias(pair=pair)
        .filter(pair__in=[course * PAIR_BASE + location for course, location in keys])
    )


def location_pairs(now, course_ids):
    """{course id: set of location ids}: the locations each training names or has an upcoming group at. One query."""
    named = (
        CoursePage.locations.through.objects.filter(coursepage_id__in=course_ids)
        .order_by()
        .values_list("coursepage_id", "location_id")
    )
    upcoming = (
        TrainingGroup.objects.filter(status__in=LISTED_STATUSES, course_id__in=course_ids)
        .with_first_start()
        .filter(Q(first_start__isnull=True) | Q(first_start__gt=now))
        .order_by()
        .values_list("course_id", "location_id")
    )
    pairs = {}
    for course_id, location_id in named.union(upcoming):
        pairs.setdefault(course_id, set()).add(location_id)
    return pairs


def with_waiting(courses):
    """Courses annotated with `waiting`: people on each course's list now (`waiting_per_course`, in the same query)."""
    count = (
        WaitlistEntry.objects.active()
        .filter(course_id=OuterRef("pk"))
        .order_by()
        .values("course_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return courses.annotate(waiting=Coalesce(Subquery(count, output_field=IntegerField()), 0))


def order_locations(locations, search):
    """The locations that fit `search`, physical ones first (nearest to the postcode, else by town and name)."""
    fitting = [location for location in locations if search.fits(location)]
    if search.area is None:
        return sorted(fitting, key=lambda location: (location.is_online, location.town, location.name, location.pk))

    def distance(location):
        if location.is_online or not location.has_coordinates:
            return None
        return geo.distance_km(search.area.latitude, search.area.longitude, location.latitude, location.longitude)

    measured = [(distance(location), location) for location in fitting]
    return [
        location
        for _km, location in sorted(
            measured,
            key=lambda item: (item[0] is None, item[1].is_online, item[0] or 0, item[1].town, item[1].name, item[1].pk),
        )
    ]


def shown_locations(ordered, page=None):
    """Of the ordered locations, those on the page: all online ones and the first physical ones; or page `page`."""
    if page is not None:
        start = (page - 1) * PAGE_SIZE
        return ordered[start : start + PAGE_SIZE]
    physical = [location for location in ordered if not location.is_online]
    return physical[:ROWS_PER_TRAINING] + [location for location in ordered if location.is_online]


def course_offers(now=None, *, search=None, course_id=None, page=None):
    """Every live training (or one: `course_id`) with its locations, in title order.

    A location is listed when the training names it or has an upcoming group
    there. Without `page`, per training the physical locations that fit
    `search` up to `ROWS_PER_TRAINING` (nearest first with a postcode, else by
    town and name) and the online ones; with `page` (from 1), that page of all
    the training's locations that fit. A fixed number of queries, whatever the
    number of trainings, locations or groups; only the rows shown are counted.
    """
    now = now or timezone.now()
    search = search or Search()
    courses = originals(CoursePage.objects.live().public()).order_by("title")
    if course_id is not None:
        courses = courses.filter(pk=course_id)
    courses = list(with_waiting(courses))
    ids = [course.pk for course in courses]
    pairs = location_pairs(now, ids)
    locations = Location.objects.in_bulk({pk for pks in pairs.values() for pk in pks})
    waiting = {course.pk: course.waiting for course in courses}
    active = active_stops(now)
    shown, totals = {}, {}
    for course in courses:
        ordered = order_locations([locations[pk] for pk in pairs.get(course.pk, ())], search)
        totals[course.pk] = len(ordered)
        shown[course.pk] = shown_locations(ordered, page)
    wanted = [(course_key, location.pk) for course_key, rows in shown.items() for location in rows]
    upcoming, counted = {}, {}
    if wanted:
        for group in only_pairs(upcoming_groups(now, ids), wanted):
            upcoming.setdefault((group.course_id, group.location_id), []).append(group)
        for group in only_pairs(counted_groups(now), wanted):
            counted.setdefault((group.course_id, group.location_id), []).append(group)
    offers = []
    for course in courses:
        rows = []
        for location in shown[course.pk]:
            row = offer_row(location, upcoming.get((course.pk, location.pk), []))
            row.stop = stop_for(active, course, location)
            row.wait = wait_here(
                row, course.pk, location.pk, waiting.get(course.pk, 0), counted.get((course.pk, location.pk), []), now
            )
            if search.area is not None and location.has_coordinates and not location.is_online:
                row.distance_km = geo.distance_km(
                    search.area.latitude, search.area.longitude, location.latitude, location.longitude
                )
            rows.append(row)
        offers.append(
            CourseOffer(
                course=course,
                waiting=waiting.get(course.pk, 0),
                rows=rows,
                stop=stop_for(active, course, None),
                total=totals[course.pk],
                page=(page, max(1, -(-totals[course.pk] // PAGE_SIZE))) if page is not None else None,
            )
        )
    return offers
