"""Retention: personal data goes when its period has run out. Steps of the periodic run.

Two kinds of clock (see ``registry.Clock``):

* A participant's data goes ``GROEPSWIJZER_RETENTION_MONTHS`` (24) after
  their last involvement ended: their group ended, they left the waiting
  list, their money was settled. The registered ``keeps_person`` conditions
  say what still involves someone. Everything tied to the participant
  (``WITH_PERSON``) goes with them, in one transaction per batch.
* Rows with a clock of their own (``AFTER``, and the ``kept`` bookkeeping
  fields) go when their own date is older than their period.

Each step reads only rows that are due, through an index: the participant's
``(created_at) WHERE anonymised_at IS NULL``, and for clocks of their own
the date field with the entry's `pending` condition. It works in batches of
``GROEPSWIJZER_RETENTION_BATCH`` rows, each in its own transaction, and
starts no new batch once ``GROEPSWIJZER_RETENTION_RUN_MS`` have passed (or
after ten batches), so one run stays short however large a backlog is (years
of data imported at once); the next run goes on where this one stopped. A
period that ran out is never waited for longer than that backlog takes, and
nobody is anonymised before their period ran out.
"""

import time

from django.conf import settings
from django.db import transaction

from . import registry
from .anonymise import anonymise_person, anonymise_rows
from .people import Person

DEFAULT_BATCH = 200
BATCHES_PER_RUN = 10
DEFAULT_RUN_MS = 300
# What the step reports as still due is counted up to this many (a count of a large backlog would be a scan).
COUNTED_LEFT = 1000


def batch_size():
    return int(getattr(settings, "GROEPSWIJZER_RETENTION_BATCH", DEFAULT_BATCH))


def run_budget_seconds():
    """How long one run's retention step may keep starting batches (`GROEPSWIJZER_RETENTION_RUN_MS`)."""
    return int(getattr(settings, "GROEPSWIJZER_RETENTION_RUN_MS", DEFAULT_RUN_MS)) / 1000


class Budget:
    """The time a step may spend: no new batch starts once it ran out (the batch under way finishes)."""

    def __init__(self, seconds=None):
        self.ends = time.perf_counter() + (run_budget_seconds() if seconds is None else seconds)

    def left(self):
        return time.perf_counter() < self.ends


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


def participants_step(now):
    """The periodic run's step: anonymise within the run's time budget; {anonymised, still due (counted to 1000)}.

    What is still due is only counted when this run stopped with a full
    batch (a backlog); otherwise it is 0 without a query.
    """
    progress = {}
    done = anonymise_due_participants(now, budget=Budget(), progress=progress)
    left = 0
    if progress["more"]:
        left = people_due(retention_cutoff(now))[:COUNTED_LEFT].count()
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
