"""What the office does to a whole group: cancel it (with alternatives and refunds), let it go ahead under its
minimum, or merge it into another group of the course."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from booking.models import CancelCause, Enrollment, Offer, Session, TrainingGroup, WaitlistEntry, takes_a_place
from booking.payments import refunds
from booking.services import availability, fill, places, planning
from booking.services.access_log import Action, group_where, log_access
from booking.services.errors import BookingError, GroupFull
from booking.services.locks import lock_course, lock_group, lock_groups
from booking.services.notifications import queue_email

logger = logging.getLogger(__name__)


def cancel_group(group, *, by=None, reason="", cause=CancelCause.OTHER, now=None):
    """The organisation cancels a group (for instance: too few sign-ups). Returns the cancelled enrollments.

    The group gets the status cancelled; every scheduled session is cancelled,
    also on the location's calendar; every place that still counts (confirmed,
    or a hold that has not run out) is cancelled, and each of those
    participants gets one email with the alternatives (other groups of the
    course with places, nearest first, and the waiting list) and, for a
    confirmed place, a calendar cancellation of every date; the sessions send
    no emails of their own. An open offer of
    a place in this group is withdrawn, and that person keeps their place on
    the waiting list. `reason` is told to the participants; `cause` (a
    CancelCause, which the office's form requires) is kept on the group with
    the moment, for the figures. Calling it again changes nothing and sends nothing.
    """

    now = now or timezone.now()
    with transaction.atomic():
        # The waiting list's lock first, then the group's (services.locks: the one lock order).
        lock_course(group.course_id)
        locked = lock_group(group.pk)
        if locked.status != TrainingGroup.Status.CANCELLED:
            locked.status = TrainingGroup.Status.CANCELLED
            locked.cancel_cause = CancelCause(cause)
            locked.cancelled_at = now
            locked.save(update_fields=["status", "cancel_cause", "cancelled_at"])
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


# --- groups under their minimum (services.fill) --------------------------------------------------


def go_ahead(group, *, by, note="", now=None):
    """The office decides that a group under its minimum goes ahead anyway; the decision is recorded on the group.

    The group then leaves the list of groups to decide on
    (``services.fill.groups_to_decide``). Only a group that has not started
    and is not cancelled; deciding again changes nothing. Returns the group.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_group(group.pk)
        if locked.status not in fill.WATCHED_STATUSES:
            raise ValidationError(
                _("Een groep met de status '%(status)s' wacht niet op een besluit.")
                % {"status": locked.get_status_display()}
            )
        if locked.go_ahead_at is None:
            locked.go_ahead_at = now
            locked.go_ahead_by = by
            locked.go_ahead_note = (note or "").strip()[:300]
            locked.save(update_fields=["go_ahead_at", "go_ahead_by", "go_ahead_note"])
            log(locked, "booking.group.go_ahead", user=by, data={"note": locked.go_ahead_note})
    group.refresh_from_db()
    return group


def merge_choices(group, now=None):
    """Groups of the same course that `group` can be merged into now: not started, not cancelled, the soonest first.

    Each carries `places_left`, and `room`: whether all of `group`'s
    confirmed places fit.
    """
    now = now or timezone.now()
    moving = Enrollment.objects.filter(group=group, status=Enrollment.Status.CONFIRMED).count()
    choices = list(
        TrainingGroup.objects.filter(course_id=group.course_id, status__in=places.MOVE_TARGET_STATUSES)
        .exclude(pk=group.pk)
        .with_places_left(now)
        .with_first_start()
        .filter(Q(first_start__isnull=True) | Q(first_start__gt=now))
        .select_related("course", "location")
        .order_by(F("first_start").asc(nulls_last=True), "pk")
    )
    for choice in choices:
        choice.room = choice.places_left >= moving
    return choices


def merge_group(group, into, *, by, reason, now=None):
    """Merge a group that will not fill into another group of the course. Returns the moves made.

    Everyone with a confirmed place moves to `into` (`places.move_places`,
    a couple together), each with an email and a fresh calendar file. Then
    `group` is cancelled as `cancel_group` does (its sessions, and any hold
    or open offer still in it, with their emails) and remembers where its
    people went (`merged_into`). All or nothing: when `into` has no room for
    everyone, or one of them cannot move, nothing changes (a BookingError
    says why). The locks: the course, then both groups (lower id first).
    """
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Schrijf de reden op. Die staat in de e-mail aan de deelnemers.")})
    with transaction.atomic():
        lock_course(group.course_id)
        lock_groups(group.pk, into.pk)
        if TrainingGroup.objects.values_list("status", flat=True).get(pk=group.pk) not in fill.WATCHED_STATUSES:
            raise BookingError(_("Deze groep is al begonnen, afgerond of afgezegd. Samenvoegen kan niet meer."))
        confirmed = list(
            Enrollment.objects.filter(group=group, status=Enrollment.Status.CONFIRMED).order_by("created_at", "pk")
        )
        left = availability.places_left(into, now)
        if left < len(confirmed):
            raise GroupFull(places_left=left, wanted=len(confirmed))
        moves, done = [], set()
        for enrollment in confirmed:
            if enrollment.pk in done:
                continue
            made = places.move_places(enrollment, into, by=by, reason=reason, now=now, merged=True)
            done.update(move.enrollment_id for move in made)
            moves.extend(made)
        TrainingGroup.objects.filter(pk=group.pk).update(merged_into=into)
        cancel_group(group, by=by, reason=reason, cause=CancelCause.MERGED, now=now)
        log(group, "booking.group.merge", user=by, data={"into": into.pk, "moved": len(moves)})
        log_access(
            by,
            [move.enrollment.participant_id for move in moves],
            Action.MOVE,
            group_where(group, f"samengevoegd met groep {into.pk}"),
        )
    group.refresh_from_db()
    return moves
