"""Availability: which groups someone can book now, and how the course page and the sign-up list them.

"Bookable" has one definition, ``TrainingGroup.objects.bookable(now)`` (with
``with_bookable`` to mark groups in a list): open for sign-up, no registration
stop, a place left. Everything here that says whether someone can sign up
reads it from there: the listing's rows, the alternatives, the finder and the
waiting list.
"""

from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking import geo
from groepswijzer import page_cache, prepared

from ..models import Location, Session, TrainingGroup
from . import page_state, stops

MAX_ALTERNATIVES = 5
# Groups on one page of a course page or sign-up step 1; "meer groepen" shows the next.
GROUPS_PER_PAGE = 10

# The nearest group with a place is searched for in rings: most people have
# one within the first, so the database looks at few groups; the last ring
# is the whole country.
SEARCH_RADII_KM = (15, 50, None)
# With at most this many open groups in all, one query looks at every one of them instead (the rings would save
# the database little and cost a round trip each). Rings or not, each course's nearest group is the same.
FEW_OPEN_GROUPS = 100

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
    bookable: bool = False  # from TrainingGroup.objects.with_bookable: someone can sign up now
    distance_km: float | None = None  # from the visitor's postcode, when known
    places_held: int = 0  # places kept for sign-ups that are not finished yet (they may come free)

    @property
    def location(self):
        return self.group.location

    @property
    def first_start(self):
        return self.group.first_start

    @property
    def can_sign_up(self):
        """Open, with a free place, the deadline and first session still ahead, and no stop (the bookable rule)."""
        return self.bookable

    @property
    def shown(self):
        """Everything a group's card on the course page and step 1 shows of this row, as one hashable value (the key
        its card is kept by): the group, its location, start, stop, status, places, places held, whether one can
        sign up, and the times of its sessions."""
        location = self.group.location
        return (
            self.group.pk,
            location.pk,
            location.name,
            self.first_start,
            self.stop.pk if self.stop is not None else None,
            str(self.status),
            self.places_left,
            self.places_held,
            self.bookable,
            tuple((session.start, session.end) for session in self.sessions),
        )


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
    """One page of a course's upcoming groups, per location (the course page and sign-up step 1)."""

    course: object
    locations: list = field(default_factory=list)
    area: object = None  # geo.PostcodeArea of the visitor's postcode, when given
    course_stop: object = None  # a stop for the whole course
    page: int = 1
    has_more: bool = False  # groups after this page
    any_open: bool = False  # a group with a place on any page (TrainingGroup.objects.bookable)

    @property
    def rows(self):
        return [row for location in self.locations for row in location.groups]

    @property
    def open_rows(self):
        return [row for row in self.rows if row.can_sign_up]

    @property
    def stopped_locations(self):
        return [location for location in self.locations if location.stop is not None]

    @property
    def previous_page(self):
        return self.page - 1 if self.page > 1 else None

    @property
    def next_page(self):
        return self.page + 1 if self.has_more else None

    @cached_property
    def shown(self):
        """Everything the listing of groups on the course page and step 1 shows of this page of groups, as one hashable
        value (the key its HTML is kept by): the course, the page, whether there are more, whether any group has a
        place, the searched area, the stops (with their messages and ends), and per location its name, address,
        town, kind, distance and the other locations it points to, with each group's ``GroupRow.shown``."""
        return (
            self.course.pk,
            self.page,
            self.has_more,
            self.any_open,
            self.area,
            _stop_shown(self.course_stop),
            tuple(
                (
                    entry.location.pk,
                    entry.location.name,
                    entry.location.address,
                    entry.location.town,
                    entry.location.is_online,
                    entry.distance_km,
                    _stop_shown(entry.stop),
                    tuple(other.location.pk for other in entry.elsewhere),
                    tuple(row.shown for row in entry.groups),
                )
                for entry in self.locations
            ),
        )


def _stop_shown(stop):
    return None if stop is None else (stop.pk, stop.message, stop.starts_at, stop.ends_at)


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

    `course` None: those of every course (the office's sign-up by phone).

    Places left and the first start are counted in the same query as the
    groups; the scheduled sessions come in one more query for all groups
    (as `scheduled_sessions`), so the number of queries does not grow with
    the number of groups.
    """
    now = now or timezone.now()
    groups = TrainingGroup.objects.filter(status__in=LISTED_STATUSES)
    if course is not None:
        groups = groups.filter(course=course)
    return (
        groups.with_bookable(now)
        .filter(Q(first_start__isnull=True) | Q(first_start__gt=now))
        .select_related("location", "course")
        .prefetch_related(_scheduled_sessions())
    )


def row_for(group, *, now, stop=None, distance_km=None):
    """A GroupRow for a group fetched with `TrainingGroup.objects.with_bookable(now)`."""
    sessions = getattr(group, "scheduled_sessions", None)
    if sessions is None:
        sessions = list(group.sessions.filter(status=Session.Status.SCHEDULED).order_by("start", "pk"))
    return GroupRow(
        group=group,
        sessions=sessions,
        places_left=group.current_places_left(now),
        status=group.display_status_at(now),
        stop=stop,
        bookable=group.bookable,
        distance_km=distance_km,
        places_held=getattr(group, "places_held", 0),
    )


_GROUP_FIELDS = tuple(field.attname for field in TrainingGroup._meta.concrete_fields)
_LOCATION_FIELDS = tuple(field.attname for field in Location._meta.concrete_fields)
# What `with_bookable` annotates (and the listing's distance), set on each group as the ORM would.
_LISTING_ANNOTATIONS = ("places_taken", "places_held", "places_left", "first_start", "bookable")


def _listing_groups(*, start, stop, now, course_id, lat1=None, lon1=None, cos_lat1=None):
    """One page (`start`:`stop`) of a course's upcoming groups with the bookable rule, as `.values()` rows, in the
    listing's order: by distance from the point (`geo.radians_of`) when given, then by the first start.

    The same rule as upcoming_groups (no session started yet), as an anti-join. PostgreSQL works out the
    places and the bookable rule after the sort and the LIMIT, for the page's groups only (EXPLAIN: their
    subplans run once per group shown). The course is known, so it is not joined (its page's tables are not
    read per group). Only values go in here (a prepared query swaps them).
    """
    started = Session.objects.filter(group=OuterRef("pk"), status=Session.Status.SCHEDULED, start__lte=now)
    groups = (
        TrainingGroup.objects.filter(course_id=course_id, status__in=LISTED_STATUSES)
        .exclude(Exists(started))
        .with_bookable(now)
    )
    fields = [*_GROUP_FIELDS, *(f"location__{name}" for name in _LOCATION_FIELDS), *_LISTING_ANNOTATIONS]
    soonest = (F("first_start").asc(nulls_last=True), "location__name", "pk")
    if lat1 is not None:
        distance = Case(
            When(location__kind=Location.Kind.ONLINE, then=None),
            default=geo.point_distance_expression(lat1, lon1, cos_lat1, "location__latitude", "location__longitude"),
            output_field=FloatField(),
        )
        groups = groups.annotate(distance_km=distance).order_by(F("distance_km").asc(nulls_last=True), *soonest)
        fields.append("distance_km")
    else:
        groups = groups.order_by(*soonest)
    return groups.values(*fields)[start:stop]


def _any_bookable(*, now, course_id):
    return TrainingGroup.objects.bookable(now).filter(course_id=course_id).values("pk")[:1]


# Both compiled once per process and shape (the ORM took longer to write them than PostgreSQL to run them).
_LISTING_GROUPS = prepared.PreparedValues(_listing_groups)

_SESSION_FIELDS = [field.attname for field in Session._meta.concrete_fields]


def _sessions_of(*, group_ids):
    """The scheduled sessions of these groups, as ``_scheduled_sessions`` reads them (a prepared query)."""
    return (
        Session.objects.filter(group_id__in=group_ids, status=Session.Status.SCHEDULED)
        .order_by("start", "pk")
        .values(*_SESSION_FIELDS)
    )


_SESSIONS_OF = prepared.PreparedValues(_sessions_of)


def _with_scheduled_sessions(groups):
    """``prefetch_related_objects(groups, _scheduled_sessions())`` with SQL compiled once per number of groups."""
    if not groups:
        return
    by_id = {}
    for group in groups:
        group.scheduled_sessions = []
        by_id[group.pk] = group
    for row in _SESSIONS_OF.run(group_ids=[group.pk for group in groups]):
        session = Session.from_db("default", _SESSION_FIELDS, [row[name] for name in _SESSION_FIELDS])
        group = by_id[session.group_id]
        session.group = group
        group.scheduled_sessions.append(session)


_ANY_BOOKABLE = prepared.PreparedValues(_any_bookable)


def _group_from(row):
    """A TrainingGroup (with its location and annotations) from a row of `_listing_groups`, as the ORM builds it."""
    group = TrainingGroup.from_db("default", _GROUP_FIELDS, [row[name] for name in _GROUP_FIELDS])
    group.location = Location.from_db(
        "default", _LOCATION_FIELDS, [row[f"location__{name}"] for name in _LOCATION_FIELDS]
    )
    for name in (*_LISTING_ANNOTATIONS, "distance_km"):
        if name in row:
            group.__dict__[name] = row[name]
    return group


def group_listing(course, *, area=None, now=None, page=1, per_page=GROUPS_PER_PAGE):
    """One page of the course's upcoming groups, per location, for the course page and the first sign-up step.

    With `area` (a geo.PostcodeArea from the visitor's postcode) the nearest
    groups come first, online ones after those with a distance; without it
    the soonest. The order and the page are chosen in the database, so a
    course with hundreds of groups shows `per_page` of them and fetches no
    more. On the page, groups at one location stay together, in the order
    of the location's first group. Each location carries the registration
    stop that closes it, if any.
    """
    now = now or timezone.now()
    page = max(1, page)
    active = stops.listed_stops(course, now)
    values = {"now": now, "course_id": course.pk}
    if area is not None:
        lat1, lon1, cos_lat1 = geo.radians_of(area)
        values.update(lat1=float(lat1), lon1=float(lon1), cos_lat1=float(cos_lat1))
    start = (page - 1) * per_page
    rows = _LISTING_GROUPS.run(fixed={"start": start, "stop": start + per_page + 1}, **values)
    fetched = [_group_from(row) for row in rows]
    has_more = len(fetched) > per_page
    fetched = fetched[:per_page]
    for group in fetched:
        group.course = course
    _with_scheduled_sessions(fetched)

    by_location = {}
    for group in fetched:
        location = group.location
        if location.pk not in by_location:
            by_location[location.pk] = LocationGroups(
                location=location,
                distance_km=getattr(group, "distance_km", None),
                stop=stops.stop_for(active, course, location),
            )
        entry = by_location[location.pk]
        entry.groups.append(row_for(group, now=now, stop=entry.stop, distance_km=entry.distance_km))

    locations = list(by_location.values())
    for entry in locations:
        if entry.stop is not None:
            entry.elsewhere = [other for other in locations if other is not entry and other.open_groups]
    any_open = any(row.can_sign_up for entry in locations for row in entry.groups)
    if not any_open:
        any_open = bool(_ANY_BOOKABLE.run(now=now, course_id=course.pk))
    return GroupListing(
        course=course,
        locations=locations,
        area=area,
        course_stop=stops.stop_for(active, course, None),
        page=page,
        has_more=has_more,
        any_open=any_open,
    )


def listed_groups(course, *, area=None, page=1, per_page=GROUPS_PER_PAGE):
    """`group_listing` at this moment for the course page and step 1, kept by this process (``page_cache.until_change``)
    under the content and booking generations the request read as it arrived, until the first moment its places may
    change by themselves (``page_state.next_change`` of the course: a hold or an offer runs out, a stop starts or
    ends, a deadline or a session comes). Every place taken or freed, group, session, stop or location saved
    replaces the booking generation; the course's own fields (its contribution) are content.

    The listing is shared by the requests that get it: nothing may change it.
    """

    def compute(now):
        listing = group_listing(course, area=area, now=now, page=page, per_page=per_page)
        return listing, _next_change(course, now)

    name = ("groups", course.pk, area, max(1, page), per_page)
    return page_cache.until_change((page_cache.CONTENT, page_cache.BOOKING), name, timezone.now(), compute)


def _next_change(course, now):
    """``page_state.next_change`` of the course, kept per booking generation until that moment: every page of groups
    of the course (with or without a postcode) asks for it, and it stays the same until it comes."""

    def compute(now):
        moment = page_state.next_change([course.pk], now)
        return moment, moment

    return page_cache.until_change((page_cache.BOOKING,), ("next-change", course.pk), now, compute)


@dataclass(frozen=True)
class NearestGroup:
    """A course's group with a place that the finder shows: the nearest (or, online, the soonest)."""

    course_id: int
    group_id: int
    first_start: object  # a datetime, or None before its sessions are planned
    location_name: str
    town: str
    online: bool
    distance_km: float | None = None


def _nearest_row(row, *, online):
    course_id, group_id, first_start, name, town, *distance = row
    return NearestGroup(
        course_id=course_id,
        group_id=group_id,
        first_start=first_start,
        location_name=name,
        town=town,
        online=online,
        distance_km=distance[0] if distance else None,
    )


_ROW_FIELDS = ("course_id", "pk", "first_start", "location__name", "location__town")


def _nearest_groups(
    *, now, lat1, lon1, cos_lat1, placed, online=None, south=None, north=None, west=None, east=None, radius=None
):
    """The bookable groups of one ring of `nearest_bookable`, nearest first (online groups, without a distance, after
    them); at one location, and online, the soonest first (a group without dates after those with).

    `placed`: courses looked for at locations: within `radius` km of the point (`geo.radians_of`), first by its
    bounding box (south, north, west, east: cheap), then by the exact distance; `radius` None: anywhere.
    `online`: courses whose online groups are wanted too. Only values go in here (a prepared query swaps them).
    """
    distance = Case(
        When(location__kind=Location.Kind.ONLINE, then=None),
        default=geo.point_distance_expression(lat1, lon1, cos_lat1, "location__latitude", "location__longitude"),
        output_field=FloatField(),
    )
    groups = (
        TrainingGroup.objects.bookable(now)
        .alias(distance_km=distance)
        .annotate(
            distance=F("distance_km"),
            online=ExpressionWrapper(Q(location__kind=Location.Kind.ONLINE), output_field=BooleanField()),
        )
        .order_by(F("distance").asc(nulls_last=True), F("first_start").asc(nulls_last=True), "pk")
    )
    located = Q(location__latitude__isnull=False, location__longitude__isnull=False) & ~Q(
        location__kind=Location.Kind.ONLINE
    )
    if radius is not None:
        located &= Q(
            location__latitude__range=(south, north),
            location__longitude__range=(west, east),
            distance_km__lte=radius,
        )
    wanted = Q(course_id__in=placed) & located
    if online is not None:
        wanted = Q(course_id__in=online, location__kind=Location.Kind.ONLINE) | wanted
    return groups.filter(wanted).values(*_ROW_FIELDS, "distance", "online")


# The ring query compiled once per process and shape (the ORM took longer to write it than PostgreSQL to run it).
_NEAREST_GROUPS = prepared.PreparedValues(_nearest_groups)


def _search_radii(max_km):
    """The rings of `nearest_bookable`: only `max_km` when given; one ring (the whole country) while no more than
    ``FEW_OPEN_GROUPS`` groups are open, counted once per process and booking generation (only while the request
    read that generation: outside one, the rings)."""
    if max_km is not None:
        return (max_km,)
    if page_cache.current_generation(page_cache.BOOKING) is None:
        return SEARCH_RADII_KM
    few = page_cache.per_generation(
        page_cache.BOOKING,
        "few-open-groups",
        lambda: (
            TrainingGroup.objects.filter(status=TrainingGroup.Status.OPEN).order_by()[: FEW_OPEN_GROUPS + 1].count()
            <= FEW_OPEN_GROUPS
        ),
    )
    return (None,) if few else SEARCH_RADII_KM


def nearest_bookable(course_ids, area=None, *, max_km=None, online_only=(), now=None):
    """Per course, the bookable group (``TrainingGroup.objects.bookable``) the finder shows.

    Returns ``(nearest, online)``: dicts by course id. `nearest`: the group
    at a location nearest to `area` (within `max_km` when given); `online`:
    the soonest online group. A course with no group with a place is in
    neither; without `area` both are empty (there is nothing to measure).
    Courses in `online_only` (given online only) are not looked for at locations.

    The distance is measured in the database, to the group's location: a
    bounding box on the location first, then the exact distance, ring by
    ring (`SEARCH_RADII_KM`, or only `max_km`), one query per ring; the
    bookable rule is worked out for the groups in the ring only, so a search
    looks at the groups near the postcode and not at every group in the
    country. The online groups come in the query of the first ring: most
    searches take one query. Where few groups are open (``FEW_OPEN_GROUPS``)
    one query looks at all of them: every search takes one query. The SQL of
    each kind of ring is compiled once per process (``groepswijzer.prepared``).
    """
    now = now or timezone.now()
    remaining = set(course_ids)
    if not remaining or area is None:
        return {}, {}
    placed_courses = remaining - set(online_only)
    lat1, lon1, cos_lat1 = geo.radians_of(area)
    point = {"now": now, "lat1": float(lat1), "lon1": float(lon1), "cos_lat1": float(cos_lat1)}
    nearest, online = {}, {}
    radii = _search_radii(max_km)
    for ring, radius in enumerate(radii):
        if ring and not placed_courses:
            break
        values = {**point, "placed": sorted(placed_courses)}
        if ring == 0:
            values["online"] = sorted(remaining)
        if radius is not None:
            south, north, west, east = geo.bounding_box(area, radius)
            values.update(
                south=float(south), north=float(north), west=float(west), east=float(east), radius=float(radius)
            )
        for row in _NEAREST_GROUPS.run(**values):
            found = [row[name] for name in _ROW_FIELDS] + [row["distance"]]
            if row["online"]:
                online.setdefault(row["course_id"], _nearest_row(found[:-1], online=True))
            else:
                nearest.setdefault(row["course_id"], _nearest_row(found, online=False))
        placed_courses -= nearest.keys()
    return nearest, online


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
        TrainingGroup.objects.with_bookable(now)
        .select_related("location", "course")
        .prefetch_related(_scheduled_sessions())
        .get(pk=group_id)
    )
    stop = stops.active_stop(group.course, group.location, now)
    return row_for(group, now=now, stop=stop)


def alternatives(course, *, wanted=1, exclude_group=None, area=None, now=None, limit=None):
    """Other groups of the course someone can sign up for now, with room for `wanted` people.

    Only bookable groups (``TrainingGroup.objects.bookable``). With `area` (the
    person's postcode area) the nearest come first, online groups and groups
    whose distance is unknown after those nearby; otherwise the soonest. Used
    by the sign-up when a group is full, the payment that lost its place, and
    the email about a cancelled group.
    """
    now = now or timezone.now()
    groups = (
        TrainingGroup.objects.bookable(now)
        .filter(course=course, places_left__gte=wanted)
        .select_related("location", "course")
        .prefetch_related(_scheduled_sessions())
    )
    if exclude_group is not None:
        groups = groups.exclude(pk=exclude_group.pk)
    rows = [row_for(group, now=now, distance_km=group.location.distance_to(area) if area else None) for group in groups]
    far = float("inf")
    rows.sort(
        key=lambda row: (
            row.distance_km is None,
            row.distance_km if row.distance_km is not None else far,
            row.first_start or now,
            row.group.pk,
        )
    )
    return rows[:limit] if limit else rows


def alternatives_for(enrollment, now=None, limit=MAX_ALTERNATIVES):
    """Other bookable groups of the enrollment's course, nearest to the participant's postcode first."""
    return alternatives(
        enrollment.group.course,
        exclude_group=enrollment.group,
        area=geo.find_area(enrollment.participant.postcode),
        now=now,
        limit=limit,
    )


def places_left(group, now=None):
    """Free places at `now`: the capacity minus confirmed enrollments and holds that have not run out.

    Never below 0, also when a coordinator made the group smaller than the
    number of people in it. For lists of groups use
    `TrainingGroup.objects.with_places_left(now)`: one query for all of them.
    """
    return TrainingGroup.objects.with_places_left(now).values_list("places_left", flat=True).get(pk=group.pk)
