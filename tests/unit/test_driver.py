"""idp.driver runs Core statements on the DBAPI cursor: its results must be those SQLAlchemy
gives for the same statements (JSON, booleans, labels), on SQLite and PostgreSQL alike."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import bindparam, column, create_engine, func, select, table
from sqlalchemy.exc import DBAPIError, OperationalError

from idp.driver import DriverStatements
from idp.extensions import db
from idp.models import Token
from idp.oidc import tokens
from idp.oidc.id_token import Authentication
from tests.support.factories import Factories

AUTHENTICATION = Authentication(auth_time=1_000, acr="eidas1", amr=("pwd", "otp"), sid="sid-1")


def _store(conn: Any, user_id: int, refresh: str) -> None:
    tokens.store(
        conn,
        {
            "access_token": "at-" + refresh,
            "refresh_token": refresh,
            "expires_in": 600,
            "scope": "openid",
        },
        client_id="rp",
        user_id=user_id,
        grant_id="grant-1",
        granted_scope="openid offline_access",
        now=2_000,
        refresh_expires_at=9_000,
        authentication=AUTHENTICATION,
    )


@pytest.fixture
def statements(app: Flask, factories: Factories) -> Iterator[DriverStatements]:
    """The engine's statements, inside an app context."""
    with app.app_context():
        yield DriverStatements(db.engine)


@pytest.fixture
def user_id(factories: Factories) -> int:
    return factories.user().id


def test_a_row_written_and_read_by_the_driver_is_what_sqlalchemy_sees(statements, user_id):
    with statements.connect() as conn:
        _store(conn, user_id, "rt-1")
        conn.commit()
    stored = db.session.scalar(select(Token).where(Token.user_id == user_id))
    assert stored.amr == ["pwd", "otp"] and stored.revoked is False
    assert stored.refresh_used_at is None and stored.auth_time == 1_000
    expected = db.session.execute(
        tokens._REFRESH_GRANT, {"refresh_token_hash": stored.refresh_token_hash}
    ).first()
    with statements.connect() as conn:
        found = tokens.refresh_grant(conn, "rt-1")
        assert tokens.refresh_grant(conn, "never-issued") is None
    assert found._asdict() == dict(expected._mapping)
    assert found.user_status == "active" and found.subject == expected.subject
    assert tokens.authentication_of(found) == AUTHENTICATION


def test_a_refresh_token_is_consumed_once(statements, user_id):
    with statements.connect() as conn:
        _store(conn, user_id, "rt-2")
        row = tokens.refresh_grant(conn, "rt-2")
        assert tokens.consume_refresh_token(conn, row.id, 3_000) is True
        assert tokens.consume_refresh_token(conn, row.id, 3_001) is False
        conn.commit()
    assert db.session.scalar(select(Token.refresh_used_at).where(Token.id == row.id)) == 3_000


def test_what_is_not_committed_is_rolled_back(statements, user_id):
    with statements.connect() as conn:
        _store(conn, user_id, "rt-3")
    assert db.session.scalar(select(func.count()).select_from(Token)) == 0


def test_each_statement_is_compiled_once_per_set_of_parameters(statements):
    first = statements.get(tokens._CONSUME, ("token_id", "now"))
    assert statements.get(tokens._CONSUME, ("token_id", "now")) is first
    assert statements.get(tokens._CONSUME, ("now", "token_id")) is not first


def test_a_database_error_is_raised_as_sqlalchemy_raises_it(statements):
    missing = select(table("missing", column("x"))).where(column("x") == bindparam("x"))
    with statements.connect() as conn, pytest.raises(DBAPIError, match="missing"):
        conn.execute(missing, {"x": 1})


def test_sqlite_keeps_one_connection_used_in_turn_others_take_pooled_ones(statements, backend):
    """SQLite: the second request waits for the first and gets the same (warm) connection;
    PostgreSQL: each gets a pooled connection at once."""
    first = statements.connect()
    got: list[Any] = []

    def second() -> None:
        with statements.connect() as conn:
            got.append(conn._dbapi.dbapi_connection)

    waiting = threading.Thread(target=second)
    waiting.start()
    waiting.join(timeout=0.3)
    in_turn = backend == "sqlite"
    assert waiting.is_alive() is in_turn
    first_connection = first._dbapi.dbapi_connection
    first.close()
    waiting.join(timeout=5)
    assert not waiting.is_alive()
    assert (got == [first_connection]) is in_turn


@pytest.mark.parametrize(
    "url", ["postgresql+psycopg://idp@127.0.0.1:{port}/idp", "sqlite:///{gone}"]
)
def test_a_database_that_refuses_connections_is_raised_as_sqlalchemy_raises_it(url, tmp_path):
    """The pool raises the driver's own error when it cannot connect; callers catch
    SQLAlchemy's (the token fast path answers 503 for it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    engine = create_engine(url.format(port=port, gone=tmp_path / "gone" / "x.sqlite3"))
    with pytest.raises(OperationalError):
        DriverStatements(engine).connect()
    engine.dispose()
