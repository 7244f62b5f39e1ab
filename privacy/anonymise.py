"""Anonymising rows as their registry entry says: the row stays, its personal data goes."""

from . import registry
from .people import rows_of

BATCH = 500


def anonymise_rows(entry, rows, *, now, kept=False):
    """Apply `entry`'s anonymisers to `rows` (a queryset); returns how many rows changed.

    `kept`: apply the kept fields instead (bookkeeping, at the end of their
    own period). Otherwise the regular fields, and the entry's marker (the
    participant's ``anonymised_at``) is set to `now`. Fields whose new value
    SQL can make (a constant, the placeholder address, the band of five
    years) are set in one UPDATE of all the rows; only the others (the PC4
    area of a postcode, an unusable password) are read and saved with
    ``bulk_update``. No save() hooks run and no row is deleted.
    """
    fields = entry.kept.fields if kept else entry.fields
    if not fields:
        return 0
    model = entry.model
    marker = None
    if not kept:
        marker = entry.anchor.marker if entry.anchor else (entry.clock.marker or None)
    in_sql = {name: anonymiser.in_sql(model, name) for name, anonymiser in fields.items()}
    updates = {name: value for name, value in in_sql.items() if value is not None}
    if marker:
        updates[marker] = now
    in_python = {name: fields[name] for name, value in in_sql.items() if value is None}
    if not in_python:
        return rows.update(**updates)
    # Read the rows once (by id from then on: the UPDATE must not change which rows its condition picks).
    changed = list(rows.only("pk", *in_python).order_by("pk"))
    for row in changed:
        for name, anonymiser in in_python.items():
            setattr(row, name, anonymiser(getattr(row, name), row))
    if changed:
        model._default_manager.bulk_update(changed, list(in_python), batch_size=BATCH)
        if updates:
            model._default_manager.filter(pk__in=[row.pk for row in changed]).update(**updates)
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
