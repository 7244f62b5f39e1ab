"""Completion: whether a participant finished the training, by the course's rule and the attendance.

The rule is the course's `completion_min_sessions` (attended at least that
many sessions); left empty it is every session but one. It is counted over
the group's scheduled sessions, so a session the office cancelled never
counts against anyone.
"""

from dataclasses import dataclass

from django.db.models import Max
from django.utils import timezone

from booking.models import Attendance, Session


@dataclass(frozen=True)
class Progress:
    attended: int
    sessions_total: int
    required: int
    ended: bool  # the group's last session is over

    @property
    def completed(self):
        """True or False once the group has ended; None while it runs."""
        return self.attended >= self.required if self.ended else None


def required_sessions(course, sessions_total):
    rule = course.completion_min_sessions
    if rule:
        return min(rule, sessions_total) if sessions_total else rule
    return max(1, sessions_total - 1)


def progress(enrollment, now=None):
    now = now or timezone.now()
    group = enrollment.group
    scheduled = Session.objects.filter(group=group, status=Session.Status.SCHEDULED)
    total = scheduled.count()
    last_end = scheduled.aggregate(last=Max("end"))["last"]
    attended = Attendance.objects.filter(
        enrollment=enrollment, status=Attendance.Status.PRESENT, session__status=Session.Status.SCHEDULED
    ).count()
    return Progress(
        attended=attended,
        sessions_total=total,
        required=required_sessions(group.course, total),
        ended=last_end is not None and last_end <= now,
    )
