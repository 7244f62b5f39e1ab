"""Referrals: making one, finding it by its code, tying it to the patient's place, and what the referrer may see.

Every rule about referrals lives here and is called by the professional's
pages, the patient's pages, the admin, the demo and the tests alike.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.services import is_verified_professional
from booking.models import Attendance, Enrollment, WaitlistEntry
from booking.services.notifications import queue_email

from ..models import Practice, Referral, normalise_code
from . import completion, consent


class Status:
    """Where a referral stands. Only CREATED and OPENED are shown without the patient's consent to share."""

    CREATED = "created"
    OPENED = "opened"
    SIGNED_UP = "signed_up"
    WAITING = "waiting"
    STARTED = "started"
    COMPLETED = "completed"
    STOPPED = "stopped"

    LABELS = {
        CREATED: _("aangemaakt"),
        OPENED: _("geopend"),
        SIGNED_UP: _("aangemeld"),
        WAITING: _("op de wachtlijst"),
        STARTED: _("gestart"),
        COMPLETED: _("afgerond"),
        STOPPED: _("gestopt"),
    }
    ORDER = [CREATED, OPENED, SIGNED_UP, WAITING, STARTED, COMPLETED, STOPPED]


def valid_days():
    return int(getattr(settings, "GROEPSWIJZER_REFERRAL_DAYS", 90))


def practices_of(user):
    return Practice.objects.filter(members=user) if user.is_authenticated else Practice.objects.none()


def visible_to(user):
    """The referrals a professional may see: their own, and those made in a practice they belong to."""
    if not is_verified_professional(user):
        return Referral.objects.none()
    return Referral.objects.filter(Q(referrer=user) | Q(practice__members=user)).distinct()


def may_see(user, referral):
    return visible_to(user).filter(pk=referral.pk).exists()


@transaction.atomic
def create_referral(
    *, referrer, course=None, practice=None, preferred_location=None, note="", delivery, patient_email="", now=None
):
    """Record a referral by a verified professional; with delivery by email, the invitation goes out after commit.

    The practice, when given, must be one the referrer belongs to: the
    practice's members share the overview. A new unguessable code is drawn
    for each referral; it works for `GROEPSWIJZER_REFERRAL_DAYS` days.
    """
    if not is_verified_professional(referrer):
        raise PermissionError("Only verified professionals refer.")
    if practice is not None and not practices_of(referrer).filter(pk=practice.pk).exists():
        raise PermissionError("Not a member of this practice.")
    now = now or timezone.now()
    referral = Referral.objects.create(
        referrer=referrer,
        practice=practice,
        course=course,
        preferred_location=preferred_location,
        note=note.strip(),
        delivery=delivery,
        patient_email=patient_email.strip().lower() if delivery == Referral.Delivery.EMAIL else "",
        created_at=now,
        expires_at=now + datetime.timedelta(days=valid_days()),
    )
    if referral.delivery == Referral.Delivery.EMAIL:
        queue_email("referral_invitation", f"referral_invitation:referral:{referral.pk}", referral_id=referral.pk)
    return referral


def find_by_code(typed):
    """The referral with this code (as typed: dashes, spaces and small letters are fine), or None."""
    code = normalise_code(typed)
    if not code:
        return None
    return (
        Referral.objects.select_related("course", "referrer", "practice", "preferred_location")
        .filter(code=code)
        .first()
    )


def is_expired(referral, now=None):
    return referral.expires_at <= (now or timezone.now())


def mark_opened(referral, now=None):
    """The patient opened the link or typed the code: recorded the first time only."""
    now = now or timezone.now()
    if referral.opened_at is None:
        Referral.objects.filter(pk=referral.pk, opened_at__isnull=True).update(opened_at=now)
        referral.opened_at = now
    return referral


def give_share_consent(referral, now=None):
    """The patient agrees to share their progress with the referrer; the text version is stored."""
    now = now or timezone.now()
    referral.share_consent_at = now
    referral.share_consent_version = consent.SHARE_VERSION
    referral.share_withdrawn_at = None
    referral.save(update_fields=["share_consent_at", "share_consent_version", "share_withdrawn_at"])
    return referral


def withdraw_share_consent(referral, now=None):
    """From now on the referrer sees "geopend" only. The earlier consent stays recorded, with when it ended."""
    if referral.share_consent_at is not None and referral.share_withdrawn_at is None:
        referral.share_withdrawn_at = now or timezone.now()
        referral.save(update_fields=["share_withdrawn_at"])
    return referral


def _is_free(referral):
    """A referral can take a (new) place when it has none that is still going on."""
    if referral.enrollment_id is None:
        return True
    return referral.enrollment.status not in (*Enrollment.ACTIVE, Enrollment.Status.COMPLETED)


@transaction.atomic
def link_enrollment(referral, enrollment):
    """Tie a referral to the place its patient just took; returns True when it was tied.

    Only a referral for this course (or for "let the patient choose") that
    has no place going on yet. When the patient shares their progress, they
    get an email once with the link to withdraw that consent.
    """
    referral = Referral.objects.select_for_update(of=("self",)).select_related("enrollment").get(pk=referral.pk)
    if referral.course_id not in (None, enrollment.group.course_id) or not _is_free(referral):
        return False
    referral.enrollment = enrollment
    referral.save(update_fields=["enrollment"])
    _tell_about_sharing(referral, enrollment.participant)
    return True


@transaction.atomic
def link_waitlist_entry(referral, entry):
    """Tie a referral to the waiting-list entry its patient just made (when it has no place or entry yet)."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.course_id not in (None, entry.course_id) or referral.enrollment_id or referral.waitlist_entry_id:
        return False
    referral.waitlist_entry = entry
    referral.save(update_fields=["waitlist_entry"])
    _tell_about_sharing(referral, entry.participant)
    return True


def link_placed_from_list(entry_id, enrollment):
    """Someone accepted a place offered from the waiting list: the referrals tied to their entry get the place too.

    Without it, the referrer would see "geopend" once the patient left the list for a group, and the
    figures would count the place as one without a referral.
    """
    for referral in Referral.objects.filter(waitlist_entry_id=entry_id, enrollment__isnull=True):
        link_enrollment(referral, enrollment)


def _tell_about_sharing(referral, participant):
    if referral.shares_progress:
        queue_email(
            "referral_sharing",
            f"referral_sharing:referral:{referral.pk}:participant:{participant.pk}",
            participant=participant,
            referral_id=referral.pk,
            participant_id=participant.pk,
        )


def with_attended():
    """Referrals annotated with `attended`: their place had at least one session the patient was present at."""
    present = Attendance.objects.filter(enrollment=OuterRef("enrollment"), status=Attendance.Status.PRESENT)
    return Referral.objects.annotate(attended=Exists(present))


def full_status(referral, now=None):
    """Where the referral really stands (for the office, and for the referrer only with consent).

    Uses `referral.attended` when the queryset came from `with_attended`.
    """
    now = now or timezone.now()
    enrollment = referral.enrollment
    if enrollment is not None:
        state = enrollment.state_at(now)
        attended = getattr(referral, "attended", None)
        if attended is None:
            attended = enrollment.attendance.filter(status=Attendance.Status.PRESENT).exists()
        if state == Enrollment.Status.EXPIRED:
            return Status.OPENED  # a hold that ran out: never signed up
        if state == Enrollment.Status.CANCELLED:
            return Status.STOPPED
        if not attended:
            return Status.STOPPED if state == Enrollment.Status.COMPLETED else Status.SIGNED_UP
        done = completion.progress(enrollment, now).completed
        if done is None:
            return Status.STARTED
        return Status.COMPLETED if done else Status.STOPPED
    entry = referral.waitlist_entry
    if entry is not None and entry.status == WaitlistEntry.Status.WAITING:
        return Status.WAITING
    if referral.opened_at is not None:
        return Status.OPENED
    return Status.CREATED


def status_for_referrer(referral, now=None):
    """What the referrer sees: the full status only while the patient shares it; else created or opened."""
    if referral.shares_progress:
        return full_status(referral, now)
    return Status.OPENED if referral.opened_at is not None else Status.CREATED


def funnel(referrals, now=None):
    """The figures of a set of referrals: referred, opened, signed up (or waiting), started, completed.

    Counts over every referral, also those whose patient never signed up or
    did not share: the figures hold no names, only numbers.
    """
    now = now or timezone.now()
    counts = dict.fromkeys(["referred", "opened", "signed_up", "started", "completed"], 0)
    rows = with_attended().filter(pk__in=referrals.values("pk")).select_related("enrollment", "waitlist_entry")
    for referral in rows:
        status = full_status(referral, now)
        counts["referred"] += 1
        if referral.opened_at is not None:
            counts["opened"] += 1
        if status in (Status.SIGNED_UP, Status.WAITING, Status.STARTED, Status.COMPLETED, Status.STOPPED):
            counts["signed_up"] += 1
        if status in (Status.STARTED, Status.COMPLETED, Status.STOPPED):
            counts["started"] += 1
        if status == Status.COMPLETED:
            counts["completed"] += 1
    return counts
