"""PostgreSQL for the test suite: the database is emptied between transactional tests with DELETE.

Django empties the database after every transactional test (the browser tests, the races between
threads and processes), and the browser tests empty it again before they put the demo back. Django
does that with one TRUNCATE of every table: PostgreSQL then makes new files for each of the 124
tables and their indexes, which took 3 s a time here, while a test leaves a few thousand rows at
most. Deleting them takes milliseconds, as long as PostgreSQL does not check every foreign key of
every deleted row: the flush deletes with `session_replication_role = replica`, which leaves out
the foreign-key checks and the access log's append-only trigger (booking migration 0006) for the
flush's own transaction. Every table is emptied, so nothing can be left pointing at a deleted row.
A flush that resets sequences sets every sequence the tables own back to 1, as TRUNCATE's
RESTART IDENTITY does.

Only a superuser may set that role (the test databases here and in CI are the `postgres` user's);
for another user, and for a flush that cascades, Django's TRUNCATE stays.
"""

from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if allow_cascade or not tables or not self.connection.is_superuser():
            return super().sql_flush(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        delete = style.SQL_KEYWORD("DELETE FROM")
        statements = ["SET LOCAL session_replication_role = replica;"]
        statements += [f"{delete} {style.SQL_FIELD(self.quote_name(table))};" for table in tables]
        if reset_sequences:
            names = ", ".join(f"'{self.quote_name(table)}'" for table in tables)
            statements.append(
                "SELECT setval(d.objid::regclass, 1, false) FROM pg_depend d"
                " JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'"
                f" WHERE d.classid = 'pg_class'::regclass AND d.refobjid = ANY(ARRAY[{names}]::regclass[]);"
            )
        # One round trip: the statements go as one text (Django's client-side cursor allows that).
        return [" ".join(statements)]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
    _superuser = None

    def is_superuser(self):
        if self._superuser is None:
            with self.cursor() as cursor:
                cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                self._superuser = bool(cursor.fetchone()[0])
        return self._superuser
