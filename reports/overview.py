"""The public overview "Aanbod en wachttijden": per training and location, what someone can expect now.

Nothing is stored or cached: every request counts from the groups, the places
and the waiting list as they are, so the page is right on the next request
after a place changes. The rules come from booking, never restated here:
bookable is `TrainingGroup.objects.with_bookable(now)`, a stop is
`services.stops`, and the expected wait is `waitlist.estimate` (the estimate
the waiting list shows a person) for someone who joins the list now and
wants this location.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from booking.models import RegistrationStop, TrainingGroup, WaitlistEntry
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

    @property
    def can_sign_up(self):
        return self.places_left > 0 and self.stop is None


@dataclass
class CourseOffer:
    course: object
    waiting: int
    rows: list = field(default_factory=list)
    stop: object = None  # a stop for the whole course


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


def course_offers(now=None):
    """Every live training with its locations, in title order; locations by town and name.

    A location is listed when the training names it or has an upcoming group
    there. A fixed number of queries, whatever the number of trainings, locations or groups.
    """
    now = now or timezone.now()
    courses = list(originals(CoursePage.objects.live().public()).order_by("title").prefetch_related("locations"))
    ids = [course.pk for course in courses]
    waiting = waiting_per_course(ids)
    active = active_stops(now)
    upcoming = {}
    for group in upcoming_groups(now, ids):
        upcoming.setdefault((group.course_id, group.location_id), []).append(group)
    counted = {}
    for group in counted_groups(now).filter(course_id__in=ids):
        counted.setdefault((group.course_id, group.location_id), []).append(group)
    offers = []
    for course in courses:
        locations = {location.pk: location for location in course.locations.all()}
        for (course_id, location_id), groups in upcoming.items():
            if course_id == course.pk:
                locations.setdefault(location_id, groups[0].location)
        rows = []
        for location in locations.values():
            row = offer_row(location, upcoming.get((course.pk, location.pk), []))
            row.stop = stop_for(active, course, location)
            row.wait = wait_here(
                row, course.pk, location.pk, waiting.get(course.pk, 0), counted.get((course.pk, location.pk), []), now
            )
            rows.append(row)
        rows.sort(key=lambda row: (row.location.is_online, row.location.town, row.location.name))
        offers.append(
            CourseOffer(
                course=course, waiting=waiting.get(course.pk, 0), rows=rows, stop=stop_for(active, course, None)
            )
        )
    return offers
