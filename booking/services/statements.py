"""Written-out statements for the few writes and reads that run inside a group's lock on every sign-up.

A hold, a confirmation and a cancellation each take the group's lock; whatever runs while they
hold it makes every other sign-up for that group wait. The ORM builds and compiles its SQL anew
on every call, which for these small statements costs more than the database takes to run them.
Here each statement is built once per process from the models' own field definitions (so a new
field is written and read without changes here), and values go in and come out through the
fields, as the ORM does it: `get_db_prep_save` on the way in, the database's and the field's
converters on the way out (SQLite hands back text for moments, integers for booleans).

No signals are sent, as with ``bulk_create`` and ``QuerySet.update``; callers say what changed
themselves (``page_state.changed``).
"""

import contextlib
import functools

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from groepswijzer.prepared import statement_cursor

from ..models import Enrollment, Participant, Payment


def _db():
    """This thread's default connection itself. ``django.db.connection`` is a proxy that looks it up again on
    every use: for a statement's dozen values, columns and converters that cost more than the statement."""
    return connections[DEFAULT_DB_ALIAS]


def _quoted(name):
    return connection.ops.quote_name(name)


def _column(model, alias, name):
    return f"{alias}.{_quoted(model._meta.get_field(name).column)}"


@functools.cache
def _insert_sql(model, rows, conflict_column):
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(_quoted(field.column) for field in fields)
    values = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * rows)
    conflict = f" ON CONFLICT ({_quoted(conflict_column)}) DO NOTHING" if conflict_column else ""
    table, pk = _quoted(model._meta.db_table), _quoted(model._meta.pk.column)
    return fields, f"INSERT INTO {table} ({columns}) VALUES {values}{conflict} RETURNING {pk}"


def insert(objects, *, unless_taken=None):
    """Insert unsaved objects of one model in one statement, and give each its primary key. Returns them.

    `unless_taken`: the name of a unique field; a row whose value is taken already is left out
    (``ON CONFLICT … DO NOTHING``, which both databases know), and only one object can be passed:
    then the list returned is empty when it was left out.
    """
    connection = _db()
    objects = list(objects)
    if not objects:
        return []
    model = type(objects[0])
    if unless_taken and len(objects) != 1:
        raise ValueError("Leave out a taken value for one object at a time.")
    conflict = model._meta.get_field(unless_taken).column if unless_taken else None
    fields, sql = _insert_sql(model, len(objects), conflict)
    params = [field.get_db_prep_save(field.pre_save(obj, True), connection) for obj in objects for field in fields]
    with statement_cursor(connection) as cursor:
        cursor.execute(sql, params)
        keys = [row[0] for row in cursor.fetchall()]
    if len(keys) != len(objects):
        return []
    for obj, key in zip(objects, keys, strict=True):
        obj.pk = key
        obj._state.adding, obj._state.db = False, connection.alias
    return objects


def update(model, ids, **values):
    """``UPDATE … SET values WHERE id IN ids``, in one statement; returns the number of rows changed."""
    connection = _db()
    ids = list(ids)
    if not ids or not values:
        return 0
    fields = [model._meta.get_field(name) for name in values]
    assignments = ", ".join(f"{_quoted(field.column)} = %s" for field in fields)
    marks = ", ".join(["%s"] * len(ids))
    sql = (
        f"UPDATE {_quoted(model._meta.db_table)} SET {assignments} WHERE {_quoted(model._meta.pk.column)} IN ({marks})"
    )
    params = [field.get_db_prep_save(value, connection) for field, value in zip(fields, values.values(), strict=True)]
    with statement_cursor(connection) as cursor:
        cursor.execute(sql, [*params, *ids])
        return cursor.rowcount


@functools.cache
def _row_parts(model):
    """The model's concrete fields' names, their converters, and their columns (unqualified, for one table)."""
    fields = model._meta.concrete_fields
    converters = []
    for field in fields:
        expression = field.get_col(model._meta.db_table)
        functions = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
        converters.append((functions, expression))
    return [field.attname for field in fields], converters, ", ".join(_quoted(field.column) for field in fields)


@functools.cache
def _row_sql(model, lock):
    names, converters, columns = _row_parts(model)
    sql = f"SELECT {columns} FROM {_quoted(model._meta.db_table)} WHERE {_quoted(model._meta.pk.column)} = %s{lock}"
    return names, converters, sql


def in_one_statement():
    """Whether writes that belong together can go as one statement (a data-modifying ``WITH``: PostgreSQL)."""
    connection = _db()
    return connection.vendor == "postgresql"


def together():
    """A transaction for writes that belong together, where they go as several statements (`insert_with`,
    `update_one` with `then_insert`); none where they go as one (a single statement is atomic by itself),
    so they cost no ``BEGIN`` and ``COMMIT`` there. Inside the caller's transaction either way."""
    return contextlib.nullcontext() if in_one_statement() else transaction.atomic()


def _values_of(obj, fields):
    connection = _db()
    return [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]


def _insert_by_model(objects):
    """`insert` the objects, one statement for each model (in the order each model first comes)."""
    by_model = {}
    for obj in objects:
        by_model.setdefault(type(obj), []).append(obj)
    for same in by_model.values():
        insert(same)


def _linked(children, link, key):
    """The children, each with its field `link` (pointing to the parent) set to the parent's `key`."""
    for child in children:
        setattr(child, type(child)._meta.get_field(link).attname, key)
    return children


@functools.cache
def _child_sql(model, link, parent_alias, number):
    """A ``WITH`` part inserting one row of `model` whose `link` column is the parent's key (from `parent_alias`)."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    link_field = model._meta.get_field(link)
    link_column, key = link_field.column, f"{parent_alias}.{_quoted(link_field.target_field.column)}"
    values = ", ".join(key if field.column == link_column else "%s" for field in fields)
    columns = ", ".join(_quoted(field.column) for field in fields)
    table, pk = _quoted(model._meta.db_table), _quoted(model._meta.pk.column)
    sql = f"c{number} AS (INSERT INTO {table} ({columns}) SELECT {values} FROM {parent_alias} RETURNING {pk})"
    return [field for field in fields if field.column != link_column], sql


@functools.cache
def _insert_with_sql(model, kinds, link):
    """The parent's fields, each child's fields, and the statement of `insert_with` (PostgreSQL)."""
    fields, parent_sql = _insert_sql(model, 1, None)
    parts, child_fields = [f"p AS ({parent_sql})"], []
    for number, kind in enumerate(kinds):
        own_fields, sql = _child_sql(kind, link, "p", number)
        parts.append(sql)
        child_fields.append(own_fields)
    keys = ", ".join([f"p.{_quoted(model._meta.pk.column)}", *(f"c{n}.*" for n in range(len(kinds)))])
    froms = ", ".join(["p", *(f"c{n}" for n in range(len(kinds)))])
    return fields, child_fields, f"WITH {', '.join(parts)} SELECT {keys} FROM {froms}"


def insert_with(parent, children, *, link):
    """Insert the unsaved `parent` and `children` (unsaved objects whose field `link` points to the parent); each
    gets its primary key. Returns the parent.

    On PostgreSQL one statement (a data-modifying ``WITH``: each child's row takes the parent's new key);
    elsewhere an insert for the parent and one for each model of the children, which the caller keeps
    together in a transaction (`together`). No signals, as `insert`.
    """
    connection = _db()
    if not in_one_statement():
        insert([parent])
        _insert_by_model(_linked(children, link, parent.pk))
        return parent
    fields, child_fields, sql = _insert_with_sql(type(parent), tuple(type(child) for child in children), link)
    params = _values_of(parent, fields)
    for child, own_fields in zip(children, child_fields, strict=True):
        params.extend(_values_of(child, own_fields))
    with statement_cursor(connection) as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    parent.pk = row[0]
    for obj, key in zip([parent, *_linked(children, link, row[0])], row, strict=True):
        obj.pk = key
        obj._state.adding, obj._state.db = False, connection.alias
    return parent


@functools.cache
def _update_one_sql(model, value_names, condition_names, kinds, link):
    """The fields set, the fields of the condition, each child's fields, and the statement of `update_one`."""
    _names, _converters, columns = _row_parts(model)
    fields = [model._meta.get_field(name) for name in value_names]
    conditions = [model._meta.get_field(name) for name in condition_names]
    assignments = ", ".join(f"{_quoted(field.column)} = %s" for field in fields)
    where = " AND ".join(
        [f"{_quoted(model._meta.pk.column)} = %s", *(f"{_quoted(field.column)} = %s" for field in conditions)]
    )
    sql = f"UPDATE {_quoted(model._meta.db_table)} SET {assignments} WHERE {where} RETURNING {columns}"
    if not kinds:
        return fields, conditions, [], sql
    parts, child_fields = [f"u AS ({sql})"], []
    for number, kind in enumerate(kinds):
        own_fields, child_sql = _child_sql(kind, link, "u", number)
        parts.append(child_sql)
        child_fields.append(own_fields)
    selected = ", ".join(
        [
            *(f"u.{_quoted(field.column)}" for field in model._meta.concrete_fields),
            *(f"c{n}.*" for n in range(len(kinds))),
        ]
    )
    joins = " ".join(f"LEFT JOIN c{n} ON TRUE" for n in range(len(kinds)))
    return fields, conditions, child_fields, f"WITH {', '.join(parts)} SELECT {selected} FROM u {joins}"


def update_one(model, pk, *, only_if=None, then_insert=(), link=None, **values):
    """``UPDATE … SET values WHERE pk = pk AND only_if``; returns the row as saved, or None.

    `only_if`: {field name: value}, the values the row must have for the update to apply (so a caller
    that takes no lock first still only moves a row that is where it expects it). The row comes back
    (``RETURNING``) as ``model.objects.get(pk=pk)`` would give it afterwards; None when no row matched.

    `then_insert`: unsaved objects whose field `link` points to the row, inserted only when the row was
    updated (its log line): on PostgreSQL in the same statement (a data-modifying ``WITH``), elsewhere
    one insert per model after the update, which the caller keeps together in a transaction (`together`).
    """
    connection = _db()
    only_if = only_if or {}
    children = list(then_insert)
    joined = bool(children) and in_one_statement()
    kinds = tuple(type(child) for child in children) if joined else ()
    fields, conditions, child_fields, sql = _update_one_sql(model, tuple(values), tuple(only_if), kinds, link)
    params = [field.get_db_prep_save(value, connection) for field, value in zip(fields, values.values(), strict=True)]
    params.append(model._meta.pk.get_db_prep_value(pk, connection))
    params.extend(
        field.get_db_prep_value(value, connection) for field, value in zip(conditions, only_if.values(), strict=True)
    )
    for child, own_fields in zip(children if joined else (), child_fields, strict=True):
        params.extend(_values_of(child, own_fields))
    names, converters, _columns = _row_parts(model)
    with statement_cursor(connection) as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    width = len(names)
    saved = _build(model, names, converters, row[:width])
    if joined:
        for child, key in zip(_linked(children, link, saved.pk), row[width:], strict=True):
            child.pk = key
            child._state.adding, child._state.db = False, connection.alias
    elif children:
        _insert_by_model(_linked(children, link, saved.pk))
    return saved


def get(model, pk, *, for_update=False, nowait=False):
    """One row by its primary key, as ``model.objects.get(pk=pk)`` gives it (DoesNotExist when there is none).

    `for_update`: locked (``SELECT … FOR UPDATE``; with `nowait`, a row locked by someone else
    raises OperationalError at once). On SQLite, whose transactions are serialised whole, no lock.
    """
    connection = _db()
    lock = ""
    if for_update and connection.features.has_select_for_update:
        lock = f" {connection.ops.for_update_sql(nowait=nowait)}"
    names, converters, sql = _row_sql(model, lock)
    with statement_cursor(connection) as cursor:
        cursor.execute(sql, [model._meta.pk.get_db_prep_value(pk, connection)])
        row = cursor.fetchone()
    if row is None:
        raise model.DoesNotExist(f"No {model._meta.model_name} {pk}.")
    return _build(model, names, converters, row)


@functools.cache
def _enrollments_sql(column):
    """Per model, its field names and each column's converters; and the statement of `enrollments_with_participants`."""
    parts, columns = [], []
    for model, alias in ((Enrollment, "e"), (Participant, "p")):
        converters = []
        for field in model._meta.concrete_fields:
            expression = field.get_col(alias)
            functions = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
            converters.append((functions, expression))
            columns.append(f"{alias}.{_quoted(field.column)}")
        parts.append((model, [field.attname for field in model._meta.concrete_fields], converters))
    where = Enrollment._meta.pk if column == "pk" else Enrollment._meta.get_field(column)
    sql = (
        f"SELECT {', '.join(columns)} FROM {_quoted(Enrollment._meta.db_table)} e "
        f"JOIN {_quoted(Participant._meta.db_table)} p ON p.id = e.participant_id "
        f"WHERE e.{_quoted(where.column)} = %s ORDER BY e.id"
    )
    return parts, where, sql


def _columns_of(model, alias, names=None):
    """The model's concrete fields as selected columns (each from its own table: a page's fields live in two),
    the joins to its parents' tables, and (model, field names, converters) for `_build`.

    `names`: only these fields (attnames) and the primary keys; `_build` then gives an object whose other
    fields are deferred (read when touched, as ``only()`` gives them)."""
    connection = _db()
    tables = {model._meta.db_table: alias}
    joins = []
    for number, parent in enumerate(model._meta.get_parent_list(), start=1):
        # Multi-table inheritance: a parent's row has the same primary key value as the child's.
        tables[parent._meta.db_table] = f"{alias}{number}"
        joins.append(
            f"JOIN {_quoted(parent._meta.db_table)} {alias}{number} "
            f"ON {alias}{number}.{_quoted(parent._meta.pk.column)} = {alias}.{_quoted(model._meta.pk.column)}"
        )
    columns, converters, fields = [], [], []
    for field in model._meta.concrete_fields:
        if names is not None and not field.primary_key and field.attname not in names:
            continue
        fields.append(field)
        table = tables[field.model._meta.db_table]
        expression = field.get_col(table)
        functions = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
        converters.append((functions, expression))
        columns.append(f"{table}.{_quoted(field.column)}")
    return columns, joins, (model, [field.attname for field in fields], converters)


@functools.cache
def _party_places_sql(course_fields=None, newest_payment=False):
    """The parts and the statement of `party_places`."""
    group_model = Enrollment._meta.get_field("group").related_model
    course_model = group_model._meta.get_field("course").related_model
    steps = [(Enrollment, "e", ""), (Participant, "p", "e.participant_id"), (group_model, "g", "e.group_id")]
    steps.append((course_model, "c", "g.course_id"))
    parts, columns, joins = [], [], []
    for model, alias, key in steps:
        own_columns, own_joins, part = _columns_of(model, alias, course_fields if model is course_model else None)
        if key:
            joins.append(
                f"JOIN {_quoted(model._meta.db_table)} {alias} ON {alias}.{_quoted(model._meta.pk.column)} = {key}"
            )
        joins.extend(own_joins)
        columns.extend(own_columns)
        parts.append(part)
    if newest_payment:  # its provider is the first parameter
        c = functools.partial(_column, Payment, "n")
        columns.append(
            f"(SELECT {c('id')} FROM {_quoted(Payment._meta.db_table)} n "
            f"WHERE {c('party')} = {_column(Enrollment, 'e', 'party')} AND {c('provider')} = %s "
            f"ORDER BY {c('created_at')} DESC, {c('id')} DESC LIMIT 1)"
        )
    sql = (
        f"SELECT {', '.join(columns)} FROM {_quoted(Enrollment._meta.db_table)} e {' '.join(joins)} "
        f"WHERE e.{_quoted(Enrollment._meta.get_field('party').column)} = %s ORDER BY e.id"
    )
    return parts, sql


def party_places(party, *, course_fields=None, newest_payment=None):
    """The enrollments of a party (its UUID), by id, each with its participant, its group and the group's course.

    What ``Enrollment.objects.filter(party=party).select_related("participant", "group__course")
    .order_by("pk")`` gives, in a statement built once: starting a payment reads it before every
    request to Mollie, and the ORM took longer to build it (the course is a page: two tables, some
    sixty columns) than the database to run it. `course_fields`: a tuple of the course's fields to read
    (its keys always); its others are deferred, as ``only()`` leaves them (the page's text and blocks
    are most of what the statement brings back).

    `newest_payment`: a payment provider; then (places, id) comes back, the id that of the party's
    newest payment of that provider (``latest_payment``'s order) or None, read in the same statement.
    """
    connection = _db()
    parts, sql = _party_places_sql(course_fields, bool(newest_payment))
    params = [Enrollment._meta.get_field("party").get_db_prep_value(party, connection)]
    if newest_payment:
        params.insert(0, Payment._meta.get_field("provider").get_db_prep_value(newest_payment, connection))
    with statement_cursor(connection) as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    places = []
    for row in rows:
        objects, start = [], 0
        for model, names, converters in parts:
            objects.append(_build(model, names, converters, row[start : start + len(names)]))
            start += len(names)
        enrollment, participant, group, course = objects
        group.course = course
        enrollment.participant, enrollment.group = participant, group
        places.append(enrollment)
    if newest_payment:
        return places, (rows[0][-1] if rows else None)
    return places


@functools.cache
def _select_sql(model, condition, order, limit, also=()):
    columns, joins, part = _columns_of(model, "t")
    columns = [*columns, *also]
    sql = f"SELECT {', '.join(columns)} FROM {_quoted(model._meta.db_table)} t {' '.join(joins)} WHERE {condition}"
    if order:
        sql += f" ORDER BY {order}"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return part, sql


def column(model, name):
    """``t."column"``: a field's column in the condition or order of `select`."""
    return _column(model, "t", name)


def value(model, name, given):
    """A value for the condition of `select`, as the field writes it (``get_db_prep_value``)."""
    connection = _db()
    return model._meta.get_field(name).get_db_prep_value(given, connection)


def select(model, condition, params, *, order="", limit=None, also=()):
    """Rows of `model` (every concrete field, as the ORM gives them) WHERE `condition` (SQL, on the alias
    ``t``: write columns with `column` and values with `value`), in `order`, at most `limit`.

    `also`: SQL expressions (a tuple, without parameters) selected after the row; then each row
    comes as (object, *their values), the values as the database gives them.

    For the few reads of a payment's path that the ORM took longer to build than the database to run.
    """
    connection = _db()
    part, sql = _select_sql(model, condition, order, limit, tuple(also))
    with statement_cursor(connection) as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not also:
        return [_build(*part, row) for row in rows]
    width = len(part[1])
    return [(_build(*part, row[:width]), *row[width:]) for row in rows]


def _build(model, names, converters, values):
    connection = _db()
    converted = []
    for value, (functions, expression) in zip(values, converters, strict=True):
        for function in functions:
            value = function(value, expression, connection)
        converted.append(value)
    return model.from_db(connection.alias, names, converted)


def enrollments_with_participants(column, value):
    """The enrollments whose `column` (``"pk"`` or ``"party"``) is `value`, each with its participant, by id.

    What ``Enrollment.objects.filter(**{column: value}).select_related("participant")`` gives, in a
    statement built once.
    """
    connection = _db()
    (enrollment_part, participant_part), where, sql = _enrollments_sql(column)
    with statement_cursor(connection) as cursor:
        cursor.execute(sql, [where.get_db_prep_value(value, connection)])
        rows = cursor.fetchall()
    width = len(enrollment_part[1])
    enrollments = []
    for row in rows:
        enrollment = _build(*enrollment_part, row[:width])
        enrollment.participant = _build(*participant_part, row[width:])
        enrollments.append(enrollment)
    return enrollments
