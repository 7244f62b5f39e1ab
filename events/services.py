"""Signing up for training days: places, the waiting list, cancelling, reminders and attendance.

Places are kept the way booking keeps them (``booking.services.places``):

* capacity is computed from bookings every time (``with_places_left``), never
  counted in a column;
* a first look without the lock refuses a closed day at once; then, inside
  ``transaction.atomic()``, the day's row is locked once
  (``booking.services.locks.lock_row``), and only after that are places
  counted again (a second statement, so PostgreSQL counts with a snapshot
  taken after the wait) and the decision made;
* a full day puts the professional in line; a place that comes free goes to
  the first in line under the same lock, with an email.

Who may sign up is the site's one rule for verified professionals
(``accounts.services.is_verified_professional``). Nothing is deleted.
"""

import datetime
import secrets

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.services import is_verified_professional
from booking.services.locks import lock_row
from booking.services.notifications import queue_email

from .models import TrainingDayBooking, TrainingDayPage, local_today

Status = TrainingDayBooking.Status
# Without 0/O and 1/I/L: a code read from paper is typed without doubt.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


class EventRefused(Exception):
    """Why a professional cannot sign up, cancel or be marked: `message` is for the person."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


NOT_VERIFIED = _(
    "Aanmelden voor scholing kan alleen met een goedgekeurd account voor professionals. "
    "Vraag toegang aan; het bureau controleert uw gegevens."
)
NOT_LOGGED_IN = _("Log in met uw account voor professionals om u aan te melden.")
STARTED = _("Deze bijeenkomst is al begonnen of voorbij. Aanmelden of afmelden kan niet meer.")
NOT_PUBLISHED = _("Deze bijeenkomst staat niet (meer) op de site.")


def refusal(event, user, now=None):
    """Why `user` cannot sign up for `event` now (an EventRefused), or None when they can."""
    now = now or timezone.now()
    if not user.is_authenticated:
        return EventRefused("login", NOT_LOGGED_IN)
    if not is_verified_professional(user):
        return EventRefused("not_verified", NOT_VERIFIED)
    if not event.live:
        return EventRefused("not_published", NOT_PUBLISHED)
    if event.has_started(now):
        return EventRefused("started", STARTED)
    return None


def _counted(event_id):
    return TrainingDayPage.objects.with_places_left().get(pk=event_id)


def position_in_line(booking):
    """1 for the first in line; None when the booking is not waiting."""
    if booking.status != Status.WAITING:
        return None
    ahead = TrainingDayBooking.objects.filter(event_id=booking.event_id, status=Status.WAITING).filter(
        created_at__lt=booking.created_at
    ) | TrainingDayBooking.objects.filter(
        event_id=booking.event_id, status=Status.WAITING, created_at=booking.created_at, pk__lt=booking.pk
    )
    return ahead.count() + 1


def book(event, user, *, now=None):
    """Give `user` a place at `event`, or a place in line when it is full. Returns the booking.

    Refused (EventRefused) for anyone who is not a verified professional, and
    once the day has started. Signing up again while a place or a place in
    line is kept returns that booking and changes nothing, so a form sent
    twice makes one booking.
    """
    now = now or timezone.now()
    refused = refusal(event, user, now)
    if refused is not None:
        raise refused
    with transaction.atomic():
        lock_row(TrainingDayPage, event.pk)
        counted = _counted(event.pk)
        if counted.has_started(now) or not counted.live:
            raise refusal(counted, user, now)
        existing = TrainingDayBooking.objects.filter(event=counted, user=user, status__in=TrainingDayBooking.ACTIVE)
        if (booking := existing.first()) is not None:
            return booking
        placed = counted.places_left > 0
        booking = TrainingDayBooking.objects.create(
            event=counted,
            user=user,
            status=Status.BOOKED if placed else Status.WAITING,
            created_at=now,
            placed_at=now if placed else None,
        )
        kind = "events_booked" if placed else "events_waiting"
        queue_email(kind, f"{kind}:{booking.pk}", booking_id=booking.pk)
    return booking


def cancel(booking, *, now=None):
    """The professional gives up their place or place in line; a freed place goes to the first in line.

    Possible until the day starts. Cancelling twice changes nothing the second time.
    """
    now = now or timezone.now()
    with transaction.atomic():
        lock_row(TrainingDayPage, booking.event_id)
        booking.refresh_from_db()
        if booking.status == Status.CANCELLED:
            return booking
        if booking.event.has_started(now):
            raise EventRefused("started", STARTED)
        had_place = booking.status == Status.BOOKED
        booking.status = Status.CANCELLED
        booking.cancelled_at = now
        booking.save(update_fields=["status", "cancelled_at"])
        queue_email("events_cancelled", f"events_cancelled:{booking.pk}", booking_id=booking.pk)
        if had_place:
            _give_free_places(booking.event_id, now)
    return booking


def _give_free_places(event_id, now):
    """Under the day's lock: each free place to the first in line (oldest first), with an email. Returns them."""
    counted = _counted(event_id)
    if counted.has_started(now) or counted.places_left <= 0:
        return []
    line = TrainingDayBooking.objects.filter(event_id=event_id, status=Status.WAITING).order_by("created_at", "pk")
    given = list(line[: counted.places_left])
    for booking in given:
        booking.status = Status.BOOKED
        booking.placed_at = now
        booking.save(update_fields=["status", "placed_at"])
        queue_email("events_place_given", f"events_place_given:{booking.pk}", booking_id=booking.pk)
    return given


def give_free_places(now=None):
    """For the periodic run: places that came free another way (an editor added places) go to those in line.

    Only days still ahead with someone waiting are looked at, and only those
    with a place left are locked. Returns how many places were given.
    """
    now = now or timezone.now()
    waiting = TrainingDayBooking.objects.filter(event=OuterRef("pk"), status=Status.WAITING)
    candidates = (
        TrainingDayPage.objects.filter(date__gte=local_today(now))
        .filter(Exists(waiting))
        .with_places_left()
        .filter(places_left__gt=0)
        .values_list("pk", flat=True)
    )
    given = 0
    for event_id in list(candidates):
        with transaction.atomic():
            lock_row(TrainingDayPage, event_id)
            given += len(_give_free_places(event_id, now))
    return given


def send_reminders(now=None):
    """The day before: one reminder per place, by email. Returns how many were queued.

    Looks only at bookings of tomorrow's days that were not reminded yet; the
    outbox key makes a second reminder impossible even when two runs overlap.
    """
    now = now or timezone.now()
    tomorrow = local_today(now) + datetime.timedelta(days=1)
    due = TrainingDayBooking.objects.filter(status=Status.BOOKED, reminded_at__isnull=True, event__date=tomorrow)
    sent = 0
    for booking_id, address in list(due.values_list("pk", "user__email")):
        with transaction.atomic():
            if not TrainingDayBooking.objects.filter(pk=booking_id, reminded_at__isnull=True).update(reminded_at=now):
                continue
            # Built when sent, not in the periodic run.
            queue_email("events_reminder", f"events_reminder:{booking_id}", to=address, booking_id=booking_id)
            sent += 1
    return sent


def _new_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def mark_attendance(event, present_ids, *, by, now=None):
    """The office marks who came: bookings in `present_ids` present, the other places absent.

    Only once the day has started. Someone marked present gets a certificate
    with a verification code of their own (kept when the mark is corrected
    and made again) and one email with it. Returns (present, absent) counts.
    """
    now = now or timezone.now()
    present_ids = {int(pk) for pk in present_ids}
    with transaction.atomic():
        lock_row(TrainingDayPage, event.pk)
        if not event.has_started(now):
            raise EventRefused("not_started", _("Aanwezigheid registreren kan pas als de bijeenkomst begonnen is."))
        places = list(TrainingDayBooking.objects.filter(event=event, status=Status.BOOKED).order_by("pk"))
        for booking in places:
            came = booking.pk in present_ids
            if booking.attended is came:
                continue
            booking.attended = came
            booking.attendance_marked_at = now
            booking.attendance_marked_by = by
            if came and not booking.certificate_code:
                booking.certificate_code = unused_certificate_code()
            booking.save(update_fields=["attended", "attendance_marked_at", "attendance_marked_by", "certificate_code"])
            if came:
                queue_email("events_certificate", f"events_certificate:{booking.pk}", booking_id=booking.pk)
    present = sum(1 for booking in places if booking.pk in present_ids)
    return present, len(places) - present


def unused_certificate_code():
    while True:
        code = _new_code()
        if not TrainingDayBooking.objects.filter(certificate_code=code).exists():
            return code


def find_certificate(code):
    """The booking whose certificate carries `code` (spaces, dashes and case ignored), or None."""
    cleaned = "".join(char for char in str(code).upper() if char.isalnum())
    if len(cleaned) != CODE_LENGTH:
        return None
    booking = TrainingDayBooking.objects.filter(certificate_code=cleaned).select_related("event", "user").first()
    return booking if booking is not None and booking.has_certificate else None


def format_code(code):
    """ABCDE-FGHJK: easier to read aloud and to type."""
    return f"{code[:5]}-{code[5:]}" if code else ""
