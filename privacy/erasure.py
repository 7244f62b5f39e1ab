"""Erasure on request: the same anonymisation as retention, for one person, now.

Requested by the participant (from their personal page, confirmed through a
link emailed to them) or carried out by a coordinator with a reason. What
the apps registered with ``registry.blocks_erasure`` can make it wait: open
payments or refunds, a place that is still going on. Fields kept for a
legal duty (bookkeeping) stay until their own period ends.
"""

from django.db import transaction
from django.utils import timezone

from . import registry
from .anonymise import anonymise_person
from .models import ErasureRecord


class ErasureBlocked(Exception):
    """Erasure has to wait; `messages` say why, in Dutch, for the person or the coordinator."""

    def __init__(self, messages):
        super().__init__("; ".join(str(message) for message in messages))
        self.messages = list(messages)


def erasure_blockers(person):
    """Every reason erasure of `person` has to wait now (empty when it can go ahead)."""
    found = []
    for check in registry.REGISTRY.blockers:
        found.extend(check(person))
    return found


def erase(person, *, reason, source, by=None, now=None):
    """Anonymise everything of `person` in every registered model, now; returns the ErasureRecord.

    Refused with ErasureBlocked while a registered blocker objects; then
    nothing changes. The record says who (`by`, None when the participant
    asked), when, why, where the request came from and which participant and
    account rows were anonymised. The caller writes the access log.
    """
    if not person:
        raise ValueError("Nobody to erase: no participant or account has this address.")
    if not (reason or "").strip():
        raise ValueError("An erasure needs a reason.")
    now = now or timezone.now()
    with transaction.atomic():
        blockers = erasure_blockers(person)
        if blockers:
            raise ErasureBlocked(blockers)
        rows = anonymise_person(person, now=now)
        return ErasureRecord.objects.create(
            at=now,
            source=source,
            by=by,
            reason=reason.strip()[:300],
            participant_ids=sorted(person.participant_ids),
            account_ids=sorted(person.account_ids),
            rows=rows,
        )
