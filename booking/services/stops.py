"""Registration stops (aanmeldstops) as the sign-up sees them.

A stop closes signing up for one course everywhere, for every course at one
location, or for one course at one location. It is active from `starts_at`
until `ends_at` (or until it is lifted, when there is no end). A group behind
an active stop keeps its place on the course page, with the stop's message,
but nobody can sign up for it. Which groups a stop covers, for querysets, is
``RegistrationStop.covers_group_q`` (part of ``TrainingGroup.objects.bookable``).
"""

from django.db.models import Q
from django.utils import timezone

from groepswijzer import page_cache

from ..models import Location, RegistrationStop


def _matching(stops, course_id, location_id):
    """The stops in `stops` that cover this course at this location."""
    return [
        stop
        for stop in stops
        if (stop.course_id is None or stop.course_id == course_id)
        and (stop.location_id is None or stop.location_id == location_id)
        # Asked about the course as a whole, a stop at one location does not close it.
        and not (location_id is None and stop.location_id is not None)
    ]


def _most_specific(stops):
    """The stop to show when several apply: course and location together first, then the newest."""
    if not stops:
        return None
    return max(
        stops,
        key=lambda stop: (stop.course_id is not None and stop.location_id is not None, stop.starts_at, stop.pk),
    )


def active_stops(course, now=None):
    """Every stop active at `now` that can concern `course`: for the course, or for any location.

    One query; pass the result to `stop_for` to decide per location without
    asking the database again.
    """
    now = now or timezone.now()
    return list(
        RegistrationStop.objects.filter(RegistrationStop.active_q(now))
        .filter(Q(course=course) | Q(course__isnull=True))
        .select_related("location")
        .order_by("starts_at", "pk")
    )


def _fields(model):
    return [field.attname for field in model._meta.concrete_fields]


def _stored(stop):
    location = stop.location
    return (
        tuple(getattr(stop, name) for name in _fields(RegistrationStop)),
        None if location is None else tuple(getattr(location, name) for name in _fields(Location)),
    )


def _rebuilt(stored):
    stop_values, location_values = stored
    stop = RegistrationStop.from_db("default", _fields(RegistrationStop), stop_values)
    stop.location = None if location_values is None else Location.from_db("default", _fields(Location), location_values)
    return stop


def _not_ended(course, now):
    """(`now`, the stops that can concern `course` and had not ended at `now`, as stored values)."""
    stops = (
        RegistrationStop.objects.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .filter(Q(course=course) | Q(course__isnull=True))
        .select_related("location")
        .order_by("starts_at", "pk")
    )
    return now, tuple(_stored(stop) for stop in stops)


def listed_stops(course, now=None):
    """`active_stops` for the pages that list groups (course page, first sign-up step).

    Kept by this process under the booking generation the request read as it arrived: every stop saved or
    deleted replaces it (``page_state``), so these pages ask the database again only after a change. Kept are
    the stops that had not ended when they were read; each request takes those active at its own `now` (a
    request at an earlier moment than they were read at asks the database). New objects every time.
    """
    now = now or timezone.now()
    read_at, stored = page_cache.per_generation(
        page_cache.BOOKING, ("stops", course.pk), lambda: _not_ended(course, now)
    )
    if now < read_at:
        return active_stops(course, now)
    stops = [_rebuilt(values) for values in stored]
    return [stop for stop in stops if stop.starts_at <= now and (stop.ends_at is None or stop.ends_at > now)]


def stop_for(stops, course, location):
    """From `active_stops(course)`: the stop for `course` at `location` (None for the course as a whole)."""
    location_id = location.pk if location is not None else None
    return _most_specific(_matching(stops, course.pk, location_id))


def active_stop(course, location, now=None):
    """The registration stop that closes `course` at `location` at `now`, or None.

    A stop applies when it is for this course (any location), for this
    location (any course), or for both; and when it has started and not yet
    ended (no end: until lifted). Pass `location=None` to ask only about
    stops for the course as a whole. When several apply, the one for exactly
    this course at this location wins, else the newest.
    """
    return stop_for(active_stops(course, now), course, location)
