"""Row locks, the one way every change to places, waiting lists, plans and payments is serialised.

The lock order, for every transaction that takes more than one lock, so that
two transactions never wait for each other in a circle:

    course (its waiting list)  ->  location  ->  trainers (by id)  ->  group  ->  payment

A caller takes the locks it needs from left to right and never goes back.
A row that stands apart from that chain (a training day for professionals,
``events``) is locked with `lock_row` and never together with any of the above.
Two groups (a move, a merge) are locked together, the lower id first
(`lock_groups`).
Availability is read only after the lock that guards it: a count made
before the lock decides nothing in anyone's favour.

On PostgreSQL each lock is a ``SELECT ... FOR UPDATE`` on the row. On SQLite
the ``IMMEDIATE`` transaction mode (see the settings) already makes every
writer wait at ``BEGIN``, so the lock statements change nothing there and the
busy timeout lets writers queue. Every function here refuses to run outside
a transaction: a lock taken in autocommit mode would be released at once.
"""

import contextlib
import fcntl
import tempfile
from pathlib import Path
from typing import NamedTuple

from django.db import transaction

from groepswijzer.prepared import statement_cursor

from ..models import Enrollment, Location, Payment, TrainingGroup
from . import statements


def _require_transaction():
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Take booking locks inside transaction.atomic(); outside one they hold nothing.")


def course_model():
    """The course page model, as the groups know it (booking does not import the pages that show it)."""
    return TrainingGroup._meta.get_field("course").related_model


def trainer_model():
    return TrainingGroup._meta.get_field("trainers").related_model


def lock_course(course_id):
    """Lock the course's row, which stands for its waiting list: whoever changes the list holds it first."""
    _require_transaction()
    list(course_model().objects.select_for_update(of=("self",)).filter(pk=course_id).values_list("pk", flat=True))


def lock_group(group_id):
    """Lock one group's row and return it fresh (its places are counted only after this)."""
    _require_transaction()
    return TrainingGroup.objects.select_for_update(of=("self",)).get(pk=group_id)


def lock_group_row(group_id, *columns):
    """Lock one group's row and read only `columns` of it (a tuple; none: nothing), for a caller that counts after.

    The statement is written out: the sign-up takes this lock on every hold,
    confirmation and cancellation, and building it through the ORM costs
    more than running it. `columns` are column names of the group's table.
    """
    _require_transaction()
    connection = transaction.get_connection()
    lock = f" {connection.ops.for_update_sql()}" if connection.features.has_select_for_update else ""
    names = ", ".join(["id", *columns])
    with statement_cursor(connection) as cursor:
        cursor.execute(f"SELECT {names} FROM {TrainingGroup._meta.db_table} WHERE id = %s{lock}", [group_id])
        row = cursor.fetchone()
    if row is None:
        raise TrainingGroup.DoesNotExist(f"No group {group_id}.")
    return tuple(row[1:])


def lock_party_group_row(party, *columns):
    """Lock the group of a party's places (a sign-up's UUID) and read `columns` of it; returns (group id, *columns).

    One statement: the group is found by a subquery on the party's places, and locked. The places
    are read again after this (they may have moved meanwhile: then lock the group they are in now).
    Raises Enrollment.DoesNotExist when the party has no places.
    """
    _require_transaction()
    connection = transaction.get_connection()
    lock = f" {connection.ops.for_update_sql()}" if connection.features.has_select_for_update else ""
    names = ", ".join(["g.id", *(f"g.{column}" for column in columns)])
    party_value = Enrollment._meta.get_field("party").get_db_prep_value(party, connection)
    groups, enrollments = TrainingGroup._meta.db_table, Enrollment._meta.db_table
    with statement_cursor(connection) as cursor:
        cursor.execute(
            f"SELECT {names} FROM {groups} g "
            f"WHERE g.id = (SELECT e.group_id FROM {enrollments} e WHERE e.party = %s LIMIT 1){lock}",
            [party_value],
        )
        row = cursor.fetchone()
    if row is None:
        raise Enrollment.DoesNotExist(f"No enrollments for party {party}.")
    return tuple(row)


def lock_group_rows(group_ids):
    """Lock several groups' rows in one statement, the lower id first, and read nothing (count after this).

    For a sweep over many groups (expired holds): one round trip instead of
    one per group, in the same order as `lock_groups`.
    """
    _require_transaction()
    ids = sorted(set(group_ids))
    if not ids:
        return
    connection = transaction.get_connection()
    if not connection.features.has_select_for_update:
        return
    list(
        TrainingGroup.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def lock_row(model, pk):
    """Lock one row that stands on its own (a training day), and read nothing: count only after this.

    Used by apps built on booking for a place-keeping row of their own; such
    a transaction takes no other lock, so it cannot wait in a circle with
    the order above.
    """
    _require_transaction()
    list(model.objects.select_for_update(of=("self",)).filter(pk=pk).values_list("pk", flat=True))


def lock_groups(*group_ids):
    """Lock several groups, the lower id first, and return them fresh by id (a move between groups needs both)."""
    _require_transaction()
    return {group_id: lock_group(group_id) for group_id in sorted(set(group_ids))}


def lock_for_planning(group, trainer_ids=()):
    """Lock what a plan can clash on: the location, the trainers (the group's and `trainer_ids`), then the group."""
    _require_transaction()
    list(Location.objects.select_for_update().filter(pk=group.location_id).values_list("pk", flat=True))
    ids = set(trainer_ids) | set(group.trainers.values_list("pk", flat=True))
    trainers = trainer_model().objects.select_for_update().filter(pk__in=ids).order_by("pk")
    list(trainers.values_list("pk", flat=True))
    return lock_group(group.pk)


class LockedGroup(NamedTuple):
    """A group's row as its lock read it: what confirming places under that lock needs of it."""

    id: int
    status: str
    course_id: int


def lock_payment(payment_id, *, nowait=False):
    """Lock the payment's group, then the payment's row, and return the payment fresh.

    With `nowait` a payment locked by someone else raises at once (on
    PostgreSQL; SQLite serialises whole transactions instead), so the webhook
    can answer 503 and let Mollie try again. The group's row as the lock read
    it is on the payment as `locked_group` (a `LockedGroup`), for a caller that
    confirms the places under the same lock without locking the group again.
    """
    _require_transaction()
    group = _lock_group_of_payment(payment_id)
    locked = statements.get(Payment, payment_id, for_update=True, nowait=nowait)
    if locked.group_id != group.id:  # moved to another group while we waited
        group = LockedGroup(locked.group_id, *lock_group_row(locked.group_id, "status", "course_id"))
    locked.locked_group = group
    return locked


def _lock_group_of_payment(payment_id):
    """Lock the group of a payment in one statement (the payment's row is read, not locked); returns its row."""
    connection = transaction.get_connection()
    lock = f" {connection.ops.for_update_sql()}" if connection.features.has_select_for_update else ""
    groups, payments = TrainingGroup._meta.db_table, Payment._meta.db_table
    with statement_cursor(connection) as cursor:
        cursor.execute(
            f"SELECT g.id, g.status, g.course_id FROM {groups} g "
            f"WHERE g.id = (SELECT p.group_id FROM {payments} p WHERE p.id = %s){lock}",
            [payment_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise Payment.DoesNotExist(f"No payment {payment_id}.")
    return LockedGroup(*row)


# --- one process at a time -----------------------------------------------------------------------

# A fixed number for PostgreSQL's advisory locks: "gwpr" in ASCII, for the periodic run.
PERIODIC_RUN_KEY = 0x67777072


@contextlib.contextmanager
def only_one_at_a_time(key=PERIODIC_RUN_KEY):
    """Run a block in one process at a time, over every machine that shares the database. Yields True or False.

    False: another process holds the lock now, and the caller should skip its
    work instead of waiting (the periodic run: the next minute comes soon
    enough). On PostgreSQL a session advisory lock (``pg_try_advisory_lock``),
    held across the block's transactions and let go when the block ends or
    the connection drops, so a killed process never leaves it behind. On
    SQLite, whose database is a file on one machine, an exclusive ``flock``
    on a file beside the database, which the system lets go with the process.
    """
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            got_it = cursor.fetchone()[0]
        try:
            yield got_it
        finally:
            if got_it:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        return
    path = Path(f"{connection.settings_dict['NAME']}.lock-{key:x}")
    if not path.parent.is_dir():  # an in-memory database: no other process can share it
        path = Path(tempfile.gettempdir()) / f"groepswijzer-{key:x}.lock"
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
