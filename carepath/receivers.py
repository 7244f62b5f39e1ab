"""Ties a referral to the place or waiting-list entry made by the patient who came in with it.

The referral's page puts its id in the visitor's session (``SESSION_KEY``);
booking's journeys send ``places_held`` and ``waitlist_joined`` when a
sign-up or a waiting-list entry is made, and ``offer_accepted`` when someone
takes a place offered from the list (then the referral tied to their entry is
tied to the place too). Connected in ``CarepathConfig.ready``.
"""

from django.dispatch import receiver

from booking.services.signals import offer_accepted, places_held, waitlist_joined

from .models import Referral
from .services import referrals

SESSION_KEY = "carepath_referral"


def referral_in_session(request):
    """The referral this visitor came in with, while it is still valid, or None."""
    referral_id = request.session.get(SESSION_KEY)
    if not isinstance(referral_id, int):
        return None
    referral = (
        Referral.objects.select_related("course", "referrer", "practice", "preferred_location")
        .filter(pk=referral_id)
        .first()
    )
    if referral is None or referrals.is_expired(referral):
        request.session.pop(SESSION_KEY, None)
        return None
    return referral


def remember(request, referral):
    request.session[SESSION_KEY] = referral.pk


@receiver(places_held, dispatch_uid="carepath.link_enrollment")
def link_enrollment(sender, request, enrollments, **kwargs):
    referral = referral_in_session(request)
    if referral is not None and enrollments:
        referrals.link_enrollment(referral, enrollments[0])


@receiver(waitlist_joined, dispatch_uid="carepath.link_waitlist_entry")
def link_waitlist_entry(sender, request, entry, **kwargs):
    referral = referral_in_session(request)
    if referral is not None:
        referrals.link_waitlist_entry(referral, entry)


@receiver(offer_accepted, dispatch_uid="carepath.link_accepted_offer")
def link_accepted_offer(sender, offer, **kwargs):
    referrals.link_placed_from_list(offer.entry_id, offer.enrollment)
