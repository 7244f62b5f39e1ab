"""An honest estimate of the wait, from the list ahead of someone and the groups planned."""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from booking.clock import local_time
from booking.models import RegistrationStop, TrainingGroup, WaitlistEntry
from booking.services.offers import fits
from booking.waitlist.entries import position


@dataclass
class WaitEstimate:
    """What we expect for one person: `weeks` until they can start, in `group`; None when we cannot say."""

    weeks: int | None
    group: TrainingGroup | None = None
    starts: datetime.datetime | None = None

    @property
    def known(self):
        return self.weeks is not None

    def __str__(self):
        if not self.known:
            return str(
                _(
                    "We weten nog niet hoe lang u moet wachten. Er zijn nu niet genoeg plaatsen gepland "
                    "in groepen die bij u passen. Komt er een plaats vrij of een nieuwe groep bij, "
                    "dan krijgt u een e-mail."
                )
            )
        start = local_time(self.starts)
        where = self.group.location.town or self.group.location.name
        return ngettext(
            "We verwachten dat u over ongeveer %(weeks)d week kunt beginnen, in de groep in %(place)s "
            "die op %(date)s start. Het kan sneller gaan als iemand zich afmeldt.",
            "We verwachten dat u over ongeveer %(weeks)d weken kunt beginnen, in de groep in %(place)s "
            "die op %(date)s start. Het kan sneller gaan als iemand zich afmeldt.",
            self.weeks,
        ) % {"weeks": self.weeks, "place": where, "date": date_format(start, "j F Y")}


def expected_wait(entry, now=None):
    """An honest estimate of how long this person still waits, as a WaitEstimate.

    The rule: everyone ahead of this person on the list is taken to need one
    place before them (whatever their own wishes, so the estimate errs on the
    long side). The places we can count on are those in groups of this course
    that fit this person's wishes (`fits`), have a date, start after `now`,
    and are planned (all their places) or open for sign-up (their free places
    now), taken in order of their first session. The first group by which
    enough places have added up for everyone ahead and this person, is the
    group we expect them to start in; the wait is the time until its first
    session, rounded to whole weeks (at least 1). When those groups together do not
    have enough places, we cannot say, and say so. Places that come free
    through cancellations are not counted: they can only make the wait shorter.
    """
    now = now or timezone.now()
    place_in_line = position(entry)
    if place_in_line is None:
        return WaitEstimate(weeks=None)
    return estimate_from(
        groups_counted_on(entry.course_id, now), place_in_line, lambda group: fits(entry, group, group.first_start), now
    )


def expected_wait_for_newcomer(course_id, *, location_id=None, waiting=None, groups=None, now=None):
    """The wait for someone who joins the course's list at `now`, behind everyone on it (`expected_wait`'s rule).

    The newcomer wants `location_id` (None: any location) at any part of the
    day, and stands behind the `waiting` people now on the list. A listing of
    many locations passes `waiting` and `groups` (from `groups_counted_on`)
    once, so it asks the database nothing more per location.
    """
    now = now or timezone.now()
    if waiting is None:
        waiting = WaitlistEntry.objects.active().filter(course_id=course_id).count()
    if groups is None:
        groups = list(groups_counted_on(course_id, now))
    suits = (lambda group: True) if location_id is None else (lambda group: group.location_id == location_id)
    return estimate_from(groups, waiting + 1, suits, now)


def counted_groups(now):
    """The groups whose places the estimate counts: planned (all places) or bookable (free places), with a date
    after `now`, not behind a registration stop, in order of their first session. Every course's; see
    `groups_counted_on` for one."""
    return (
        TrainingGroup.objects.with_bookable(now)
        .filter(first_start__gt=now)
        .filter(Q(status=TrainingGroup.Status.PLANNED) | Q(bookable=True))
        .exclude(RegistrationStop.covers_group_q(now))
        .select_related("location")
        .order_by("first_start", "pk")
    )


def groups_counted_on(course_id, now):
    """`counted_groups` of one course."""
    return counted_groups(now).filter(course_id=course_id)


def estimate_from(groups, place_in_line, suits, now):
    """The counting step of the estimate: places add up over `groups` that `suits` accepts, in their order,
    until there are `place_in_line` of them; the wait is the weeks until that group's first session."""
    counted = 0
    for group in groups:
        if not suits(group):
            continue
        counted += group.capacity if group.status == TrainingGroup.Status.PLANNED else group.places_left
        if counted >= place_in_line:
            days = (group.first_start - now).total_seconds() / 86400
            return WaitEstimate(weeks=max(1, round(days / 7)), group=group, starts=group.first_start)
    return WaitEstimate(weeks=None)
