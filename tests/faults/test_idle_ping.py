"""A pooled PostgreSQL connection is checked before use only after it sat idle (idp.idle_ping).

The connection is killed by the server (pg_terminate_backend), as a restart or a firewall
closing idle connections would.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from idp import create_app
from idp.extensions import db
from idp.idle_ping import ping_when_idle
from tests.conftest import settings_for
from tests.faults.conftest import PrivatePostgres, wait_until

pytestmark = pytest.mark.faults

IDLE_SECONDS = 5


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def engine(private_postgres: PrivatePostgres) -> Iterator[Engine]:
    engine = create_engine(private_postgres.url)
    yield engine
    engine.dispose()


def _backend(engine: Engine) -> int:
    """The server process of the connection the pool hands out next (it holds only one)."""
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def _terminate(server: PrivatePostgres, pid: int) -> None:
    dsn = f"host=127.0.0.1 port={server.port} user=postgres dbname=idp"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", (pid,))

        def gone() -> bool:
            found = conn.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,))
            return found.fetchone() is None

        wait_until(gone, 5, "the backend's end")


def test_a_connection_that_died_while_idle_is_replaced_before_use(engine, private_postgres):
    clock = Clock()
    ping_when_idle(engine, IDLE_SECONDS, clock)
    dead = _backend(engine)
    _terminate(private_postgres, dead)
    clock.now += IDLE_SECONDS

    with engine.connect() as conn:
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != dead


def test_a_connection_used_a_moment_ago_is_not_pinged_and_if_dead_the_pool_starts_afresh(
    engine, private_postgres
):
    """The round trips saved on every request; the price: the first statement on a connection
    that died within the window fails (a 503 the client retries), and only that one."""
    clock = Clock()
    ping_when_idle(engine, IDLE_SECONDS, clock)
    dead = _backend(engine)
    _terminate(private_postgres, dead)
    clock.now += IDLE_SECONDS - 0.1

    with pytest.raises(OperationalError), engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    assert _backend(engine) != dead


def test_the_app_checks_a_connection_that_sat_idle(tmp_path: Path, private_postgres):
    settings = settings_for(
        tmp_path, database={"url": private_postgres.url, "ping_after_idle_seconds": 1}
    )
    app = create_app(settings)
    client = app.test_client()
    assert client.get("/readyz").status_code == 200
    with app.app_context():
        dead = _backend(db.engine)
    _terminate(private_postgres, dead)
    time.sleep(1.1)

    assert client.get("/readyz").status_code == 200
    with app.app_context():
        assert _backend(db.engine) != dead
        db.engine.dispose()
