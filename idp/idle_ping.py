"""Check a pooled database connection before use only when it has sat idle.

SQLAlchemy's `pool_pre_ping` checks every connection on every checkout: on PostgreSQL a
BEGIN and a SELECT 1, then a ROLLBACK when the connection goes back, more round trips than a
refresh's own statements. Yet a connection that answered a moment ago is almost never dead;
the ones that are (the server restarted, a firewall dropped an idle connection) are the ones
that sat in the pool. So a connection is pinged on checkout only after `idle_seconds` unused.

One that died within that window fails its first statement instead: SQLAlchemy then discards
every connection of the pool, the token endpoint's fast path hands the request on to the full
pipeline (which checks out a fresh one), and a page answers 503 with Retry-After, as during
any outage.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.pool import ConnectionPoolEntry

IDLE_SINCE = "idp.idle_since"


def ping_when_idle(
    engine: Engine, idle_seconds: float, clock: Callable[[], float] = time.monotonic
) -> None:
    """Ping `engine`'s connections on checkout after `idle_seconds` in the pool (0: always)."""
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _idle_from_now(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[IDLE_SINCE] = clock()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        idle_since = record.info.pop(IDLE_SINCE, None)
        # A new connection has just answered its handshake.
        if idle_since is None or clock() - idle_since < idle_seconds:
            return
        try:
            # As pool_pre_ping does (with psycopg, the transaction the ping opens goes on).
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                # The pool replaces this connection, and every other one as old.
                raise InvalidatePoolError(str(error)) from error
            raise
