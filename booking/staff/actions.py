"""What the office does to a whole group: cancel it, with alternatives and refunds for everyone in it."""

import logging

from django.db import transaction
from django.utils import timezone

from booking.models import Enrollment, Offer, Session, TrainingGroup, WaitlistEntry, takes_a_place
from booking.payments import refunds
from booking.services import places, planning
from booking.services.locks import lock_course, lock_group
from booking.services.notifications import queue_email

logger = logging.getLogger(__name__)


def cancel_group(group, *, by=None, reason="", now=None):
    """The organisation cancels a group (for instance: too few sign-ups). Returns the cancelled enrollments.

    The group gets the status cancelled; every scheduled session is cancelled,
    also on the location's calendar; every place that still counts (confirmed,
    or a hold that has not run out) is cancelled, and each of those
    participants gets one email with the alternatives (other groups of the
    course with places, nearest first, and the waiting list) and, for a
    confirmed place, a calendar cancellation of every date; the sessions send
    no emails of their own. An open offer of
    a place in this group is withdrawn, and that person keeps their place on
    the waiting list. `reason` is told to the participants. Calling it again
    changes nothing and sends nothing.
    """

    now = now or timezone.now()
    with transaction.atomic():
        # The waiting list's lock first, then the group's (services.locks: the one lock order).
        lock_course(group.course_id)
        locked = lock_group(group.pk)
        if locked.status != TrainingGroup.Status.CANCELLED:
            locked.status = TrainingGroup.Status.CANCELLED
            locked.save(update_fields=["status"])
        for session in Session.objects.filter(group=locked, status=Session.Status.SCHEDULED):
            planning.cancel_session(session, notify=False)
        active = list(Enrollment.objects.filter(group=locked).filter(takes_a_place(now)).select_related("participant"))
        offers = Offer.objects.filter(enrollment__in=active, status=Offer.Status.OPEN)
        entry_ids = list(offers.values_list("entry_id", flat=True))
        offers.update(status=Offer.Status.WITHDRAWN, decided_at=now)
        WaitlistEntry.objects.filter(pk__in=entry_ids, status=WaitlistEntry.Status.OFFERED).update(
            status=WaitlistEntry.Status.WAITING
        )
        offered = set(Offer.objects.filter(enrollment__in=active).values_list("enrollment_id", flat=True))
        for enrollment in active:
            places.cancel_enrollment(enrollment, now=now)
            queue_email(
                "group_cancelled",
                f"group_cancelled:enrollment:{enrollment.pk}",
                participant=enrollment.participant,
                enrollment_id=enrollment.pk,
                reason=str(reason or ""),
                offered=enrollment.pk in offered,
            )
        # Everyone who paid gets it back in full (booking.payments).
        refunds.refund_for_group_cancellation(active, now=now)
    logger.info("Group %s cancelled by user %s; %s places cancelled", group.pk, getattr(by, "pk", None), len(active))
    group.refresh_from_db()
    group.forget_schedule()
    return active
