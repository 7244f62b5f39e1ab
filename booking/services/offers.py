"""The waiting list's claim on freed places: a free place is offered to the next fitting person first.

This is part of the capacity rules (a cancellation or an expired hold calls
`offer_freed_places` after its commit), so it lives with them; the journeys
around the list (joining, answering offers, the monthly check) are in
``booking.waitlist``.

* A free place in a bookable group goes to the first waiting person whose
  wishes fit the group (`fits`: the location, the part of the day) and who did
  not already turn down, or let expire, an offer for that same group.
* An offer keeps its place with a held enrollment until the offer expires
  (`GROEPSWIJZER_OFFER_HOURS`), so the one capacity rule (`takes_a_place`)
  counts an offered place as taken. When it expires or is declined the place
  passes to the next person.

Locks (see ``locks``): the course first (its waiting list), then the group.
"""

import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Mod
from django.utils import timezone

from groepswijzer import prepared

from ..clock import local_time
from ..models import (
    Enrollment,
    Offer,
    Participant,
    PartOfDay,
    RegistrationStop,
    TrainingGroup,
    WaitlistEntry,
    takes_a_place,
)
from .locks import lock_course, lock_group_row
from .notifications import queue_email
from .page_state import changed

DEFAULT_OFFER_HOURS = 48


# Part of the day of a group, by the clock time of its first session.
MORNING_UNTIL = datetime.time(12, 0)


AFTERNOON_UNTIL = datetime.time(17, 0)


def offer_duration():
    return datetime.timedelta(hours=getattr(settings, "GROEPSWIJZER_OFFER_HOURS", DEFAULT_OFFER_HOURS))


def part_of_day_at(start):
    """Morning before 12:00, afternoon before 17:00, evening from 17:00 (on the Dutch clock). None: no date yet."""
    if start is None:
        return None
    clock = local_time(start).time()
    if clock < MORNING_UNTIL:
        return PartOfDay.MORNING
    if clock < AFTERNOON_UNTIL:
        return PartOfDay.AFTERNOON
    return PartOfDay.EVENING


def fits(entry, group, first_start):
    """Whether a group suits what the person asked for.

    The location: no preferred locations means every location is fine. The
    part of the day: "any" fits every group; otherwise the first session must
    start in that part of the day. A group without a date yet fits only people
    for whom any part of the day is fine.
    """
    location_ids = {location.pk for location in entry.preferred_locations.all()}
    if location_ids and group.location_id not in location_ids:
        return False
    return entry.part_of_day in _parts_fitting(part_of_day_at(first_start))


def _group_id(group):
    return group.pk if isinstance(group, TrainingGroup) else int(group)


def _offer_expiry(group, now):
    """An offer runs `GROEPSWIJZER_OFFER_HOURS`, but never past the sign-up deadline or the first session."""
    ends = [now + offer_duration()]
    if group.signup_deadline is not None:
        ends.append(group.signup_deadline)
    if group.first_start is not None:
        ends.append(group.first_start)
    return min(ends)


# Ids in one IN (…) list: the first catch-up ever looks at every bookable group.
IDS_PER_QUERY = 2000


def _has_a_place(now, *, course, participant):
    """Places (confirmed, or a hold that has not run out) in a coming group of `course` by the person whose
    participant is `participant` (both references to the outer query's fields), under any of their sign-ups:
    for ``NOT EXISTS``."""
    # The person's address is read per entry (a subquery), not joined: a join with the participants made
    # the planner walk the whole participant table whenever someone joined the list recently (a high id).
    email = Participant.objects.filter(pk=OuterRef(participant)).order_by().values("email")[:1]
    return (
        Enrollment.objects.filter(participant__email=Subquery(email), group__course_id=course)
        .exclude(group__status__in=[TrainingGroup.Status.CANCELLED, TrainingGroup.Status.COMPLETED])
        .filter(takes_a_place(now))
    )


def _parts_fitting(part_of_day):
    """The wishes for the part of the day that fit a group starting in `part_of_day` (None: no date yet)."""
    return [PartOfDay.ANY] if part_of_day is None else [PartOfDay.ANY, part_of_day]


def waiting_who_fit(now, *, course, location, group, part_of_day, locations):
    """The waiting people who may be offered a place in one group, in SQL: `fits` plus who may not have it.

    Waiting on the course's list; their part of the day is "any" or the
    group's (`part_of_day`, None for a group without a date); no preferred
    locations or the group's among them; no declined or expired offer for
    this group; and no place (confirmed, or a hold that has not run out) in a
    coming group of the course, this one included. `course`, `location` and
    `group` are ids. Every test is a ``NOT EXISTS``/``EXISTS`` on an index per
    person, so nothing scans the whole list or all enrollments. `locations`
    says which half of the location rule: ``"preferred"`` (the group's
    location is among theirs, found through the location's index) or
    ``"anywhere"`` (no preferred locations); asked together, PostgreSQL reads
    every chosen location of every list to tell the halves apart.
    """
    turned_down = Offer.objects.filter(
        entry_id=OuterRef("pk"), group_id=group, status__in=[Offer.Status.DECLINED, Offer.Status.EXPIRED]
    )
    has_a_place = _has_a_place(now, course=course, participant=OuterRef("participant_id"))
    entries = WaitlistEntry.objects.filter(
        course_id=course, status=WaitlistEntry.Status.WAITING, part_of_day__in=_parts_fitting(part_of_day)
    ).filter(~Exists(turned_down), ~Exists(has_a_place))
    if locations == "preferred":
        return entries.filter(preferred_locations=location)
    links = WaitlistEntry.preferred_locations.through.objects.filter(waitlistentry_id=OuterRef("pk"))
    return entries.filter(~Exists(links))


def _first_who_fit(*, now, course_id, location_id, group_id, part_of_day, locations, limit):
    return (
        waiting_who_fit(
            now,
            course=course_id,
            location=location_id,
            group=group_id,
            part_of_day=part_of_day,
            locations=locations,
        )
        .order_by("rank", "pk")
        .values("pk", "rank")[:limit]
    )


# The look for who fits a group, and the group's bookable row under its lock, run for every group the catch-up
# and every freed place offers: compiled once per process (and part of the day, and number of places).
_FIRST_WHO_FIT = prepared.PreparedValues(_first_who_fit)


def _entries_who_fit(group, now, limit):
    """The first `limit` waiting people (WaitlistEntry, with their participant) who fit `group`, in list order.

    The two halves of the location rule are asked apart (those who chose this location, found through
    the location's index; those who chose none) and merged by their place in the list: asked together,
    PostgreSQL reads every chosen location of every list to tell them apart.
    """
    found = []
    for locations in ("preferred", "anywhere"):
        found += _FIRST_WHO_FIT.run(
            fixed={"part_of_day": part_of_day_at(group.first_start), "locations": locations, "limit": limit},
            now=now,
            course_id=group.course_id,
            location_id=group.location_id,
            group_id=group.pk,
        )
    ids = [row["pk"] for row in sorted(found, key=lambda row: (row["rank"], row["pk"]))[:limit]]
    if not ids:
        return []
    entries = WaitlistEntry.objects.select_related("participant").in_bulk(ids)
    return [entries[entry_id] for entry_id in ids if entry_id in entries]


_GROUP_FIELDS = [field.attname for field in TrainingGroup._meta.concrete_fields]


def _bookable_group(*, now, group_id):
    return TrainingGroup.objects.bookable(now).filter(pk=group_id).values(*_GROUP_FIELDS, "places_left", "first_start")


_BOOKABLE_GROUP = prepared.PreparedValues(_bookable_group)


def bookable_group(group_id, now):
    """The group (with `places_left` and `first_start`) when it is bookable at `now`, else None."""
    rows = _BOOKABLE_GROUP.run(now=now, group_id=group_id)
    if not rows:
        return None
    row = rows[0]
    group = TrainingGroup.from_db("default", _GROUP_FIELDS, [row[name] for name in _GROUP_FIELDS])
    group.places_left = row["places_left"]
    group.first_start = row["first_start"]
    return group


def make_offer(group, entry, now, *, by=None):
    """Hold one place for `entry` and tell them. Call with the course's and the group's locks held."""
    expires = _offer_expiry(group, now)
    enrollment = Enrollment.objects.create(
        group=group,
        participant=entry.participant,
        status=Enrollment.Status.HELD,
        hold_expires_at=expires,
        consent_text_version=entry.consent_text_version,
        consent_at=entry.consent_at,
        # The person's own language, whoever's cancellation (or the periodic run) freed the place.
        language=entry.language,
    )
    offer = Offer.objects.create(entry=entry, group=group, enrollment=enrollment, expires_at=expires, offered_by=by)
    WaitlistEntry.objects.filter(pk=entry.pk).update(status=WaitlistEntry.Status.OFFERED)
    entry.status = WaitlistEntry.Status.OFFERED
    queue_email(
        "offer", f"offer:offer:{offer.pk}", participant=entry.participant, to=entry.participant.email, offer_id=offer.pk
    )
    return offer


def lock_bookable_group(group_id, now):
    """Lock the group, then return it (with `places_left` and `first_start`) when it is bookable at `now`, else None.

    Bookable is the one rule (``TrainingGroup.objects.bookable``): open for
    sign-up, no registration stop, and a place left, counted after the lock.
    """
    lock_group_row(group_id)
    return bookable_group(group_id, now)


def _anyone_waiting(group_id):
    """Whether anyone waits on the list of the group's course: the first look of `offer_freed_places`.

    Most freed places have nobody waiting for them; then this one statement, on the list's index
    (course, status), is all a cancellation costs afterwards. Written out: it runs after every
    cancellation and expiry, and building it through the ORM costs more than running it.
    """
    entries, groups = WaitlistEntry._meta.db_table, TrainingGroup._meta.db_table
    with prepared.statement_cursor(connection) as cursor:
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {entries} w WHERE w.status = %s "
            f"AND w.course_id = (SELECT g.course_id FROM {groups} g WHERE g.id = %s))",
            [WaitlistEntry.Status.WAITING.value, group_id],
        )
        return bool(cursor.fetchone()[0])


def offer_freed_places(group, now=None):
    """Offer each free place in `group` to the next fitting person on the course's list. Returns the new offers.

    Only while the group is bookable (open, no registration stop, a place
    left). Free places are counted under the group's lock by the capacity
    rule (``TrainingGroup.objects.bookable``), and every offer holds its place at once, so
    there are never more offers than free places, however many of these run
    at the same time. For each free place: the first waiting person (in list
    order) whose wishes fit the group, who has no place in this or another
    coming group of the course, and who did not decline or let expire an
    offer for this group before (`waiting_who_fit`). Each gets an email with
    links to say yes or no. Safe to call any number of times: with no free
    place or nobody fitting, nothing happens, and no lock is taken when a
    first look (without locks) finds nobody. `group` may also be a group's id.
    """
    now = now or timezone.now()
    group_id = _group_id(group)
    if not _anyone_waiting(group_id):
        return []
    first_look = bookable_group(group_id, now)
    if first_look is None or not _entries_who_fit(first_look, now, 1):
        return []
    return _offer_under_locks(first_look.course_id, group_id, now)


def _offer_under_locks(course_id, group_id, now):
    """The offers of `offer_freed_places` once a look without locks found someone who fits: lock, count, offer."""
    offers = []
    with transaction.atomic():
        lock_course(course_id)
        locked = lock_bookable_group(group_id, now)
        if locked is None:
            return []
        for entry in _entries_who_fit(locked, now, locked.places_left):
            offers.append(make_offer(locked, entry, now))
    return offers


def groups_to_offer(now=None, *, among=None):
    """Bookable groups with a free place and someone on the list who fits it, soonest first (ids). Takes no lock.

    See `_groups_to_offer`, which also gives each group's course.
    """
    return [group_id for group_id, _course in _groups_to_offer(now, among=among)]


def _groups_to_offer(now=None, *, among=None, people=None):
    """Bookable groups with a free place and someone on the list who fits it, soonest first. Takes no lock.

    Returns (group id, course id) pairs. `among` (group ids, or a queryset
    of groups): look only at these groups, e.g. those whose places changed
    (`changed_since`); None: at every bookable group. `people` (waiting-list
    entry ids): only whether these people fit, in the groups of their
    courses at the locations they chose (all, for those who chose none),
    e.g. those who joined since the last run (`back_on_the_list`).

    What the periodic catch-up offers (``waitlist.offers.offer_all_free_places``).
    The rule is `waiting_who_fit`'s, asked once for all these groups instead
    of once per group: the bookable groups of courses with people waiting;
    then the people who could fit them, in two queries, each person's
    existing place looked at once: those who chose one of the groups'
    locations (through the location's index) and those who chose none; then
    the offers they turned down for these groups. Which group has someone
    (the course, the location, the part of the day, not turned down) is
    then matched here. Its cost follows the groups looked at and the people
    who chose their locations, not the enrollments or the list's history.
    """
    now = now or timezone.now()
    # The courses with people waiting, first (a handful of ids).
    waiting = set(
        WaitlistEntry.objects.filter(status=WaitlistEntry.Status.WAITING)
        .order_by()
        .values_list("course_id", flat=True)
        .distinct()
    )
    if not waiting:
        return []
    through = WaitlistEntry.preferred_locations.through
    if people is not None:
        people = sorted(set(people))
        among = _groups_for(people, through)
    if among is None:
        groups = TrainingGroup.objects.all()
    elif isinstance(among, QuerySet):
        groups = among
    else:
        groups = TrainingGroup.objects.filter(pk__in=list(among))
    groups = {
        group_id: (course_id, location_id, part_of_day_at(first_start), first_start)
        for group_id, course_id, location_id, first_start in groups.bookable(now)
        .filter(course_id__in=waiting)
        .order_by()
        .values_list("pk", "course_id", "location_id", "first_start")
    }
    if not groups:
        return []
    course_ids = sorted({course_id for course_id, *_rest in groups.values()})
    parts = {PartOfDay.ANY, *(part for _course, _location, part, _start in groups.values() if part is not None)}
    placed_by_link = _has_a_place(
        now, course=OuterRef("waitlistentry__course_id"), participant=OuterRef("waitlistentry__participant_id")
    )
    # (entry id, course id, part of the day, location id or None for "anywhere")
    candidates = list(
        through.objects.filter(
            location_id__in=sorted({location_id for _course, location_id, *_rest in groups.values()}),
            waitlistentry__course_id__in=course_ids,
            waitlistentry__status=WaitlistEntry.Status.WAITING,
            waitlistentry__part_of_day__in=sorted(parts),
        )
        .filter(Q() if people is None else Q(waitlistentry_id__in=people))
        .filter(~Exists(placed_by_link))
        .order_by()
        .values_list("waitlistentry_id", "waitlistentry__course_id", "waitlistentry__part_of_day", "location_id")
    )
    candidates += [
        (*row, None)
        for row in WaitlistEntry.objects.filter(
            course_id__in=course_ids, status=WaitlistEntry.Status.WAITING, part_of_day__in=sorted(parts)
        )
        .filter(Q() if people is None else Q(pk__in=people))
        .filter(
            ~Exists(through.objects.filter(waitlistentry_id=OuterRef("pk"))),
            ~Exists(_has_a_place(now, course=OuterRef("course_id"), participant=OuterRef("participant_id"))),
        )
        .order_by()
        .values_list("pk", "course_id", "part_of_day")
    ]
    if not candidates:
        return []
    turned_down = set()
    group_ids = sorted(groups)
    for start in range(0, len(group_ids), IDS_PER_QUERY):
        turned_down.update(
            Offer.objects.filter(
                group_id__in=group_ids[start : start + IDS_PER_QUERY],
                status__in=[Offer.Status.DECLINED, Offer.Status.EXPIRED],
            ).values_list("entry_id", "group_id")
        )
    # Who could go where: by course and chosen location (None: anywhere), so a group looks only at its own.
    could_go = {}
    for entry_id, course_id, wish, where in candidates:
        could_go.setdefault((course_id, where), []).append((entry_id, wish))
    found = [
        group_id
        for group_id, (course_id, location_id, part, _start) in groups.items()
        if any(
            wish in _parts_fitting(part) and (entry_id, group_id) not in turned_down
            for where in (location_id, None)
            for entry_id, wish in could_go.get((course_id, where), ())
        )
    ]
    never = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    found.sort(key=lambda group_id: (groups[group_id][3] or never, group_id))
    return [(group_id, groups[group_id][0]) for group_id in found]


def _groups_for(people, through):
    """The groups `people` (entry ids) could be offered: of their courses, at the locations they chose (every
    location of the course for someone who chose none); a queryset, or [] when none of them waits."""
    courses = dict(
        WaitlistEntry.objects.filter(pk__in=people, status=WaitlistEntry.Status.WAITING).values_list("pk", "course_id")
    )
    if not courses:
        return []
    chosen = {}
    for entry_id, location_id in through.objects.filter(waitlistentry_id__in=list(courses)).values_list(
        "waitlistentry_id", "location_id"
    ):
        chosen.setdefault(entry_id, set()).add(location_id)
    rule = Q(course_id__in=sorted({courses[entry_id] for entry_id in courses if entry_id not in chosen}))
    for entry_id, locations in chosen.items():
        rule |= Q(course_id=courses[entry_id], location_id__in=sorted(locations))
    return TrainingGroup.objects.filter(rule)


DEFAULT_SWEEP_RUNS = 60


def sweep_runs():
    """In how many runs the catch-up looks at every group once (`GROEPSWIJZER_OFFER_SWEEP_RUNS`)."""
    return max(1, int(getattr(settings, "GROEPSWIJZER_OFFER_SWEEP_RUNS", DEFAULT_SWEEP_RUNS)))


def changed_since(since, now, *, sweep_slice=0):
    """The groups whose offers may have changed after `since` without an offer being tried; a queryset.

    A freed place is offered at the event that freed it (a cancellation, a
    hold or an offer that ran out, a group opened or enlarged), and people
    who joined a list or came back to waiting are looked at on their own
    (`back_on_the_list`). What no event offers, and the catch-up therefore
    looks at:

    * the groups of a course or location whose registration stop ended after `since`;
    * one slice of all groups (group id modulo `sweep_runs()` equal to
      `sweep_slice`), so that every group is looked at once in
      `sweep_runs()` runs: what an event missed (an error after its commit,
      a stop lifted, wishes changed) is offered within that many runs.

    Each of these is a query on a small table or an index; none grows with
    the enrollments.
    """
    stops = list(
        RegistrationStop.objects.filter(ends_at__gt=since, ends_at__lte=now).values_list("course_id", "location_id")
    )
    courses = {course_id for course_id, _location in stops if course_id is not None}
    locations = {location_id for course_id, location_id in stops if course_id is None}
    return TrainingGroup.objects.alias(sweep_slice=Mod("pk", sweep_runs())).filter(
        Q(sweep_slice=sweep_slice) | Q(course_id__in=courses) | Q(location_id__in=locations)
    )


def back_on_the_list(since, now):
    """The waiting-list entries (ids) that may fit a group they did not fit after `since`: people who joined
    after it, and people back to waiting because they declined an offer or let it run out."""
    joined = WaitlistEntry.objects.filter(joined_at__gt=since, joined_at__lte=now).values_list("pk", flat=True)
    answered = Offer.objects.filter(
        Q(status=Offer.Status.DECLINED, decided_at__gt=since, decided_at__lte=now)
        | Q(status=Offer.Status.EXPIRED, expires_at__gt=since, expires_at__lte=now)
    ).values_list("entry_id", flat=True)
    return sorted({*joined, *answered})


def offer_freed_places_in(groups, now=None):
    """`offer_freed_places` for several groups (ids, a queryset of groups, or None: every group). Returns the
    new offers.

    One look without locks finds the groups where someone fits (`groups_to_offer`); those are then locked
    and offered one at a time, soonest first, without a second look of their own (`_offer_in_turn`).
    """
    now = now or timezone.now()
    if groups is not None and not isinstance(groups, QuerySet) and not groups:
        return []
    return _offer_in_turn(_groups_to_offer(now, among=groups), now)


def offer_to_people(people, now=None):
    """Offer the free places that these people (waiting-list entry ids) now fit, e.g. who joined a list since
    the last run. Returns the new offers.

    Only the groups of their courses at the locations they chose are looked at, and only whether one of
    these people fits; a group where one does is then offered as any freed place is, to the first who fits
    in list order.
    """
    now = now or timezone.now()
    if not people:
        return []
    return _offer_in_turn(_groups_to_offer(now, people=people), now)


def _offer_in_turn(pending, now):
    """Lock and offer the (group id, course id) pairs found by `_groups_to_offer`, in their order.

    The people who fit are often the same for many of the groups (someone who may go anywhere fits every
    group of the course with room), so an offer can leave the groups after it with nobody: when a group
    turns out to have nobody left, the groups after it are looked at again together, once, instead of each
    with its own look and locks.
    """
    offers = []
    while pending:
        (group_id, course_id), pending = pending[0], pending[1:]
        made = _offer_under_locks(course_id, group_id, now)
        offers.extend(made)
        if not made and pending:
            pending = _groups_to_offer(now, among=[group_id for group_id, _course in pending])
    return offers


def expire_offer(offer, now, *, pass_on=True):
    """Mark one open offer expired; its place passes on after saving. Call with the course's and group's locks held.

    `pass_on` False: the caller passes the places on itself, for many groups at once (`offer_freed_places_in`).
    """
    Offer.objects.filter(pk=offer.pk).update(status=Offer.Status.EXPIRED)
    offer.status = Offer.Status.EXPIRED
    Enrollment.objects.filter(pk=offer.enrollment_id, status=Enrollment.Status.HELD).update(
        status=Enrollment.Status.EXPIRED
    )
    WaitlistEntry.objects.filter(pk=offer.entry_id, status=WaitlistEntry.Status.OFFERED).update(
        status=WaitlistEntry.Status.WAITING
    )
    changed(group_ids=[offer.group_id])
    participant = offer.entry.participant
    queue_email(
        "offer_expired",
        f"offer_expired:offer:{offer.pk}",
        participant=participant,
        to=participant.email,
        offer_id=offer.pk,
    )
    if pass_on:
        pass_on_after_commit(offer.group_id, now)


def pass_on_after_commit(group_id, now):
    transaction.on_commit(lambda: offer_freed_places(group_id, now=now), robust=True)
