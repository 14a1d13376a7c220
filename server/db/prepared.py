"""Core statements compiled once per database and run straight on the driver's cursor.

For the few statements on the hottest path: the booking's seat claim, its appointment and
its audit row, which run inside SQLite's one write transaction, where every microsecond is
paid again by every request queued behind it. `Connection.execute` costs about 100 µs a
statement on the 2-core reference machine besides the driver's own 35 µs (cache key,
execution context, result object; bench/booking_load.py, issue #11). Here that work is
done once: the statement is still written in Core, SQLAlchemy compiles it for the
connection's dialect, and SQLAlchemy's own bind and result processors convert the values,
so both databases run the same SQL a plain `execute` would and store the same text.

What a plain `execute` does besides is kept: text holding NUL is refused before the
statement runs (server/db/nul_guard.py), and driver errors come out as SQLAlchemy's
(`IntegrityError`, `OperationalError`, without parameter values), so callers handle them
as they handle any other statement's.
"""

from __future__ import annotations

import weakref
from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter, literal_column
from sqlalchemy.sql.expression import ClauseElement
from sqlalchemy.sql.visitors import replacement_traverse

from server.db.nul_guard import refuse_nul

Processor = Callable[[Any], Any]
Invalidate = Callable[[BaseException], None]
"""Drops a connection found dead: the pool opens a new one (`Connection.invalidate`)."""


@dataclass(frozen=True)
class _Compiled:
    sql: str
    defaults: dict[str, Any]
    """Values fixed in the statement itself (`status = 'booked'`)."""
    order: Sequence[str] | None
    """Parameter names in order for a positional driver (SQLite's `?`), None for named ones."""
    bind: dict[str, Processor]
    row: Callable[..., Any] | None
    """Builds a result row (a named tuple), None for statements that return no rows."""
    results: tuple[Processor | None, ...]


class Prepared:
    """One statement, compiled the first time it runs on each database."""

    def __init__(self, statement: ClauseElement, *, columns: Sequence[str] | None = None) -> None:
        """`columns`: for an INSERT, the columns it sets (the others take their defaults)."""
        self.statement = statement
        self.columns = list(columns) if columns is not None else None
        self._compiled: weakref.WeakKeyDictionary[Dialect, _Compiled] = weakref.WeakKeyDictionary()

    def first(self, conn: Connection, parameters: Mapping[str, Any]) -> Any:
        """The first result row (attributes named like the statement's columns), or None."""
        return self._first(conn.connection, conn.dialect, parameters, conn.invalidate)

    def first_on_pooled(self, pooled: PoolProxiedConnection, dialect: Dialect, parameters: Mapping[str, Any]) -> Any:
        """`first` on a connection straight from the pool (`Engine.raw_connection()`), for a
        read that needs no transaction: no `Connection` object is built around it."""
        return self._first(pooled, dialect, parameters, pooled.invalidate)

    def _first(
        self, pooled: PoolProxiedConnection, dialect: Dialect, parameters: Mapping[str, Any], invalidate: Invalidate
    ) -> Any:
        compiled = self._for(dialect)
        cursor = self._run(pooled, dialect, compiled, parameters, invalidate)
        raw = cursor.fetchone()
        cursor.close()
        if raw is None or compiled.row is None:
            return None
        return compiled.row(*[value if convert is None else convert(value)
                              for convert, value in zip(compiled.results, raw, strict=True)])  # fmt: skip

    def all(self, conn: Connection, parameters: Mapping[str, Any]) -> list[Any]:
        """Every result row (attributes named like the statement's columns)."""
        return list(self.each(conn, parameters))

    def each(self, conn: Connection, parameters: Mapping[str, Any]) -> Iterator[Any]:
        """Every result row, like `all`, each read and converted only when the caller gets to it.

        A caller that stops early saves the database finding the rest and Python converting
        them (a date and two timestamps a slot: 60 slots were half of a refused booking's
        CPU, issue #11). The cursor is closed when the rows run out or the caller lets go of
        them, so use them inside the connection's block."""
        compiled = self._for(conn.dialect)
        cursor = self._run(conn.connection, conn.dialect, compiled, parameters, conn.invalidate)
        assert compiled.row is not None, "a statement that returns rows"
        row, results = compiled.row, compiled.results
        try:
            for raw in cursor:
                yield row(*[value if convert is None else convert(value)
                            for convert, value in zip(results, raw, strict=True)])  # fmt: skip
        finally:
            cursor.close()

    def execute(self, conn: Connection, parameters: Mapping[str, Any]) -> int:
        """Run a statement that returns no rows; the number of rows it changed."""
        cursor = self._run(conn.connection, conn.dialect, self._for(conn.dialect), parameters, conn.invalidate)
        count: int = cursor.rowcount
        cursor.close()
        return count

    def _run(
        self,
        pooled: PoolProxiedConnection,
        dialect: Dialect,
        compiled: _Compiled,
        parameters: Mapping[str, Any],
        invalidate: Invalidate,
    ) -> Any:
        refuse_nul(parameters)
        values = compiled.defaults | dict(parameters)
        for name, convert in compiled.bind.items():
            values[name] = convert(values[name])
        cursor = pooled.cursor()
        try:
            cursor.execute(compiled.sql, values if compiled.order is None else [values[n] for n in compiled.order])
        except dialect.loaded_dbapi.Error as exc:
            cursor.close()
            if dialect.is_disconnect(exc, pooled, cursor):
                invalidate(exc)
            error = DBAPIError.instance(
                compiled.sql, None, exc, dialect.loaded_dbapi.Error, hide_parameters=True, dialect=dialect
            )
            raise error from exc
        return cursor

    def _for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect)
        if compiled is None:
            compiled = self._compiled[dialect] = self._compile(dialect)
        return compiled

    def _compile(self, dialect: Dialect) -> _Compiled:
        statement = _with_fixed_values_written_in(self.statement, dialect)
        compiled = statement.compile(dialect=dialect, column_keys=self.columns)
        assert isinstance(compiled, SQLCompiler)
        computed = [column.key for column in (*compiled.insert_prefetch, *compiled.update_prefetch)]
        if computed:  # SQLAlchemy computes those per execution; here nobody would
            raise ValueError(f"a prepared statement must be given {computed} (they have Python-side defaults)")
        bind: dict[str, Processor] = {}
        for name, parameter in compiled.binds.items():
            convert = parameter.type.dialect_impl(dialect).bind_processor(dialect)
            if convert is not None:
                bind[name] = convert
        returned = list(getattr(statement, "exported_columns", []))
        row = namedtuple("Row", [column.key for column in returned]) if returned else None
        results = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None) for column in returned)
        defaults = {name: value for name, value in compiled.params.items() if value is not None}
        return _Compiled(compiled.string, defaults, compiled.positiontup, bind, row, results)


def _with_fixed_values_written_in(statement: ClauseElement, dialect: Dialect) -> ClauseElement:
    """The statement with the values fixed in it (`status = 'booked'`, `LIMIT 60`) written into
    its SQL instead of sent as parameters.

    SQLite's planner may use a parameter's value, to pick a partial index (the one allowing
    one booked appointment per resident and slot is `WHERE status = 'booked'`); such a
    statement is prepared again every time that parameter is bound, which the driver does
    on every execution: the booking's first query and the free-slot queries spent three
    quarters of their time being parsed and planned again (issue #11). Values the type
    cannot write as SQL stay parameters.
    """

    def written_in(element: Any, **_kw: Any) -> ClauseElement | None:
        if not isinstance(element, BindParameter) or element.required or element.callable is not None:
            return None
        if element.value is None:
            return None
        render = element.type.dialect_impl(dialect).literal_processor(dialect)
        return literal_column(render(element.value), element.type) if render is not None else None

    rewritten = replacement_traverse(statement, {}, written_in)
    assert isinstance(rewritten, ClauseElement)
    return rewritten
