"""Anonymising rows as their registry entry says: the row stays, its personal data goes."""

from . import registry
from .people import rows_of

BATCH = 500


def anonymise_rows(entry, rows, *, now, kept=False):
    """Apply `entry`'s anonymisers to `rows` (a queryset); returns how many rows changed.

    `kept`: apply the kept fields instead (bookkeeping, at the end of their
    own period). Otherwise the regular fields, and the entry's marker (the
    participant's ``anonymised_at``) is set to `now`. Saved with
    ``bulk_update``: no save() hooks run and no row is deleted.
    """
    fields = entry.kept.fields if kept else entry.fields
    if not fields:
        return 0
    names = list(fields)
    marker = None
    if not kept:
        marker = entry.anchor.marker if entry.anchor else (entry.clock.marker or None)
    changed = []
    for row in rows.only("pk", *names).order_by("pk"):
        for name, anonymiser in fields.items():
            setattr(row, name, anonymiser(getattr(row, name), row))
        if marker:
            setattr(row, marker, now)
        changed.append(row)
    if changed:
        entry.model._default_manager.bulk_update(changed, names + ([marker] if marker else []), batch_size=BATCH)
    return len(changed)


def anonymise_person(person, *, now, clocks=None, kinds=None):
    """Anonymise every registered model's rows of `person`; returns {model label: rows changed}.

    `clocks`: only entries with these clock kinds (the retention run passes
    WITH_PERSON; erasure passes nothing: everything, now). Kept fields are
    left alone either way. `kinds`: which ties count (the retention run
    follows participants only).
    """
    counts = {}
    for entry in registry.entries():
        if clocks is not None and entry.clock.kind not in clocks:
            continue
        if not entry.fields:
            continue
        rows = rows_of(entry, person) if kinds is None else rows_of(entry, person, kinds)
        changed = anonymise_rows(entry, rows, now=now)
        if changed:
            counts[entry.label] = changed
    return counts
