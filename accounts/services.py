"""Rules for professional access. One place grants and withdraws the role."""

from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from booking.services.notifications import queue_email

from . import roles
from .models import ProfessionalProfile


def request_professional_access(user, *, organisation, role, practice):
    """Record a professional's request; access follows only after verification."""
    profile, _ = ProfessionalProfile.objects.update_or_create(
        user=user,
        defaults={
            "organisation": organisation,
            "role": role,
            "practice": practice,
            "status": ProfessionalProfile.Status.PENDING,
            "decided_at": None,
            "decided_by": None,
        },
    )
    return profile


@transaction.atomic
def decide_professional(profile, *, status, decided_by, note=""):
    """Verify or reject a professional, and tell them by email when the decision changed.

    Verification puts the user in the Professionals group; rejection (or
    withdrawing an earlier verification) takes them out again, so group
    membership always matches the profile's status. A changed decision
    (verified or rejected) sends one email through the outbox, after the
    commit; deciding the same again sends nothing.
    """
    group, _ = Group.objects.get_or_create(name=roles.PROFESSIONALS)
    before = ProfessionalProfile.objects.filter(pk=profile.pk).values_list("status", flat=True).first()
    profile.status = status
    profile.decided_at = timezone.now()
    profile.decided_by = decided_by
    profile.note = note
    profile.save(update_fields=["status", "decided_at", "decided_by", "note"])
    if status == ProfessionalProfile.Status.VERIFIED:
        profile.user.groups.add(group)
    else:
        profile.user.groups.remove(group)
    if status != before and status in (ProfessionalProfile.Status.VERIFIED, ProfessionalProfile.Status.REJECTED):
        queue_email(
            "professional_decision",
            f"professional_decision:profile:{profile.pk}:{status}:{profile.decided_at.timestamp()}",
            profile_id=profile.pk,
            status=status,
        )
    return profile


def reject_professional(profile, *, decided_by, note=""):
    return decide_professional(profile, status=ProfessionalProfile.Status.REJECTED, decided_by=decided_by, note=note)


def verify_professional(profile, *, decided_by, note=""):
    return decide_professional(profile, status=ProfessionalProfile.Status.VERIFIED, decided_by=decided_by, note=note)


def is_verified_professional(user):
    """A professional whose account the office verified (group membership follows `decide_professional`)."""
    return roles.has_role(user, roles.PROFESSIONALS)


def can_see_professional_content(user):
    """Verified professionals and staff may open professional documents."""
    return is_verified_professional(user) or roles.is_staff_member(user)


def has_mfa(user):
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
