"""Finding a group and finishing a sign-up.

Which groups a course page lists, whether someone can sign up for a group
right now (and if not, why not and what else there is), holding the places
for one sign-up, and its last step: confirming the places and queueing the
confirmation emails in one transaction.
"""

import contextlib

from django.db import transaction
from django.utils import timezone

from booking.models import Enrollment
from booking.services import hold_limits, places
from booking.services.errors import EnrollmentNotActive


def hold_for_signup(group, participants, *, consent_text_version, party, replacing=None, client="", now=None):
    """Hold places for one sign-up (see `places.hold_places`); returns the held enrollments.

    `replacing` is the party UUID of this sign-up's earlier hold, made before
    the person went back and changed their data. It is cancelled in the same
    transaction as the new hold is made, so the freed place cannot go to
    anyone else (or to the waiting list) in between; and when the new hold is
    refused, the earlier one stays as it was. `party` is chosen by the sign-up
    beforehand, so a form sent twice (a double click) can recognise the hold
    the first one made: see `own_live_hold`. `client` is the requester's
    rate-limit key: one client and one email address may hold only so many
    places at once (`hold_limits`, TooManyHolds).
    """
    now = now or timezone.now()
    with transaction.atomic():
        if replacing:
            # Already cancelled or gone: then there is nothing to give way.
            with contextlib.suppress(EnrollmentNotActive, Enrollment.DoesNotExist):
                places.cancel_enrollment(replacing, now=now)
        emails = [person.get("email", "") for person in participants]
        hold_limits.check(group, emails, client=client, now=now)
        held = places.hold_places(group, participants, consent_text_version=consent_text_version, now=now, party=party)
    hold_limits.remember(client, party)
    return held


def own_live_hold(group, party, now=None):
    """The live held enrollments of this sign-up (its party) in the group, or [] when it has none."""
    now = now or timezone.now()
    held = list(Enrollment.objects.filter(group=group, party=party).order_by("pk"))
    return held if held and all(enrollment.is_live_hold(now) for enrollment in held) else []
