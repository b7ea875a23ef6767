"""Core statements compiled once per dialect and run on the driver's cursor: the submission path.

On SQLite a submission's statements cost SQLAlchemy more Python than the database: for each
one ``Connection.execute`` builds an execution context, dispatches events and wraps the cursor
in a result. Running them on the cursor took a submission's CPU down by about a tenth (9% fewer
instructions, 11% less time in process). A :class:`PreparedStatement` keeps the Core statement
as the one source of its SQL and does the rest as SQLAlchemy would, with SQLAlchemy's own parts:

- the SQL, its parameter order and its literal parameters (``LIMIT 1``) come from compiling the
  statement for the connection's dialect, once;
- parameters and results go through the column types' processors for that dialect (SQLite
  stores datetimes as text and booleans as integers); an INSERT fills the columns it is not
  given from their scalar or Python-callable defaults;
- a driver error is raised as SQLAlchemy's exception (``IntegrityError``, ``OperationalError``,
  ...), and a lost connection is invalidated, as ``Connection.execute`` would.

What it skips: engine events, SQLAlchemy's statement logging, ORM events (it takes Core statements
only). On SQLite a statement that changes data first takes the write lock
(:func:`surveyapp.database.take_write_lock`), as the engine's own listener would in a request that
defers it. Everything off the hot path keeps using the session as usual.
"""

import operator

from sqlalchemy import exc

from .database import take_write_lock


class PreparedStatement:
    """A Core ``statement`` (a SELECT, or an INSERT/UPDATE/DELETE, with or without RETURNING).

    ``column_keys`` names the columns an INSERT or UPDATE is given values for, as for
    ``statement.compile(column_keys=...)``; parameters are passed by those names (and by the
    ``bindparam`` names of a SELECT's criteria).
    """

    def __init__(self, statement, column_keys=None):
        self.statement = statement
        self.column_keys = list(column_keys) if column_keys is not None else None
        self._compiled = {}

    def rows(self, connection, params=None):
        """All rows, as tuples of processed values (``[]`` for a statement returning none)."""
        return self._run(connection, params or {})

    def first(self, connection, params=None):
        """The first row, or None."""
        rows = self._run(connection, params or {})
        return rows[0] if rows else None

    def scalar(self, connection, params=None):
        """The first column of the first row, or None."""
        row = self.first(connection, params)
        return row[0] if row is not None else None

    def inserted_id(self, connection, params):
        """Run this one-row INSERT; return the new row's primary key.

        As Core does: from the driver's ``lastrowid`` where the dialect reads keys that way
        (SQLite, which has RETURNING only from 3.35 on), else with ``RETURNING``.
        """
        return self._run(connection, params, mode="id")[0][0]

    def executemany(self, connection, rows):
        """Run once per row; each row is a tuple of values in ``column_keys`` order."""
        compiled = self._for(connection, mode="many")
        parameters = [compiled.parameters_of_row(row) for row in rows]
        if parameters:
            compiled.call(connection, "executemany", parameters)

    def _run(self, connection, params, mode="one"):
        compiled = self._for(connection, mode)
        return compiled.call(connection, "execute", compiled.parameters(params))

    def _for(self, connection, mode):
        key = (connection.dialect.name, mode)
        compiled = self._compiled.get(key)
        if compiled is None:
            statement, columns = self.statement, None
            if mode == "id" and not connection.dialect.postfetch_lastrowid:
                # Named here, not read back from the copy: SQLAlchemy (2.1.9) gives a generative
                # copy the memoized attributes of its source, RETURNING columns included.
                columns = list(statement.table.primary_key)
                statement = statement.returning(*columns)
            compiled = self._compiled[key] = _Compiled(
                statement, connection.dialect, self.column_keys, mode, columns
            )
        return compiled


class _Compiled:
    """A statement compiled for one dialect: its SQL and how to convert values in and out."""

    def __init__(self, statement, dialect, column_keys, mode, columns=None):
        many = mode == "many"
        # mode "id": the new row's key, from lastrowid or RETURNING (PreparedStatement.inserted_id)
        self.lastrowid = mode == "id" and dialect.postfetch_lastrowid
        compiled = statement.compile(dialect=dialect, column_keys=column_keys, for_executemany=many)
        if compiled.escaped_bind_names or "__[POSTCOMPILE_" in compiled.string:
            raise ValueError("parameters renamed or expanded at execution are not supported")
        self.sql = compiled.string
        self.dialect = dialect
        self.compiled = compiled
        self.is_dml = statement.is_dml
        # A SELECT's columns, or the RETURNING columns of an INSERT/UPDATE/DELETE (maybe none).
        if columns is None:
            columns = (
                statement.selected_columns if statement.is_select else statement.exported_columns
            )
        self.returns_rows = len(columns) > 0
        self.result_types = [column.type for column in columns]
        self.result_processors = None  # made at the first execution, from the cursor's types
        # Columns an INSERT or UPDATE is not given that SQLAlchemy would fill before executing.
        self.defaults = []
        for column, default in [
            *((column, column.default) for column in compiled.insert_prefetch),
            *((column, column.onupdate) for column in compiled.update_prefetch),
        ]:
            if default is None or not (default.is_scalar or default.is_callable):
                raise ValueError(
                    f"{column.name}: give its value (only scalar and Python defaults are filled)"
                )
            self.defaults.append((column.key, default))
        self.positional = compiled.positional
        # Parameter names as rendered in the SQL (anonymous ones too, e.g. LIMIT's), and types.
        types = {name: bind.type for bind, name in compiled.bind_names.items()}
        self.names = list(compiled.positiontup if compiled.positional else types)
        self.processors = [
            (position, process)
            for position, name in enumerate(self.names)
            if (process := types[name].dialect_impl(dialect).bind_processor(dialect))
        ]
        if many:
            if column_keys is None or self.defaults:
                raise ValueError("executemany needs column_keys naming every column it writes")
            self.pick_row = operator.itemgetter(*(column_keys.index(n) for n in self.names))

    def parameters(self, params):
        """The driver's parameters for one execution of ``params`` (a mapping)."""
        values = self.compiled.construct_params(params, escape_names=False)
        for key, default in self.defaults:
            if key not in params:
                values[key] = default.arg(None) if default.is_callable else default.arg
        return self._for_driver([values[name] for name in self.names])

    def parameters_of_row(self, row):
        """The driver's parameters for one row of an executemany (values in column order)."""
        values = self.pick_row(row)
        return self._for_driver(list(values) if len(self.names) > 1 else [values])

    def _for_driver(self, values):
        """Values in ``names`` order, converted by their types, as the driver's paramstyle wants."""
        for position, process in self.processors:
            values[position] = process(values[position])
        return values if self.positional else dict(zip(self.names, values))

    def call(self, connection, method, parameters):
        """Run ``cursor.<method>(sql, parameters)``; the processed rows if the statement has any."""
        if self.is_dml:
            take_write_lock(connection)  # SQLite's; nothing to do elsewhere
        dbapi_connection = connection.connection.dbapi_connection
        cursor = None
        try:
            cursor = dbapi_connection.cursor()
            try:
                getattr(cursor, method)(self.sql, parameters)
                if self.lastrowid:
                    return [(cursor.lastrowid,)]
                rows = cursor.fetchall() if self.returns_rows else []
                description = cursor.description
            finally:
                cursor.close()
        except self.dialect.loaded_dbapi.Error as error:
            invalidated = self.dialect.is_disconnect(error, dbapi_connection, cursor)
            if invalidated:
                connection.invalidate(error)
            raise exc.DBAPIError.instance(
                self.sql,
                parameters,
                error,
                self.dialect.loaded_dbapi.Error,
                connection_invalidated=invalidated,
                dialect=self.dialect,
            ) from error
        return self._processed(rows, description) if rows else rows

    def _processed(self, rows, description):
        if self.result_processors is None:
            self.result_processors = [
                (position, process)
                for position, type_ in enumerate(self.result_types)
                if (
                    process := type_.dialect_impl(self.dialect).result_processor(
                        self.dialect, description[position][1]
                    )
                )
                is not None
            ]
        if not self.result_processors:
            return rows
        processed = []
        for row in rows:
            values = list(row)
            for position, process in self.result_processors:
                values[position] = process(values[position])
            processed.append(tuple(values))
        return processed
