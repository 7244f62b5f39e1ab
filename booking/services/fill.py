"""Groups that may not fill: each group's places taken against its minimum, and the groups the office must decide on.

A group needs at least `min_participants` people to go ahead. From
`minimum_check_days` (a setting per course) before its first session, a
group still under its minimum is put before the office, which decides: go
ahead anyway (recorded on the group), merge it into another group of the
course, or cancel it with alternatives (``booking.staff.actions``).
"""

import datetime

from django.db.models import F
from django.utils import timezone

from ..models import TrainingGroup

# Groups whose start is still to be decided on: not running, completed or cancelled.
WATCHED_STATUSES = (TrainingGroup.Status.PLANNED, TrainingGroup.Status.OPEN, TrainingGroup.Status.CLOSED)
# The decision window when a course sets none, and the longest one a course can set.
DEFAULT_CHECK_DAYS = 14
MAX_CHECK_DAYS = 60


def is_under_minimum(group):
    """Fewer places taken than the group's minimum, for a group still to start (needs `places_taken`)."""
    return group.status in WATCHED_STATUSES and group.places_taken < (group.min_participants or 0)


def decision_from(group):
    """From when a group under its minimum is put before the office: `minimum_check_days` before its start.

    None while no session is planned (there is no start to count from yet).
    A course without its own number of days uses `DEFAULT_CHECK_DAYS`.
    """
    if group.first_start is None:
        return None
    days = group.course.minimum_check_days or DEFAULT_CHECK_DAYS
    return group.first_start - datetime.timedelta(days=days)


def needs_decision(group, now=None):
    """Whether the office must decide on this group at `now`: the rule of `groups_to_decide`, for one group.

    Needs `places_taken` and `first_start` (``with_places_left``, ``with_first_start``).
    """
    now = now or timezone.now()
    start = decision_from(group)
    return (
        group.go_ahead_at is None and is_under_minimum(group) and start is not None and start <= now < group.first_start
    )


def groups_to_decide(now=None):
    """The groups the office must decide on at `now`, the soonest start first. One query, however many groups.

    A group is on it when its status is planned, open or closed, its first
    session is still ahead and starts within its course's
    `minimum_check_days`, fewer places are taken (confirmed, or held and not
    run out) than its minimum, and nobody has yet decided that it goes ahead.
    Each group carries `places_taken`, `first_start` and its course and location.
    """
    now = now or timezone.now()
    horizon = now + datetime.timedelta(days=MAX_CHECK_DAYS)
    candidates = (
        TrainingGroup.objects.filter(status__in=WATCHED_STATUSES, go_ahead_at__isnull=True)
        .with_places_left(now)
        .with_first_start()
        .filter(first_start__gt=now, first_start__lte=horizon, places_taken__lt=F("min_participants"))
        .select_related("course", "location")
        .order_by("first_start", "pk")
    )
    return [group for group in candidates if needs_decision(group, now)]
