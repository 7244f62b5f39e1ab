"""Cancelling by the participant: the course's terms, who may cancel, and what follows.

A participant cancels through their personal link. Everyone whose place is
cancelled gets one email that says what the terms mean for them; the own
contribution is refunded within the terms (``booking.payments.refunds``) and
the freed place goes to the waiting list (``services.places``).
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from booking.clock import LOCAL_TZ, local_time
from booking.models import Enrollment, Session, TrainingGroup
from booking.payments import refunds
from booking.selfservice.personal import partner_of
from booking.services import places
from booking.services.errors import EnrollmentNotActive
from booking.services.notifications import queue_email


def standard_cancellation_text(days):
    """The terms used when a course has none of its own, built from its number of days."""
    if days == 0:
        return _(
            "Afmelden kost niets tot de eerste bijeenkomst begint. "
            "Meldt u zich later af? Dan krijgt u de eigen bijdrage niet terug."
        )
    return ngettext(
        "Afmelden kost niets tot %(days)s dag voor de eerste bijeenkomst. "
        "Meldt u zich later af? Dan krijgt u de eigen bijdrage niet terug.",
        "Afmelden kost niets tot %(days)s dagen voor de eerste bijeenkomst. "
        "Meldt u zich later af? Dan krijgt u de eigen bijdrage niet terug.",
        days,
    ) % {"days": days}


def cancellation_terms_text(course):
    """The course's own cancellation terms, or the standard text with its number of days."""
    return course.cancellation_terms.strip() or standard_cancellation_text(course.cancellation_days)


def cancellation_deadline(enrollment):
    """The last moment to cancel without cost: `cancellation_days` before the first session.

    Counted in days on the Dutch clock, at the time the first session starts
    (a group on Tuesday 19:00 with 7 days: the Tuesday before, 19:00). None
    while no session is planned: until then, cancelling is always free.
    """
    first = enrollment.group.first_start
    if first is None:
        return None
    start = local_time(first)
    day = start.date() - datetime.timedelta(days=enrollment.group.course.cancellation_days)
    return datetime.datetime.combine(day, start.time(), tzinfo=LOCAL_TZ)


def is_within_cancellation_terms(enrollment, now=None):
    """Whether cancelling at `now` costs nothing under the course's terms.

    A place that was never confirmed (only held) can always be given up for
    free; a confirmed place until `cancellation_deadline`.
    """
    now = now or timezone.now()
    if enrollment.confirmed_at is None and enrollment.status != Enrollment.Status.CONFIRMED:
        return True
    deadline = cancellation_deadline(enrollment)
    return deadline is None or now < deadline


@dataclass(frozen=True)
class CancellationTerms:
    """The terms of one enrollment, applied to one moment."""

    text: str
    deadline: datetime.datetime | None
    within: bool


def cancellation_terms(enrollment, now=None):
    """The course's terms for this enrollment, and whether cancelling at `now` falls within them."""
    now = now or timezone.now()
    return CancellationTerms(
        text=cancellation_terms_text(enrollment.group.course),
        deadline=cancellation_deadline(enrollment),
        within=is_within_cancellation_terms(enrollment, now),
    )


def cancel_refusal(enrollment, now=None):
    """Why this participant cannot cancel this enrollment themselves at `now` (a Dutch text), or None."""
    now = now or timezone.now()
    state = enrollment.state_at(now)
    if enrollment.group.status == TrainingGroup.Status.CANCELLED:
        return _("Deze groep gaat niet door. U hoeft zich niet af te melden.")
    if state == Enrollment.Status.CANCELLED:
        return _("U bent al afgemeld voor deze groep.")
    if state == Enrollment.Status.EXPIRED:
        return _("Uw reservering is verlopen. U hoeft zich niet af te melden.")
    if state == Enrollment.Status.COMPLETED:
        return _("U heeft deze training afgerond. Afmelden kan niet meer.")
    last_end = (
        Session.objects.filter(group=enrollment.group, status=Session.Status.SCHEDULED)
        .order_by("-end")
        .values_list("end", flat=True)
        .first()
    )
    if last_end is not None and last_end <= now:
        return _("De laatste bijeenkomst van deze groep is voorbij. Afmelden kan niet meer.")
    return None


def cancel_by_participant(enrollment, *, with_partner=False, now=None):
    """The participant cancels through their personal link. Returns (cancelled enrollments, terms).

    One person cancels their own place; a partner of a couple keeps theirs
    unless `with_partner` is chosen, then both places go. Everyone whose
    place is cancelled gets one cancellation email that says what the terms
    mean for them. The freed places go to the waiting list
    (``services.cancel_enrollment`` sees to that).
    Refused with EnrollmentNotActive when cancelling is not possible (see
    `cancel_refusal`), and then nothing changes.
    """
    now = now or timezone.now()
    refusal = cancel_refusal(enrollment, now)
    if refusal:
        raise EnrollmentNotActive(refusal)
    terms = cancellation_terms(enrollment, now)
    cancelled = cancel_places(enrollment, with_partner=with_partner, refund=terms.within, now=now)
    return cancelled, terms


def cancel_places(enrollment, *, with_partner=False, refund, by_office=False, now=None):
    """Cancel a place (and the partner's when `with_partner`), tell each person, and settle the money.

    The one way a place is cancelled for a person, by the participant
    (`cancel_by_participant`, the terms decide `refund`) or by the office
    (which may decide otherwise, ``booking.staff.office``). Everyone whose
    place this cancels gets one cancellation email; with `refund` each
    cancelled place gets its share of a paid contribution back and an open
    one is lowered, without it the contribution stays
    (``booking.payments.refunds``). The freed places go to the waiting list.
    Returns the enrollments this call cancelled.
    """
    now = now or timezone.now()
    target = enrollment.party if with_partner and partner_of(enrollment, now) else enrollment
    with transaction.atomic():
        result = places.cancel_enrollment(target, now=now)
        # Only the places this call cancelled: an earlier cancellation has another moment.
        cancelled = [e for e in result if e.status == Enrollment.Status.CANCELLED and e.cancelled_at == now]
        for cancelled_one in cancelled:
            queue_email(
                "cancellation",
                f"cancellation:enrollment:{cancelled_one.pk}",
                participant=cancelled_one.participant,
                enrollment_id=cancelled_one.pk,
                within_terms=refund,
                by_partner=cancelled_one.pk != enrollment.pk,
                by_office=by_office,
            )
        refunds.refund_for_cancellation(cancelled, within_terms=refund, now=now)
    enrollment.refresh_from_db()
    return cancelled
