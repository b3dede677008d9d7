"""Prebuilt Core statements run straight on a DBAPI connection, for the token endpoint.

A token refresh runs three small statements, and SQLAlchemy's per-call work on a Connection
(cache key, execution context, generic parameter and result handling) costs more than
SQLite's own. `DriverConnection` keeps the statements written once in Core and compiled for
the configured database, and converts parameters and results with each type's processors
for that dialect (JSON, booleans), as `Connection.execute` would; it skips only the per-call
machinery. It answers the calls the token functions make (`execute(...).rowcount`,
`.first()`), so they run unchanged on a session, a connection, or this; and a database error
is raised as SQLAlchemy raises it (`sqlalchemy.exc.OperationalError`, ...), for the callers'
handlers.
"""

from __future__ import annotations

import threading
from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Executable
from sqlalchemy.sql.expression import Select

Processor = Callable[[Any], Any] | None


class DriverStatement:
    """A Core statement compiled once for a dialect and a set of parameter names."""

    def __init__(self, statement: Executable, dialect: Dialect, keys: tuple[str, ...]) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        self.sql = str(compiled)
        self._positions = list(compiled.positiontup or ()) if compiled.positional else None
        self._bind: dict[str, Processor] = {
            name: bind.type.dialect_impl(dialect).bind_processor(dialect)
            for name, bind in compiled.binds.items()
        }
        self._row: Any = None
        self._results: list[Processor] = []
        if isinstance(statement, Select):
            columns = list(statement.selected_columns)
            self._row = namedtuple("Row", [column.key for column in columns])
            self._results = [
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in columns
            ]

    @property
    def returns_rows(self) -> bool:
        return self._row is not None

    def parameters(self, params: Mapping[str, Any]) -> Any:
        values = {}
        for name, process in self._bind.items():
            value = params[name]
            values[name] = process(value) if process is not None else value
        if self._positions is None:
            return values
        return [values[name] for name in self._positions]

    def row(self, raw: tuple[Any, ...] | None) -> Any:
        if raw is None:
            return None
        return self._row(
            *(p(v) if p is not None else v for p, v in zip(self._results, raw, strict=True))
        )


class DriverResult:
    """What the token functions read of a result: the first row, or the rows changed."""

    def __init__(self, rowcount: int, first: Any) -> None:
        self.rowcount = rowcount
        self._first = first

    def first(self) -> Any:
        return self._first


class DriverStatements:
    """The statements of one engine, each compiled at its first use, and the connections
    they run on.

    On SQLite the worker keeps one connection for them, used in turn: SQLite has one writer at
    a time anyway, and a connection drops its page cache whenever another connection wrote to
    the file, so taking pooled connections in rotation re-reads the same index pages on every
    request (~8 % of a refresh, measured). Other databases take pooled connections.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._compiled: dict[tuple[Executable, tuple[str, ...]], DriverStatement] = {}
        self._turn = threading.Lock() if engine.dialect.name == "sqlite" else None
        self._kept: Any = None

    def get(self, statement: Executable, keys: tuple[str, ...]) -> DriverStatement:
        found = self._compiled.get((statement, keys))
        if found is None:
            found = DriverStatement(statement, self.engine.dialect, keys)
            self._compiled[(statement, keys)] = found
        return found

    def connect(self) -> DriverConnection:
        if self._turn is None:
            return DriverConnection(self, self._raw_connection(), _back_to_the_pool)
        self._turn.acquire()
        try:
            if self._kept is None:
                self._kept = self._raw_connection()
        except BaseException:
            self._turn.release()
            raise
        return DriverConnection(self, self._kept, self._end_turn)

    def _raw_connection(self) -> Any:
        """A pooled DBAPI connection. The pool raises the driver's own errors (a database that
        refuses connections): raised as SQLAlchemy's, like every error here."""
        dbapi_error = self.engine.dialect.loaded_dbapi.Error
        try:
            return self.engine.raw_connection()
        except dbapi_error as error:
            raise DBAPIError.instance(None, None, error, dbapi_error) from error

    def _end_turn(self, dbapi: Any) -> None:
        """Roll back what was not committed, and let the next request have the connection;
        a connection that cannot roll back is broken: the pool replaces it."""
        try:
            dbapi.rollback()
        except self.engine.dialect.loaded_dbapi.Error:
            self._kept = None
            dbapi.invalidate()
        finally:
            self._turn.release()


def _back_to_the_pool(dbapi: Any) -> None:
    dbapi.close()  # the pool rolls back whatever was not committed


class DriverConnection:
    """A DBAPI connection running Core statements, released when the block ends."""

    def __init__(
        self, statements: DriverStatements, dbapi: Any, release: Callable[[Any], None]
    ) -> None:
        self._statements = statements
        self._dbapi = dbapi
        self._release = release

    def execute(self, statement: Executable, params: Mapping[str, Any]) -> DriverResult:
        prepared = self._statements.get(statement, tuple(params))
        with self._translated_errors(prepared.sql, params):
            cursor = self._dbapi.cursor()
            try:
                cursor.execute(prepared.sql, prepared.parameters(params))
                first = prepared.row(cursor.fetchone()) if prepared.returns_rows else None
                return DriverResult(cursor.rowcount, first)
            finally:
                cursor.close()

    def commit(self) -> None:
        with self._translated_errors("COMMIT", None):
            self._dbapi.commit()

    @contextmanager
    def _translated_errors(self, sql: str, params: Mapping[str, Any] | None) -> Iterator[None]:
        dbapi_error = self._statements.engine.dialect.loaded_dbapi.Error
        try:
            yield
        except dbapi_error as error:
            raise DBAPIError.instance(sql, params, error, dbapi_error) from error

    def close(self) -> None:
        """Give the connection back; whatever was not committed is rolled back."""
        self._release(self._dbapi)

    def __enter__(self) -> DriverConnection:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
