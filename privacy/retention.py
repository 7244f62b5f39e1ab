"""Retention: personal data goes when its period has run out. Steps of the periodic run.

Two kinds of clock (see ``registry.Clock``):

* A participant's data goes ``GROEPSWIJZER_RETENTION_MONTHS`` (24) after
  their last involvement ended: their group ended, they left the waiting
  list, their money was settled. The registered ``keeps_person`` conditions
  say what still involves someone. Everything tied to the participant
  (``WITH_PERSON``) goes with them, in one transaction per batch.
* Rows with a clock of their own (``AFTER``, and the ``kept`` bookkeeping
  fields) go when their own date is older than their period.

Each step reads only rows that may be due, through an index: the
participant's ``(created_at) WHERE anonymised_at IS NULL``, and for clocks
of their own the date field with the entry's `pending` condition. For
participants the run looks at the next ``GROEPSWIJZER_RETENTION_SCAN``
(2,000) of them in that index, from where the last run stopped
(``RetentionScan``), so people kept for longer (a place that goes on, money
not settled) are not read again by every run. It works in batches of
``GROEPSWIJZER_RETENTION_BATCH`` rows, each in its own transaction, and
starts no new batch once ``GROEPSWIJZER_RETENTION_RUN_MS`` have passed, or
the periodic run as a whole had its time (``privacy.budget``), or after ten
batches, so one run stays short however large a backlog is (years of data
imported at once); the next run goes on where this one stopped. A period
that ran out is never waited for longer than one walk over the people not
anonymised yet and that backlog take, and nobody is anonymised
before their period ran out.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from . import budget, registry
from .anonymise import anonymise_person, anonymise_rows
from .models import RetentionScan
from .people import Person

DEFAULT_BATCH = 100
BATCHES_PER_RUN = 10
DEFAULT_RUN_MS = 300
# People not anonymised yet that one run looks at (GROEPSWIJZER_RETENTION_SCAN), in the index's order.
DEFAULT_SCAN = 2000
PARTICIPANTS_SCAN = "participants"
# What the step reports as still due is counted up to this many (a count of a large backlog would be a scan).
COUNTED_LEFT = 100


def batch_size():
    return int(getattr(settings, "GROEPSWIJZER_RETENTION_BATCH", DEFAULT_BATCH))


def run_budget_seconds():
    """How long one run's retention step may keep starting batches (`GROEPSWIJZER_RETENTION_RUN_MS`)."""
    return int(getattr(settings, "GROEPSWIJZER_RETENTION_RUN_MS", DEFAULT_RUN_MS)) / 1000


class Budget(budget.Budget):
    """The retention steps' time (`GROEPSWIJZER_RETENTION_RUN_MS`), within the run's (see ``privacy.budget``)."""

    def __init__(self, seconds=None):
        super().__init__(run_budget_seconds() if seconds is None else seconds)


def retention_cutoff(now):
    """Involvement that ended before this moment has been kept long enough."""
    return registry.months_before(now, registry.retention_months())


def people_due(cutoff):
    """Participants not anonymised yet, whose every involvement ended before `cutoff`, oldest first.

    In the order of the partial index, so the database reads it from its
    start and stops at the batch size, never at the whole table.
    """
    anchor = registry.anchor_entry()
    due = anchor.model._default_manager.filter(
        **{f"{anchor.anchor.marker}__isnull": True, f"{anchor.anchor.since}__lt": cutoff}
    )
    for condition in registry.REGISTRY.keepers:
        due = due.exclude(condition(cutoff))
    return due.order_by(anchor.anchor.since, "pk")


def anonymise_participants(participant_ids, *, now):
    """Anonymise these participants and everything tied to them that goes with them; {label: rows}."""
    return anonymise_person(
        Person.participants(participant_ids), now=now, clocks=(registry.WITH_PERSON,), kinds=(registry.PARTICIPANT,)
    )


def anonymise_due_participants(now, *, batch=None, batches=BATCHES_PER_RUN, budget=None, progress=None):
    """The periodic step: anonymise participants whose retention period ran out. Returns how many.

    At most `batches` batches of `batch` participants per run, each in its
    own transaction, which also selects them: a run that overlaps another
    finds the rows already marked and leaves them. With a `budget` (a
    `Budget`), no batch after the first starts once its time is up (so every
    run makes progress, however small the budget). `progress` (a dict), when
    given, gets ``more``: whether a full batch was the last one done, so
    that more may be due.
    """
    batch = batch or batch_size()
    cutoff = retention_cutoff(now)
    done = 0
    more = False
    for number in range(batches):
        if number and budget is not None and not budget.left():
            break
        with transaction.atomic():
            ids = list(people_due(cutoff).values_list("pk", flat=True)[:batch])
            if ids:
                anonymise_participants(ids, now=now)
        done += len(ids)
        more = len(ids) == batch
        if not more:
            break
    if progress is not None:
        progress["more"] = more
    return done


def scan_size():
    """How many people not anonymised yet one run looks at (`GROEPSWIJZER_RETENTION_SCAN`)."""
    return max(1, int(getattr(settings, "GROEPSWIJZER_RETENTION_SCAN", DEFAULT_SCAN)))


def _after(position):
    """On the anchor model: rows after `position` ((since, id), in the retention index's order); None: all."""
    if position is None:
        return Q()
    since = registry.anchor_entry().anchor.since
    # The first condition alone is what the index can start from; without it the database reads the index
    # from its first row up to `position` (the OR below is only a filter), more with every part of the walk.
    return Q(**{f"{since}__gte": position[0]}) & (
        Q(**{f"{since}__gt": position[0]}) | Q(**{since: position[0], "pk__gt": position[1]})
    )


def _up_to(position):
    since = registry.anchor_entry().anchor.since
    return Q(**{f"{since}__lte": position[0]}) & (
        Q(**{f"{since}__lt": position[0]}) | Q(**{since: position[0], "pk__lte": position[1]})
    )


def _part_end(cutoff, start, size):
    """Where the part of the walk that starts after `start` ends: ((since, id) of its last row, whether it is full).

    The part holds the next `size` people not anonymised yet, created before
    `cutoff`; (None, False) when there is nobody after `start`.
    """
    anchor = registry.anchor_entry()
    since = anchor.anchor.since
    rows = anchor.model._default_manager.filter(
        _after(start), **{f"{anchor.anchor.marker}__isnull": True, f"{since}__lt": cutoff}
    ).values_list(since, "pk")
    full = rows.order_by(since, "pk")[size - 1 : size]
    if full:
        return full[0], True
    return rows.order_by(f"-{since}", "-pk").first(), False


def participants_step(now):
    """The periodic run's step: anonymise whoever is due in the next part of the walk; {anonymised, still due}.

    Each run looks at the next `scan_size()` people not anonymised yet (in
    the retention index's order, from where the last run stopped, kept in
    ``RetentionScan``; after the last, from the start again), so a run reads
    at most that many rows however many people are kept for a while longer
    (a place that goes on, money not settled). Those due among them are
    anonymised in batches, in that order, within the run's time budget; the
    next run goes on after the last one done. Someone whose period ran out
    is found within one walk over everyone not anonymised yet. What is still
    due in the part is counted (up to 100) when the run stopped early.
    """
    cutoff = retention_cutoff(now)
    scan, _created = RetentionScan.objects.get_or_create(name=PARTICIPANTS_SCAN, defaults={"at": now})
    position = None if scan.since is None else (scan.since, scan.row)
    end, full = _part_end(cutoff, position, scan_size())
    since = registry.anchor_entry().anchor.since
    batch = batch_size()
    budget = Budget()
    done = left = 0
    finished = end is None
    for number in range(BATCHES_PER_RUN if end is not None else 0):
        if number and not budget.left():
            break
        with transaction.atomic():
            # Selected inside the transaction: a run that overlaps this one leaves what it did.
            due = people_due(cutoff).filter(_after(position), _up_to(end))
            rows = list(due.values_list(since, "pk")[:batch])
            if rows:
                anonymise_participants([pk for _since, pk in rows], now=now)
        done += len(rows)
        if len(rows) < batch:
            finished = True
            break
        position = rows[-1]
    if finished:
        position = end if full else None
    else:
        left = people_due(cutoff).filter(_after(position), _up_to(end))[:COUNTED_LEFT].count()
    RetentionScan.objects.filter(pk=scan.pk).update(
        since=None if position is None else position[0], row=None if position is None else position[1], at=now
    )
    return {"participants_anonymised": done, "participants_still_due": left}


def _due_rows(entry, clock, now, batch):
    cutoff = registry.months_before(now, clock.period_months())
    model = entry.model
    ids = list(
        model._default_manager.filter(clock.pending, **{f"{clock.field}__lt": cutoff})
        .order_by(clock.field, "pk")
        .values_list("pk", flat=True)[:batch]
    )
    return model._default_manager.filter(pk__in=ids)


def anonymise_by_own_clocks(now, *, batch=None, batches=BATCHES_PER_RUN, budget=None):
    """The periodic step for rows with a clock of their own, and bookkeeping kept for years; {label: rows}.

    With a `budget` (a `Budget`), no batch starts once its time is up and
    something was done; the next run goes on.
    """
    batch = batch or batch_size()
    counts = {}
    for entry in registry.entries():
        parts = []
        if entry.clock.kind == registry.AFTER and entry.fields:
            parts.append((entry.clock, False))
        if entry.kept is not None:
            parts.append((entry.kept.clock, True))
        for clock, kept in parts:
            for _number in range(batches):
                if counts and budget is not None and not budget.left():
                    return counts
                with transaction.atomic():
                    changed = anonymise_rows(entry, _due_rows(entry, clock, now, batch), now=now, kept=kept)
                if changed:
                    key = f"{entry.label}{' (bewaard)' if kept else ''}"
                    counts[key] = counts.get(key, 0) + changed
                if changed < batch:
                    break
    return counts
