"""Telephone screening before a group starts: who is still to call, and what an outcome does.

"Not suitable" ends the place kindly: the office's own cancellation (the
participant's email, the refund of what they paid, the freed place offered
to the waiting list: ``booking.staff.office.cancel_for`` with the fee
waived), and one more email with the other ways on that the caller chose.
"""

import datetime

from django.db import transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from booking.models import Enrollment, TrainingGroup
from booking.services.access_log import Action, group_where, log_access
from booking.services.notifications import queue_email
from booking.staff import office, trainers

from ..models import Referral, Screening


def to_call(group):
    """The group's participants with a place, each with `last_screening` (or None) and `referral` (or None).

    Those not called yet come first, then those with doubt, then the rest; by surname within each.
    """
    enrollments = trainers.participants(group)
    latest = {}
    for screening in Screening.objects.filter(enrollment__in=enrollments).select_related("called_by"):
        latest.setdefault(screening.enrollment_id, screening)  # ordered newest first
    referral_of = {
        r.enrollment_id: r
        for r in Referral.objects.filter(enrollment__in=enrollments).select_related("referrer", "practice")
    }
    for enrollment in enrollments:
        enrollment.last_screening = latest.get(enrollment.pk)
        enrollment.referral = referral_of.get(enrollment.pk)

    def order(enrollment):
        screening = enrollment.last_screening
        rank = 0 if screening is None else 1 if screening.outcome == Screening.Outcome.DOUBT else 2
        return (rank, enrollment.participant.last_name, enrollment.participant.first_name)

    return sorted(enrollments, key=order)


# Calls are made in the weeks before the start; a group further away is not yet work for today.
CALL_WEEKS_BEFORE_START = 3


def groups_to_call(now=None, weeks=CALL_WEEKS_BEFORE_START):
    """Groups starting within `weeks` with participants nobody called yet: each with `first_start` and `to_call`.

    Soonest first. One query, whatever the number of groups or participants.
    """
    now = now or timezone.now()
    not_called = (
        Enrollment.objects.filter(group=OuterRef("pk"), status__in=trainers.IN_THE_GROUP)
        .exclude(Exists(Screening.objects.filter(enrollment=OuterRef("pk"))))
        .order_by()
        .values("group")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        TrainingGroup.objects.exclude(status__in=[TrainingGroup.Status.CANCELLED, TrainingGroup.Status.COMPLETED])
        .with_first_start()
        .filter(first_start__gt=now, first_start__lte=now + datetime.timedelta(weeks=weeks))
        .annotate(to_call=Coalesce(Subquery(not_called, output_field=IntegerField()), 0))
        .filter(to_call__gt=0)
        .select_related("course", "location")
        .order_by("first_start", "pk")
    )


def with_last_outcome(enrollments):
    """Enrollments annotated with `last_outcome`: the newest screening's outcome, or None."""
    newest = Screening.objects.filter(enrollment=OuterRef("pk")).order_by("-called_at", "-pk").values("outcome")[:1]
    return enrollments.annotate(last_outcome=Subquery(newest))


def record_screening(enrollment, *, by, outcome, note="", alternatives=(), alternative_courses=(), now=None):
    """Record one call, logged in the access log; "not suitable" also ends the place (see the module docstring).

    Only a place that still counts can be ended; a "not suitable" for a place
    that was cancelled meanwhile is recorded, and nothing else happens.
    """
    now = now or timezone.now()
    with transaction.atomic():
        screening = Screening.objects.create(
            enrollment=enrollment,
            called_at=now,
            called_by=by,
            outcome=outcome,
            note=note.strip(),
            alternatives=list(alternatives),
        )
        screening.alternative_courses.set(alternative_courses)
        log_access(by, [enrollment.participant], Action.EDIT, group_where(enrollment.group, "telefonische screening"))
        if outcome == Screening.Outcome.NOT_SUITABLE and enrollment.state_at(now) in Enrollment.ACTIVE:
            office.cancel_for(enrollment, by=by, fee=office.FEE_WAIVED, now=now)
            queue_email(
                "screening_not_suitable",
                f"screening_not_suitable:screening:{screening.pk}",
                participant=enrollment.participant,
                screening_id=screening.pk,
            )
    return screening
