"""Finding a group and finishing a sign-up.

Which groups a course page lists, whether someone can sign up for a group
right now (and if not, why not and what else there is), holding the places
for one sign-up, and its last step: confirming the places and queueing the
confirmation emails in one transaction.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import services, stops
from .exceptions import EnrollmentNotActive
from .models import Enrollment, Session, TrainingGroup
from .notifications import queue_email

# The groups a visitor can still look forward to. Running, completed and
# cancelled groups are not shown; closed ones neither (their sign-up is over).
LISTED_STATUSES = (TrainingGroup.Status.OPEN, TrainingGroup.Status.PLANNED)


@dataclass
class GroupRow:
    """One group as the course page and the sign-up show it, with everything decided at `now`."""

    group: TrainingGroup
    sessions: list
    places_left: int
    status: str  # a TrainingGroup.DisplayStatus
    stop: object = None  # the RegistrationStop that closes it, if any

    @property
    def location(self):
        return self.group.location

    @property
    def first_start(self):
        return self.group.first_start

    @property
    def can_sign_up(self):
        """Open, with a free place, the deadline and first session still ahead, and no stop."""
        return self.status == TrainingGroup.DisplayStatus.OPEN and self.stop is None


@dataclass
class LocationGroups:
    """The groups of one course at one location."""

    location: object
    groups: list = field(default_factory=list)
    distance_km: float | None = None
    stop: object = None
    elsewhere: list = field(default_factory=list)  # for a stopped location: other locations with open groups

    @property
    def open_groups(self):
        return [row for row in self.groups if row.can_sign_up]


@dataclass
class GroupListing:
    course: object
    locations: list = field(default_factory=list)
    place: object = None  # geo.Place of the visitor's postcode, when given
    course_stop: object = None  # a stop for the whole course

    @property
    def rows(self):
        return [row for location in self.locations for row in location.groups]

    @property
    def open_rows(self):
        return [row for row in self.rows if row.can_sign_up]

    @property
    def any_open(self):
        return bool(self.open_rows)

    @property
    def stopped_locations(self):
        return [location for location in self.locations if location.stop is not None]


@dataclass
class Refusal:
    """Why a sign-up for a group cannot start now, in words for the visitor."""

    code: str  # "stop", "full", or a SignupClosedReason value
    message: str
    stop: object = None


def _scheduled_sessions():
    return Prefetch(
        "sessions",
        queryset=Session.objects.filter(status=Session.Status.SCHEDULED).order_by("start", "pk"),
        to_attr="scheduled_sessions",
    )


def upcoming_groups(course, now=None):
    """The course's open and planned groups whose first session is still ahead (or not planned yet).

    Places left and the first start are counted in the same query as the
    groups; the scheduled sessions come in one more query for all groups
    (as `scheduled_sessions`), so the number of queries does not grow with
    the number of groups.
    """
    now = now or timezone.now()
    return (
        TrainingGroup.objects.filter(course=course, status__in=LISTED_STATUSES)
        .with_places_left(now)
        .with_first_start()
        .filter(Q(first_start__isnull=True) | Q(first_start__gt=now))
        .select_related("location", "course")
        .prefetch_related(_scheduled_sessions())
    )


def row_for(group, *, now, stop=None):
    """A GroupRow for a group fetched with `with_places_left(now)` and `with_first_start()`."""
    sessions = getattr(group, "scheduled_sessions", None)
    if sessions is None:
        sessions = list(group.sessions.filter(status=Session.Status.SCHEDULED).order_by("start", "pk"))
    return GroupRow(
        group=group,
        sessions=sessions,
        places_left=group.current_places_left(now),
        status=group.display_status_at(now),
        stop=stop,
    )


def group_listing(course, *, place=None, now=None):
    """The course's upcoming groups per location, for the course page and the first sign-up step.

    With `place` (a geo.Place from the visitor's postcode) the nearest
    location comes first and online locations after those with a distance;
    without it, the location with the earliest start comes first. Within a
    location, groups are in date order, groups without dates last. Each
    location carries the registration stop that closes it, if any.
    """
    now = now or timezone.now()
    active = stops.active_stops(course, now)
    by_location = {}
    for group in upcoming_groups(course, now):
        location = group.location
        if location.pk not in by_location:
            by_location[location.pk] = LocationGroups(
                location=location,
                distance_km=location.distance_to(place) if place else None,
                stop=stops.stop_for(active, course, location),
            )
        entry = by_location[location.pk]
        entry.groups.append(row_for(group, now=now, stop=entry.stop))

    for entry in by_location.values():
        entry.groups.sort(key=lambda row: (row.first_start is None, row.first_start or now, row.group.pk))

    def soonest(entry):
        # Groups are in date order already, and groups without dates last.
        first = entry.groups[0].first_start
        return (first is None, first or now, entry.location.name)

    locations = sorted(by_location.values(), key=soonest)
    if place:
        far = float("inf")
        locations.sort(key=lambda entry: entry.distance_km if entry.distance_km is not None else far)
    for entry in locations:
        if entry.stop is not None:
            entry.elsewhere = [other for other in locations if other is not entry and other.open_groups]
    return GroupListing(
        course=course, locations=locations, place=place, course_stop=stops.stop_for(active, course, None)
    )


def refusal_for(row, now=None):
    """Why nobody can start signing up for this group now, or None when they can.

    A registration stop comes first (its message explains), then the
    group's own reason (not open yet, deadline passed, started, cancelled),
    then a full group.
    """
    if row.stop is not None:
        return Refusal(code="stop", message=row.stop.message, stop=row.stop)
    reason = row.group.signup_closed_reason(now)
    if reason is not None:
        return Refusal(code=str(reason.value), message=reason.label)
    if row.places_left <= 0:
        return Refusal(code="full", message=_("Deze groep is vol. Er is geen plaats meer vrij."))
    return None


def group_row(group_id, now=None):
    """The GroupRow of one group (its stop included), or TrainingGroup.DoesNotExist. Three queries."""
    now = now or timezone.now()
    group = (
        TrainingGroup.objects.with_places_left(now)
        .with_first_start()
        .select_related("location", "course")
        .prefetch_related(_scheduled_sessions())
        .get(pk=group_id)
    )
    stop = stops.active_stop(group.course, group.location, now)
    return row_for(group, now=now, stop=stop)


def alternatives(course, *, wanted=1, exclude_group=None, now=None, place=None):
    """Other groups of the course someone can sign up for, with room for `wanted` people, nearest or soonest first."""
    listing = group_listing(course, place=place, now=now)
    exclude_id = exclude_group.pk if exclude_group is not None else None
    return [row for row in listing.open_rows if row.group.pk != exclude_id and row.places_left >= wanted]


def hold_for_signup(group, participants, *, consent_text_version, party, replacing=None, now=None):
    """Hold places for one sign-up (see `services.hold_places`); returns the held enrollments.

    `replacing` is the party UUID of this sign-up's earlier hold, made before
    the person went back and changed their data. It is cancelled in the same
    transaction as the new hold is made, so the freed place cannot go to
    anyone else (or to the waiting list) in between; and when the new hold is
    refused, the earlier one stays as it was. `party` is chosen by the sign-up
    beforehand, so a form sent twice (a double click) can recognise the hold
    the first one made: see `own_live_hold`.
    """
    with transaction.atomic():
        if replacing:
            try:
                services.cancel_enrollment(replacing, now=now)
            except (EnrollmentNotActive, Enrollment.DoesNotExist):
                pass  # already cancelled or gone: nothing to give way
        return services.hold_places(
            group, participants, consent_text_version=consent_text_version, now=now, party=party
        )


def own_live_hold(group, party, now=None):
    """The live held enrollments of this sign-up (its party) in the group, or [] when it has none."""
    now = now or timezone.now()
    held = list(Enrollment.objects.filter(group=group, party=party).order_by("pk"))
    return held if held and all(enrollment.is_live_hold(now) for enrollment in held) else []


def confirm_signup(party, *, payment="", now=None):
    """Confirm everyone of one sign-up (a party UUID) and queue one confirmation email per person.

    Both happen in one transaction: when confirming fails (the hold ran out
    and its place is gone: HoldExpired), no email is queued; when it
    succeeds, each email goes out once after the commit, also when this is
    called again (a repeated payment message). `payment` names the payment
    provider, so the email can say how the contribution is paid.
    """
    with transaction.atomic():
        enrollments = services.confirm_enrollment(party, now=now)
        for enrollment in enrollments:
            if enrollment.status != enrollment.Status.CONFIRMED:
                continue
            queue_email(
                "confirmation",
                f"confirmation:enrollment:{enrollment.pk}",
                participant=enrollment.participant,
                enrollment_id=enrollment.pk,
                payment=payment,
            )
    return enrollments
