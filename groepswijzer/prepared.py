"""Queries whose SQL is compiled once per process and shape, then run with new values (no ORM work per request).

Building and compiling a queryset costs the ORM a few milliseconds of Python for a rule with subqueries
(the bookable rule: places, first start, stops), far more than PostgreSQL needs to run it. A
``PreparedValues`` wraps a function that builds such a queryset from named values ("slots": a moment,
coordinates, ids) and keeps the SQL it compiles to; later calls with values of the same shape (the same
slots, the same types, lists of the same length) swap the new values into the parameters.

Which parameter is which slot is found out, not assumed: the first time a shape is met the queryset is
compiled twice, with two different sets of stand-in values. The SQL must be the same text both times;
every parameter that differs must be exactly one slot's stand-in (as the database receives it: a moment
adapted as the backend adapts it); every other parameter must be the same both times. When any of that
does not hold (a value computed from a slot, SQL that depends on a value), the shape is not kept and every
call builds the queryset as usual. The results are converted as the ORM converts them (``.values()``).

The build function must use slots only as values in the query (filters, ``Value``), never compute from them.

``statement_cursor`` is the other half, on the database's side: a cursor for the few written-out statements
that run on every sign-up, whose plans PostgreSQL keeps for the connection instead of planning them anew.
"""

import datetime
import threading
import weakref

from django.db import connections

_lock = threading.Lock()
NOT_PREPARED = object()


def _stand_ins(values, round_):
    """Stand-in values of the same types as `values` ({slot: value}), unlike any real value; `round_` 1 or 2."""
    stand_ins = {}
    number = 0
    for name, value in sorted(values.items()):
        if isinstance(value, list | tuple):
            items = []
            for _item in value:
                number += 1
                items.append(-(round_ * 1_000_000_000 + number))
            stand_ins[name] = items
            continue
        number += 1
        if isinstance(value, datetime.datetime):
            stand_ins[name] = datetime.datetime(1900 + round_, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(
                seconds=number
            )
        elif isinstance(value, float):
            stand_ins[name] = -(round_ * 1_000_000.0 + number + 0.5)
        elif isinstance(value, int) and not isinstance(value, bool):
            stand_ins[name] = -(round_ * 1_000_000_000 + number)
        else:
            return None
    return stand_ins


def _shape(values):
    return tuple(
        (name, "list", len(value)) if isinstance(value, list | tuple) else (name, type(value).__name__)
        for name, value in sorted(values.items())
    )


def _flat(values):
    """[(slot, index or None, value)] for every single value."""
    flat = []
    for name, value in sorted(values.items()):
        if isinstance(value, list | tuple):
            flat.extend((name, index, item) for index, item in enumerate(value))
        else:
            flat.append((name, None, value))
    return flat


class _Compiled:
    def __init__(self, sql, params, slots, names, converters):
        self.sql = sql
        self.params = params  # as compiled the first time
        self.slots = slots  # [(position, slot, index or None, adapt)]
        self.names = names  # the column names, as ``.values()`` gives them
        self.converters = converters

    def params_for(self, values):
        """The compiled parameters with this call's `values` in their slots."""
        params = list(self.params)
        for position, name, index, adapt in self.slots:
            value = values[name] if index is None else values[name][index]
            params[position] = adapt(value) if adapt is not None else value
        return params


class PreparedValues:
    """``build(**values)`` returns a ``.values(...)`` queryset; ``run(**values)`` gives its rows as dicts."""

    def __init__(self, build):
        self.build = build
        self._compiled = {}

    def _compile_once(self, queryset, connection):
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        query = queryset.query
        if query.selected:  # as ValuesIterable names them
            names = list(query.selected)
        else:
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
        return sql, tuple(params), names, compiler.get_converters(fields), compiler.col_count

    def _prepare(self, values, connection, build):
        first, second = _stand_ins(values, 1), _stand_ins(values, 2)
        if first is None:
            return None
        sql_a, params_a, names, converters, columns = self._compile_once(build(**first), connection)
        sql_b, params_b, *_ = self._compile_once(build(**second), connection)
        if sql_a != sql_b or len(params_a) != len(params_b) or len(names) != columns:
            return None
        adapt_moment = connection.ops.adapt_datetimefield_value
        candidates = list(zip(_flat(first), _flat(second), strict=True))
        slots = []
        for position, (param_a, param_b) in enumerate(zip(params_a, params_b, strict=True)):
            if type(param_a) is type(param_b) and param_a == param_b:
                continue
            found = None
            for (name, index, stand_in_a), (_name, _index, stand_in_b) in candidates:
                if isinstance(stand_in_a, datetime.datetime):
                    if adapt_moment(stand_in_a) == param_a and adapt_moment(stand_in_b) == param_b:
                        found = (position, name, index, adapt_moment)
                elif param_a == stand_in_a and param_b == stand_in_b and type(param_a) is type(stand_in_a):
                    found = (position, name, index, None)
                if found:
                    break
            if found is None:
                return None
            slots.append(found)
        return _Compiled(sql_a, params_a, slots, names, converters)

    def compiled(self, values, connection, fixed=None):
        fixed = fixed or {}
        key = (connection.alias, connection.vendor, _shape(values), tuple(sorted(fixed.items())))
        with _lock:
            found = self._compiled.get(key, NOT_PREPARED)
        if found is NOT_PREPARED:
            found = self._prepare(values, connection, lambda **slots: self.build(**fixed, **slots))
            with _lock:
                self._compiled[key] = found
        return found

    def run(self, using="default", fixed=None, **values):
        """The rows of ``build(**fixed, **values)`` as dicts, in its order.

        `fixed`: arguments that shape the SQL itself (a slice: LIMIT and OFFSET are written into it); each
        combination is compiled once. Keep their number small.
        """
        connection = connections[using]
        fixed = fixed or {}
        compiled = self.compiled(values, connection, fixed)
        if compiled is None:
            return list(self.build(**fixed, **values))
        params = compiled.params_for(values)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        converters = compiled.converters.items()
        result = []
        for row in rows:
            row = list(row)
            for position, (functions, expression) in converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
            result.append(dict(zip(compiled.names, row, strict=True)))
        return result


class PreparedFirsts(PreparedValues):
    """``build(**values)`` returns ``{name: queryset}``, each ordered, of one column and sliced to one row;
    ``run(**values)`` gives ``{name: its first value or None}`` from one statement (a scalar subquery each),
    compiled once per shape as ``PreparedValues`` does."""

    def _compile_once(self, querysets, connection):
        parts, params, names, converters = [], [], [], {}
        for position, (name, queryset) in enumerate(querysets.items()):
            compiler = queryset.query.get_compiler(connection=connection)
            sql, part_params = compiler.as_sql()
            parts.append(f"({sql})")
            params.extend(part_params)
            names.append(name)
            found = compiler.get_converters([compiler.select[0][0]]).get(0)
            if found is not None:
                converters[position] = found
        return "SELECT " + ", ".join(parts), tuple(params), names, converters, len(names)

    def run(self, using="default", fixed=None, **values):
        connection = connections[using]
        fixed = fixed or {}
        compiled = self.compiled(values, connection, fixed)
        if compiled is None:
            sql, params, names, converters, _columns = self._compile_once(self.build(**fixed, **values), connection)
            compiled = _Compiled(sql, params, [], names, converters)
        params = compiled.params_for(values)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            row = list(cursor.fetchone())
        for position, (functions, expression) in compiled.converters.items():
            if row[position] is not None:
                for function in functions:
                    row[position] = function(row[position], expression, connection)
        return dict(zip(compiled.names, row, strict=True))


class _StatementCursor:
    """Django's cursor, with every statement run as one PostgreSQL keeps prepared on the connection."""

    def __init__(self, cursor, connection, kept):
        self.cursor = cursor
        self.connection = connection
        self.kept = kept

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        pass  # the cursor stays with its connection, for the next statement

    def __getattr__(self, name):
        return getattr(self.cursor, name)

    def execute(self, sql, params=()):
        found = _statement(sql)
        if found is None or (found[0] not in self.kept.prepared and len(self.kept.prepared) >= PER_CONNECTION):
            return self.cursor.execute(sql, params)  # beyond the bounds: an ordinary statement
        name, text = found
        if name not in self.kept.prepared:
            # Once per connection and statement, as part of the connection's setup: straight to psycopg, so
            # it is not among Django's queries (a query count stays the same on the first call and the next).
            with self.connection.wrap_database_errors:
                self.kept.raw.execute(f"PREPARE {name} AS {text}")
            self.kept.prepared.add(name)
        marks = ", ".join(["%s"] * len(params))
        return self.cursor.execute(f"EXECUTE {name}({marks})" if params else f"EXECUTE {name}", params)


class _Kept:
    """What a Django connection keeps for its statements: for which psycopg connection, a cursor, the names."""

    def __init__(self, raw, cursor):
        self.raw = raw
        self.cursor = cursor
        self.prepared = set()


_statements = {}  # SQL as written -> (its name, its text with $1, $2, …): the same in every connection
# Statements whose text depends on a count (``IN (%s, %s, …)`` for a list of ids, rows of an insert) come in
# as many versions as there are counts; past these bounds they run as ordinary statements, so that neither a
# connection (on the server) nor the process keeps statements without end.
PER_CONNECTION = 100
PER_PROCESS = 1000
_kept = weakref.WeakKeyDictionary()  # Django's connection (one per thread) -> _Kept


def _statement(sql):
    """(name, text with $1, $2, …) of a statement, the same in every connection; None past `PER_PROCESS`."""
    found = _statements.get(sql)
    if found is None:
        if len(_statements) >= PER_PROCESS:
            return None
        if "%%" in sql:
            raise ValueError("A prepared statement takes its values as parameters, never as a literal %.")
        parts = sql.split("%s")
        text = parts[0] + "".join(f"${number}{part}" for number, part in enumerate(parts[1:], start=1))
        with _lock:
            found = _statements.setdefault(sql, (f"gw_statement_{len(_statements) + 1}", text))
    return found


def as_written(logged_sql):
    """A statement as Django's query log has it, with an ``EXECUTE`` of ours replaced by the statement it runs."""
    name = logged_sql.removeprefix("EXECUTE ").split("(", 1)[0].strip()
    for known_name, text in _statements.values():
        if known_name == name:
            return text
    return logged_sql


def statement_cursor(connection):
    """A cursor (as ``connection.cursor()`` gives one) whose statements PostgreSQL keeps prepared on the connection.

    Django binds values into the SQL text, so PostgreSQL parses and plans every statement anew; for the
    statements a sign-up sends each time (a group's lock, its places counted, the held rows written) that
    costs it more than running them. Through this cursor each statement is prepared once per connection
    (``PREPARE``, with ``$1``, ``$2``, … for its ``%s``) and then run with its values (``EXECUTE``):
    PostgreSQL keeps its plan (and plans again by itself when a table's definition or statistics change).
    Only for written-out SQL whose every value is a parameter: SQL that differs per call would fill the
    connection with statements. Prepared statements outlive a rollback and belong to one server connection:
    a pooler in transaction mode (PgBouncer) would send the ``EXECUTE`` to another, so it is not supported
    (docs/operations.md). The cursor is kept with the connection
    too (made as Django makes its cursors; a new connection gets a new one): making one for every statement cost
    more than some of the statements; so read a statement's rows before the next one goes. Other databases get the
    ordinary cursor.
    """
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection = connections[connection.alias]  # this thread's own, not ``django.db.connection``'s proxy
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    kept = _kept.get(connection)
    if kept is None or kept.raw is not connection.connection:  # a new connection: nothing prepared on it yet
        with connection.wrap_database_errors:
            kept = _Kept(connection.connection, connection.create_cursor())
        with _lock:
            _kept[connection] = kept
    connection.validate_thread_sharing()
    wrap = connection.make_debug_cursor if connection.queries_logged else connection.make_cursor
    return _StatementCursor(wrap(kept.cursor), connection, kept)
