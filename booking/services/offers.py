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
from .locks import lock_course, lock_group
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
    if entry.part_of_day == PartOfDay.ANY:
        return True
    return part_of_day_at(first_start) == entry.part_of_day


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


ANY_LOCATION_RULE = "both"


def _ref(value, depth):
    """A group's field for a subquery `depth` levels down when `value` names one, else the value itself."""
    if isinstance(value, str):
        for _level in range(depth):
            value = OuterRef(value)
    return value


def waiting_who_fit(now, *, course, location, group, part_of_day, depth=0, locations=ANY_LOCATION_RULE):
    """The waiting people who may be offered a place in a group, in SQL: `fits` plus who may not have it.

    Waiting on the course's list; their part of the day is "any" or the
    group's (`part_of_day`, None for a group without a date); no preferred
    locations or the group's among them; no declined or expired offer for
    this group; and no place (confirmed, or a hold that has not run out) in a
    coming group of the course, this one included. `course`, `location` and
    `group` are ids, or the names of a group's fields when this is used
    inside a query over groups (`depth` 1: ``Exists(...)`` in a filter on
    TrainingGroup). Every test is a ``NOT EXISTS``/``EXISTS`` on an index per
    person, so nothing scans the whole list or all enrollments. `locations`
    keeps one half of the location rule: ``"preferred"`` (the group's
    location is among theirs, found through the location's index) or
    ``"anywhere"`` (no preferred locations); a query over many groups asks
    the two halves apart, so that neither becomes a scan of every pair.
    """
    links = WaitlistEntry.preferred_locations.through.objects.filter(waitlistentry_id=OuterRef("pk"))
    turned_down = Offer.objects.filter(
        entry_id=OuterRef("pk"),
        group_id=_ref(group, depth + 1),
        status__in=[Offer.Status.DECLINED, Offer.Status.EXPIRED],
    )
    # The person's address is read per entry (a subquery), not joined: a join with the participants made
    # the planner walk the whole participant table whenever someone joined the list recently (a high id).
    email = Participant.objects.filter(pk=OuterRef(OuterRef("participant_id"))).order_by().values("email")[:1]
    has_a_place = (
        Enrollment.objects.filter(participant__email=Subquery(email), group__course_id=_ref(course, depth + 1))
        .exclude(group__status__in=[TrainingGroup.Status.CANCELLED, TrainingGroup.Status.COMPLETED])
        .filter(takes_a_place(now))
    )
    parts = [PartOfDay.ANY] if part_of_day is None else [PartOfDay.ANY, part_of_day]
    entries = WaitlistEntry.objects.filter(
        course_id=_ref(course, depth), status=WaitlistEntry.Status.WAITING, part_of_day__in=parts
    ).filter(~Exists(turned_down), ~Exists(has_a_place))
    if locations == "preferred":
        return entries.filter(preferred_locations=_ref(location, depth))
    if locations == "anywhere":
        return entries.filter(~Exists(links))
    return entries.filter(~Exists(links) | Exists(links.filter(location_id=_ref(location, depth + 1))))


def _who_fit(group, now):
    """`waiting_who_fit` for one group (a TrainingGroup with `first_start`), in list order."""
    return waiting_who_fit(
        now,
        course=group.course_id,
        location=group.location_id,
        group=group.pk,
        part_of_day=part_of_day_at(group.first_start),
    ).order_by("rank", "pk")


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
    lock_group(group_id)
    return TrainingGroup.objects.bookable(now).filter(pk=group_id).first()


def _anyone_waiting(group_id):
    """Whether anyone waits on the list of the group's course: the first look of `offer_freed_places`.

    Most freed places have nobody waiting for them; then this one statement, on the list's index
    (course, status), is all a cancellation costs afterwards. Written out: it runs after every
    cancellation and expiry, and building it through the ORM costs more than running it.
    """
    entries, groups = WaitlistEntry._meta.db_table, TrainingGroup._meta.db_table
    with connection.cursor() as cursor:
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
    first_look = TrainingGroup.objects.bookable(now).filter(pk=group_id).first()
    if first_look is None or not _who_fit(first_look, now).exists():
        return []
    offers = []
    with transaction.atomic():
        lock_course(first_look.course_id)
        locked = lock_bookable_group(group_id, now)
        if locked is None:
            return []
        candidates = _who_fit(locked, now).select_related("participant")[: locked.places_left]
        for entry in candidates:
            offers.append(make_offer(locked, entry, now))
    return offers


def groups_to_offer(now=None, *, among=None):
    """Bookable groups with a free place and someone on the list who fits it, soonest first. Takes no lock.

    `among` (group ids, or a queryset of groups): look only at these groups,
    e.g. those whose places changed (`changed_since`); None: at every
    bookable group.

    What the periodic catch-up offers (``waitlist.offers.offer_all_free_places``):
    one query for the courses with people waiting, one for their bookable groups, then two
    per part of the day (at most eight) that keep the groups with a fitting
    person (`waiting_who_fit`). Its cost follows the open groups, not the
    enrollments or the waiting list's history.
    """
    now = now or timezone.now()
    # The courses with people waiting, first (a handful of ids): a semi-join of every group with the
    # whole list would compare each group with every waiting row.
    waiting = set(
        WaitlistEntry.objects.filter(status=WaitlistEntry.Status.WAITING)
        .order_by()
        .values_list("course_id", flat=True)
        .distinct()
    )
    if not waiting:
        return []
    if among is None:
        groups = TrainingGroup.objects.all()
    elif isinstance(among, QuerySet):
        groups = among
    else:
        groups = TrainingGroup.objects.filter(pk__in=list(among))
    rows = groups.bookable(now).filter(course_id__in=waiting).order_by().values_list("pk", "first_start")
    by_part = {}
    starts = {}
    for group_id, first_start in rows:
        by_part.setdefault(part_of_day_at(first_start), []).append(group_id)
        starts[group_id] = first_start
    found = []
    for part, group_ids in by_part.items():
        for locations in ("preferred", "anywhere"):
            someone = waiting_who_fit(
                now,
                course="course_id",
                location="location_id",
                group="pk",
                part_of_day=part,
                depth=1,
                locations=locations,
            )
            found.extend(
                TrainingGroup.objects.filter(pk__in=group_ids)
                .filter(Exists(someone))
                .order_by()
                .values_list("pk", flat=True)
            )
    found = set(found)
    never = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    return sorted(found, key=lambda group_id: (starts[group_id] or never, group_id))


DEFAULT_SWEEP_RUNS = 60


def sweep_runs():
    """In how many runs the catch-up looks at every group once (`GROEPSWIJZER_OFFER_SWEEP_RUNS`)."""
    return max(1, int(getattr(settings, "GROEPSWIJZER_OFFER_SWEEP_RUNS", DEFAULT_SWEEP_RUNS)))


def changed_since(since, now, *, sweep_slice=0):
    """The groups whose offers may have changed after `since` without an offer being tried; a queryset.

    A freed place is offered at the event that freed it (a cancellation, a
    hold or an offer that ran out, a group opened or enlarged). What no
    event offers, and the catch-up therefore looks at:

    * the groups of a course whose list gained someone who may fit another
      group: people who joined after `since`, and people back to waiting
      because they declined an offer or let it run out;
    * the groups of a course or location whose registration stop ended after `since`;
    * one slice of all groups (group id modulo `sweep_runs()` equal to
      `sweep_slice`), so that every group is looked at once in
      `sweep_runs()` runs: what an event missed (an error after its commit,
      a stop lifted, wishes changed) is offered within that many runs.

    Each of these is a query on a small table or an index; none grows with
    the enrollments.
    """
    joined = WaitlistEntry.objects.filter(joined_at__gt=since, joined_at__lte=now).values("course_id")
    answered = Offer.objects.filter(
        Q(status=Offer.Status.DECLINED, decided_at__gt=since, decided_at__lte=now)
        | Q(status=Offer.Status.EXPIRED, expires_at__gt=since, expires_at__lte=now)
    ).values("group__course_id")
    stops = list(
        RegistrationStop.objects.filter(ends_at__gt=since, ends_at__lte=now).values_list("course_id", "location_id")
    )
    courses = {course_id for course_id, _location in stops if course_id is not None}
    locations = {location_id for course_id, location_id in stops if course_id is None}
    return TrainingGroup.objects.alias(sweep_slice=Mod("pk", sweep_runs())).filter(
        Q(sweep_slice=sweep_slice)
        | Q(course_id__in=joined)
        | Q(course_id__in=answered)
        | Q(course_id__in=courses)
        | Q(location_id__in=locations)
    )


def offer_freed_places_in(groups, now=None):
    """`offer_freed_places` for several groups whose places changed (ids, or a queryset of groups): one look
    for all, then only the groups where someone fits are locked and offered, one at a time. Returns the new
    offers."""
    now = now or timezone.now()
    if not isinstance(groups, QuerySet) and not groups:
        return []
    offers = []
    for group_id in groups_to_offer(now, among=groups):
        offers.extend(offer_freed_places(group_id, now=now))
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
