"""Who looked at which participant's data: one record per participant, per look (NEN 7513).

Every staff screen that shows participant data (a list, a detail page, an
export, a printed list, the attendance form, a payment's action pages, the
access log itself) calls `log_access`. The record holds who, when, which
participant (a reference to the row, not a copy of it) and what they did;
`where` names the screen or group in words that carry no personal data,
such as "groep 12: deelnemerslijst".

The log is append-only and chained: each row's `chain` is an HMAC (keyed
with ``GROEPSWIJZER_ACCESS_LOG_KEY``, else the secret key) over the row and
the chain of the row before it. Rows are written one writer at a time (a
PostgreSQL advisory lock; SQLite's immediate transactions queue writers
anyway), so the chain follows the row ids. ``verify`` recomputes it. The
only rows ever removed are those older than ``GROEPSWIJZER_ACCESS_LOG_YEARS``
(at least 5), by ``purge_expired`` in the periodic run, which writes down
what it removed.
"""

import datetime
import json
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from ..models import AccessLogEntry, AccessLogPurge

Action = AccessLogEntry.Action
WHERE_MAX = AccessLogEntry._meta.get_field("where").max_length
CHAIN_SALT = "groepswijzer.access-log.chain.v1"
# pg_advisory_xact_lock key: "gwal" as a number. Held until the transaction that writes rows ends.
CHAIN_LOCK = 0x6777616C
MINIMUM_YEARS = 5
PURGE_BATCH = 1000
PURGE_BATCHES_PER_RUN = 10


def _participant_ids(participants):
    """Ids of Participants, given as objects or as ids (a values_list queryset is fine); each once, in order."""
    seen = {}
    for participant in participants:
        pk = participant.pk if isinstance(participant, Model) else participant
        if pk is not None:
            seen.setdefault(pk, None)
    return list(seen)


def _key():
    return getattr(settings, "GROEPSWIJZER_ACCESS_LOG_KEY", "") or settings.SECRET_KEY


def chain_value(previous, *, user_id, at, participant_id, action, where):
    """The chain value of one row: an HMAC over its contents and the chain value of the row before it."""
    moment = at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    message = json.dumps([previous, user_id, moment, participant_id, str(action), where], ensure_ascii=False)
    return salted_hmac(CHAIN_SALT, message, secret=_key(), algorithm="sha256").hexdigest()


def _take_chain_lock():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])


def log_access(user, participants, action, where):
    """Record that `user` did `action` (an AccessLogEntry.Action) with each of `participants`.

    One row per participant, written in one insert after the chain lock,
    each chained to the row before it. `where` says on which screen or for
    which group, never whose data: names, email addresses and search terms
    stay out of it. Returns the number of rows written; a screen without
    participants writes nothing.
    """
    if user is None or not user.is_authenticated:
        raise ValueError("Only a logged-in member of staff can be recorded as looking at participant data.")
    action = Action(action)
    where = str(where)[:WHERE_MAX]
    ids = _participant_ids(participants)
    if not ids:
        return 0
    with transaction.atomic():
        _take_chain_lock()
        previous = AccessLogEntry.objects.order_by("-pk").values_list("chain", flat=True).first() or ""
        at = timezone.now()  # under the lock, so moments rise with the row ids
        rows = []
        for pk in ids:
            row = AccessLogEntry(user_id=user.pk, participant_id=pk, action=action, where=where, at=at)
            row.chain = previous = chain_value(
                previous, user_id=user.pk, at=at, participant_id=pk, action=action, where=where
            )
            rows.append(row)
        AccessLogEntry.objects.bulk_create(rows)
    return len(ids)


def log_export(user, where, rows):
    """Record one export of a listing as one row: who, when, `where` (the listing and its filter) and `rows`.

    An export of a thousand or a million enrollments is one act with one
    filter, so it is one row, written before the first byte goes out, and not
    a row per participant (which would write a million rows first). The
    filter in `where` says whom it covered, in words without personal data
    (never a search term). Returns 1.
    """
    suffix = f", {rows} {'rij' if rows == 1 else 'rijen'}"
    return log_screen(user, Action.EXPORT, f"{str(where)[: WHERE_MAX - len(suffix)]}{suffix}")


def log_screen(user, action, where):
    """Record one act on a screen whose people are not participants (professionals at a training day): one row.

    The row names no participant; `where` says which screen and which day,
    without personal data. Returns 1.
    """
    if user is None or not user.is_authenticated:
        raise ValueError("Only a logged-in member of staff can be recorded as looking at personal data.")
    action = Action(action)
    where = str(where)[:WHERE_MAX]
    with transaction.atomic():
        _take_chain_lock()
        previous = AccessLogEntry.objects.order_by("-pk").values_list("chain", flat=True).first() or ""
        at = timezone.now()
        chain = chain_value(previous, user_id=user.pk, at=at, participant_id=None, action=action, where=where)
        AccessLogEntry.objects.bulk_create(
            [AccessLogEntry(user_id=user.pk, participant_id=None, action=action, where=where, at=at, chain=chain)]
        )
    return 1


def group_where(group, screen):
    """The `where` for a screen about one group: its number, never its participants."""
    return f"groep {group.pk}: {screen}"


# --- keeping the log honest ----------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    checked: int
    broken_at: int | None  # the id of the first row whose chain does not match
    head: str  # the chain value of the newest row: write it down elsewhere to notice a cut-off end

    @property
    def ok(self):
        return self.broken_at is None


def verify(chunk_size=2000):
    """Recompute the chain from the oldest remaining row; the first row that does not match shows tampering.

    A changed row breaks its own value; a removed or inserted row breaks the
    next one. The chain starts from the last purge's `last_chain` (or from
    nothing, when nothing was ever purged).
    """
    purge = AccessLogPurge.objects.order_by("-up_to_id").first()
    previous = purge.last_chain if purge else ""
    rows = (
        AccessLogEntry.objects.order_by("pk")
        .values_list("pk", "user_id", "at", "participant_id", "action", "where", "chain")
        .iterator(chunk_size=chunk_size)
    )
    checked = 0
    for pk, user_id, at, participant_id, action, where, chain in rows:
        expected = chain_value(
            previous, user_id=user_id, at=at, participant_id=participant_id, action=action, where=where
        )
        if not constant_time_compare(expected, chain):
            return Verification(checked=checked, broken_at=pk, head=previous)
        previous = chain
        checked += 1
    return Verification(checked=checked, broken_at=None, head=previous)


def retention_years():
    """How long the log is kept: ``GROEPSWIJZER_ACCESS_LOG_YEARS``, never less than NEN 7513's five years."""
    return max(int(getattr(settings, "GROEPSWIJZER_ACCESS_LOG_YEARS", MINIMUM_YEARS)), MINIMUM_YEARS)


def purge_cutoff(now):
    try:
        return now.replace(year=now.year - retention_years())
    except ValueError:  # 29 February
        return now.replace(year=now.year - retention_years(), day=28)


def purge_expired(now=None, *, batch=PURGE_BATCH, batches=PURGE_BATCHES_PER_RUN):
    """Remove access log rows older than the retention period, oldest first; returns how many. The one deletion.

    Reads the oldest rows by id (the primary key index, `batch` at a time)
    and removes them up to the first one that is still young enough, so what
    remains is always an unbroken chain. Each batch is written down in
    AccessLogPurge, with the chain value to verify the rest from.
    """
    now = now or timezone.now()
    cutoff = purge_cutoff(now)
    removed = 0
    for _number in range(batches):
        with transaction.atomic():
            _take_chain_lock()
            oldest = list(AccessLogEntry.objects.order_by("pk").values_list("pk", "at", "chain")[:batch])
            due = []
            for row in oldest:
                if row[1] >= cutoff:
                    break
                due.append(row)
            if not due:
                break
            # The queryset refuses deletes; this is the one place that may.
            models.QuerySet(AccessLogEntry).filter(pk__in=[pk for pk, _at, _chain in due]).delete()
            AccessLogPurge.objects.create(
                at=now, before=cutoff, removed=len(due), up_to_id=due[-1][0], last_chain=due[-1][2]
            )
        removed += len(due)
        if len(due) < batch:
            break
    return removed
