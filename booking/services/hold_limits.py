"""How many places one client, one email address and one client per group may hold at the same time.

A hold keeps a place from everyone else for `GROEPSWIJZER_HOLD_MINUTES`, so
someone who starts many sign-ups could make a group look full without signing
up at all. Three limits stop that without getting in the way of a couple (two
places in one sign-up) or a family that signs up one by one behind one
internet connection:

- per email address: `GROEPSWIJZER_HOLDS_PER_EMAIL` live holds in all groups
  together (counted in the database, so exact);
- per client (the address our proxies vouch for, see groepswijzer.clients):
  `GROEPSWIJZER_HOLDS_PER_CLIENT` held places in all groups together;
- per client in one group: a share of the group's places,
  `GROEPSWIJZER_HOLD_SHARE_PER_GROUP` (a fraction, at least two places).

The client limits remember which sign-ups (party UUIDs) a client made in the
cache, under a keyed hash of its address, for as long as a hold lasts; the
places still held are counted in the database. With the cache down the client
limits are off and the email limit still holds: a broken cache must not stop
sign-ups. The limits are a brake on abuse, not a rule about places: the count
of places itself is always decided under the group's lock (`places`).
"""

import math
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from booking.models import Enrollment

from .errors import BookingError
from .places import hold_duration

CACHE_PREFIX = "booking:holds:"


class TooManyHolds(BookingError):
    """The client or the email address already holds as many places as a sign-up may."""

    code = "too_many_holds"
    default_message = _(
        "Vanaf deze internetverbinding lopen al meerdere aanmeldingen die nog niet zijn afgerond. "
        "Rond die eerst af, of probeer het over een kwartier opnieuw. Lukt het niet? Bel ons, dan helpen we u."
    )

    def __init__(self, message=None, *, email=None):
        self.email = email
        super().__init__(message)


def _per_email():
    return int(getattr(settings, "GROEPSWIJZER_HOLDS_PER_EMAIL", 2))


def _per_client():
    return int(getattr(settings, "GROEPSWIJZER_HOLDS_PER_CLIENT", 6))


def group_share(group):
    """How many places of `group` one client may hold at once: a share of its places, at least two."""
    share = float(getattr(settings, "GROEPSWIJZER_HOLD_SHARE_PER_GROUP", 1 / 3))
    return max(2, math.ceil(group.capacity * share))


def _cache_key(client):
    return CACHE_PREFIX + salted_hmac("booking.hold_limits", client).hexdigest()[:32]


def _parties_of(client):
    if not client:
        return []
    parties = cache.get(_cache_key(client))
    return parties if isinstance(parties, list) else []


def _live_holds(now):
    return Enrollment.objects.filter(status=Enrollment.Status.HELD, hold_expires_at__gt=now)


def check(group, emails, *, client, now, wanted=None):
    """Refuse (TooManyHolds) a new hold of `wanted` places in `group` for these emails from this client.

    `client` is a rate-limit key of the requester (groepswijzer.clients.client_key),
    or "" for the office, which signs people up on their behalf and is not limited.
    """
    wanted = len(emails) if wanted is None else wanted
    limit = _per_email()
    emails = [email.strip() for email in emails if email and email.strip()]
    same_address = Q()
    for email in emails:
        same_address |= Q(participant__email__iexact=email)
    counts = {}
    held_by = _live_holds(now).filter(same_address).values_list("participant__email", flat=True) if emails else []
    for email in held_by:
        counts[email.lower()] = counts.get(email.lower(), 0) + 1
    for email in emails:
        if counts.get(email.lower(), 0) >= limit:
            raise TooManyHolds(
                _(
                    "Met het e-mailadres %(email)s loopt al een aanmelding die nog niet is afgerond. "
                    "Rond die eerst af, of wacht tot die reservering is verlopen (na %(minutes)d minuten)."
                )
                % {"email": email, "minutes": int(hold_duration().total_seconds() // 60)},
                email=email,
            )
    parties = _parties_of(client)
    if not parties:
        return
    held = list(_live_holds(now).filter(party__in=parties).values_list("group_id", flat=True))
    in_group = sum(1 for group_id in held if group_id == group.pk)
    if len(held) + wanted > _per_client() or in_group + wanted > group_share(group):
        raise TooManyHolds()


def remember(client, party):
    """Note that `client` made the sign-up `party`, for as long as its hold can last."""
    if not client:
        return
    key = _cache_key(client)
    parties = [*_parties_of(client)[-50:], str(uuid.UUID(str(party)))]
    cache.set(key, parties, int(hold_duration().total_seconds()) + 60)
