"""Access and refresh tokens: issued opaque, stored hashed, revoked by grant family.

Every token descends from one grant (an authorization code, or a client_credentials call);
all tokens of a grant share its `grant_id`, so a replayed code or a reused refresh token
revokes the whole family at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

from authlib.oauth2.rfc6749 import scope_to_list
from sqlalchemy import Row, Table, bindparam, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, scoped_session

from idp.extensions import db, rowcount
from idp.models import FederatedSession, Token, User
from idp.oidc.id_token import Authentication
from idp.services.hashing import new_secret, token_hash

# Where the statements of a token request run: the request's session, or (the token
# endpoint's fast path) a connection of its own. The statements below are Core statements,
# valid on both.
Executor = Session | scoped_session[Any] | Connection


@dataclass(frozen=True)
class IssuedToken:
    """Values of a token response before they are stored (only hashes are kept)."""

    access_token: str
    refresh_token: str | None
    expires_in: int
    scope: str

    def response(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "scope": self.scope,
        }
        if self.refresh_token:
            body["refresh_token"] = self.refresh_token
        return body


def wants_refresh_token(client: Any, scope: str, grant_allows: bool) -> bool:
    """Refresh tokens go with offline_access, or to clients configured for them."""
    if not grant_allows or not client.check_grant_type("refresh_token"):
        return False
    return "offline_access" in (scope_to_list(scope) or []) or client.refresh_without_offline_access


# Built once, on the table rather than the mapped class: the token endpoint runs them on every
# call, and the ORM's unit of work and bulk-update machinery cost more than the statements.
_TOKENS = cast(Table, Token.__table__)  # a declarative model's table (typed FromClause)
_USERS = cast(Table, User.__table__)
_FEDERATED = cast(Table, FederatedSession.__table__)
_INSERT = insert(_TOKENS)
_CONSUME = (
    update(_TOKENS)
    .where(
        _TOKENS.c.id == bindparam("token_id"),
        _TOKENS.c.refresh_used_at.is_(None),
        _TOKENS.c.revoked.is_(False),
    )
    .values(refresh_used_at=bindparam("now"))
)
# The columns of a new token's row, all given by _new_row (the database numbers it).
_NEW_ROW = tuple(column.name for column in _TOKENS.c if column.name != "id")
# PostgreSQL: the consumption and the new row in one statement (one round trip, atomic by
# itself): the INSERT selects its values from the row the UPDATE consumed, so a token another
# request consumed first yields no row and no insert. (RETURNING says which: the row count of
# an INSERT ... SELECT is not kept by SQLAlchemy.)
_CONSUMED = _CONSUME.returning(_TOKENS.c.id).cte("consumed")
_ROTATE = (
    insert(_TOKENS)
    .from_select(
        _NEW_ROW,
        # Parameters named after columns would also become the UPDATE's SET clause: prefixed.
        select(
            *(bindparam(f"new_{name}", type_=_TOKENS.c[name].type) for name in _NEW_ROW)
        ).select_from(_CONSUMED),
    )
    .returning(_TOKENS.c.id)
)
# The token, its user's subject and status, and the upstream provider of its session (the
# `idp` claim of its ID token): everything a refresh reads, in one query.
_REFRESH_GRANT = (
    select(
        _TOKENS,
        _USERS.c.subject,
        _USERS.c.status.label("user_status"),
        _FEDERATED.c.provider.label("upstream_provider"),
    )
    .join_from(_TOKENS, _USERS, _TOKENS.c.user_id == _USERS.c.id)
    .outerjoin(_FEDERATED, _FEDERATED.c.sid == _TOKENS.c.sid)
    .where(_TOKENS.c.refresh_token_hash == bindparam("refresh_token_hash"))
)


def _new_row(
    response: dict[str, Any],
    *,
    client_id: str,
    user_id: int | None,
    grant_id: str,
    granted_scope: str,
    now: int,
    refresh_expires_at: int | None,
    authentication: Authentication | None,
) -> dict[str, Any]:
    """The stored values of a token response: hashes, never the tokens."""
    refresh = response.get("refresh_token")
    return {
        "access_token_hash": token_hash(response["access_token"]),
        "refresh_token_hash": token_hash(refresh) if refresh else None,
        "client_id": client_id,
        "user_id": user_id,
        "scope": response.get("scope", ""),
        "granted_scope": granted_scope,
        "grant_id": grant_id,
        "issued_at": now,
        "expires_at": now + int(response["expires_in"]),
        "refresh_expires_at": refresh_expires_at if refresh else None,
        "revoked": False,
        "refresh_used_at": None,
        "auth_time": authentication.auth_time if authentication else None,
        "acr": authentication.acr if authentication else None,
        "amr": list(authentication.amr) if authentication else None,
        "sid": authentication.sid if authentication else None,
    }


def store(conn: Executor, response: dict[str, Any], **row: Any) -> None:
    """Store a token response; `row`: the keyword arguments of _new_row."""
    conn.execute(_INSERT, _new_row(response, **row))


def new_grant_id() -> str:
    return new_secret(16)


def generate(scope: str, expires_in: int, with_refresh: bool) -> IssuedToken:
    return IssuedToken(
        access_token=new_secret(32),
        refresh_token=new_secret(32) if with_refresh else None,
        expires_in=expires_in,
        scope=scope,
    )


def by_access_token(value: str) -> Token | None:
    return db.session.scalar(select(Token).where(Token.access_token_hash == token_hash(value)))


def by_refresh_token(value: str) -> Token | None:
    return db.session.scalar(select(Token).where(Token.refresh_token_hash == token_hash(value)))


@contextmanager
def connection() -> Iterator[Connection]:
    """A connection of its own, outside the ORM's session (the token endpoint's fast path).

    On PostgreSQL each statement commits by itself: a refresh's read needs no transaction
    and its rotation is one statement, so BEGIN and COMMIT would be two more round trips.
    Elsewhere the statements run in a transaction the caller commits.
    """
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT")
        yield conn


def refresh_grant(conn: Executor, value: str) -> Any:
    """The row of a refresh token with its user's `subject` and `user_status`, and the
    `upstream_provider` its session was signed in through (None: ours), in one query."""
    return conn.execute(_REFRESH_GRANT, {"refresh_token_hash": token_hash(value)}).first()


def authentication_of(row: Token | Row[Any]) -> Authentication:
    """How the user of a token's grant signed in (rows from before auth_time was kept:
    their issue time)."""
    return Authentication(row.auth_time or row.issued_at, row.acr, tuple(row.amr or ()), row.sid)


def access_token_active(row: Token | None, now: int) -> bool:
    return row is not None and not row.revoked and now < row.expires_at


def refresh_token_active(row: Token | Row[Any] | None, now: int) -> bool:
    return (
        row is not None
        and row.refresh_token_hash is not None
        and not row.revoked
        and row.refresh_used_at is None
        and row.refresh_expires_at is not None
        and now < row.refresh_expires_at
    )


def rotate(conn: Executor, old_id: int, response: dict[str, Any], *, now: int, **row: Any) -> bool:
    """Mark refresh token `old_id` used and store `response` (`row`: as for store()),
    atomically; False, with nothing written, when another request used it first.

    One statement on PostgreSQL, which commits by itself outside a transaction; elsewhere
    (SQLite) an UPDATE then an INSERT, in the caller's transaction.
    """
    values = _new_row(response, now=now, **row)
    if _dialect(conn) == "postgresql":
        parameters = {f"new_{name}": value for name, value in values.items()}
        inserted = conn.execute(_ROTATE, {**parameters, "token_id": old_id, "now": now})
        return inserted.first() is not None
    if rowcount(conn.execute(_CONSUME, {"token_id": old_id, "now": now})) != 1:
        return False
    conn.execute(_INSERT, values)
    return True


def _dialect(conn: Executor) -> str:
    bind = conn if isinstance(conn, Connection) else conn.get_bind()
    return bind.dialect.name


def revoke_family(grant_id: str) -> int:
    """Revoke every token of a grant; returns how many were still live."""
    result = db.session.execute(
        update(Token)
        .where(Token.grant_id == grant_id, Token.revoked.is_(False))
        .values(revoked=True)
    )
    return rowcount(result)
