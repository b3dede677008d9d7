"""Server-side sign-in sessions: started at sign-in, checked for idle and absolute limits.

The browser's cookie holds the session's secret; the database holds only its hash, the
session's `sid`, which is also what ID tokens, codes, tokens and pending requests name. A
copy of the database therefore gives no cookie to present, as for every other bearer secret.

However a session ends (sign-out, expiry, disablement, password change, withdrawn access), it
ends in `_end`, which also queues the back-channel logout tokens of the applications that had
it, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ColumnElement, bindparam, select, update

from idp.config import SessionSettings
from idp.extensions import db
from idp.models import BrowserSession, Token, User
from idp.services import logout_deliveries
from idp.services.hashing import new_secret, token_hash

# A session's last activity is written at most this often (saves a write per page).
TOUCH_INTERVAL_SECONDS = 60


def start(
    user: User,
    *,
    now: int,
    acr: str,
    amr: list[str],
    ip: str | None = None,
    user_agent: str | None = None,
) -> tuple[BrowserSession, str]:
    """A new session and the secret for the browser's cookie (stored only as its hash)."""
    secret = new_secret(24)
    record = BrowserSession(
        sid=token_hash(secret),
        user_id=user.id,
        auth_time=now,
        acr=acr,
        amr=amr,
        created_at=now,
        last_seen_at=now,
        ip=ip,
        user_agent=(user_agent or "")[:255] or None,
    )
    db.session.add(record)
    user.last_login_at = now
    return record, secret


# A session with its user, whom every page that finds the session reads next: one query.
_WITH_USER = (
    select(BrowserSession, User)
    .join(User, User.id == BrowserSession.user_id)
    .where(BrowserSession.sid == bindparam("sid"))
)


def find_live(
    secret: str, *, now: int, limits: SessionSettings
) -> tuple[BrowserSession, User] | None:
    """The session of a cookie's secret, with its user, if it is neither ended, idle too
    long, nor past its absolute lifetime."""
    found = db.session.execute(_WITH_USER, {"sid": token_hash(secret)}).first()
    if found is None:
        return None
    record, user = found
    if record.ended_at is not None:
        return None
    idle_expired = now - record.last_seen_at >= limits.idle_minutes * 60
    too_old = now - record.created_at >= limits.absolute_hours * 3600
    if idle_expired or too_old:
        _end(BrowserSession.id == record.id, now=now)
        return None
    if now - record.last_seen_at >= TOUCH_INTERVAL_SECONDS:
        record.last_seen_at = now
    return record, user


def end(sid: str, *, now: int) -> bool:
    """End the session named by its `sid` (the hash, as ID tokens carry it)."""
    return len(_end(BrowserSession.sid == sid, now=now)) == 1


def end_many(sids: Collection[str], *, now: int) -> int:
    """End these sessions (by `sid`); how many were still live."""
    if not sids:
        return 0
    return len(_end(BrowserSession.sid.in_(sids), now=now))


def end_access(user_id: int, *, now: int, keep_sid: str | None = None) -> None:
    """End the account's sessions (but `keep_sid`) and revoke all its tokens at once."""
    end_all_for_user(user_id, now=now, keep_sid=keep_sid)
    db.session.execute(
        update(Token).where(Token.user_id == user_id, Token.revoked.is_(False)).values(revoked=True)
    )


def end_all_for_user(user_id: int, *, now: int, keep_sid: str | None = None) -> int:
    criteria = [BrowserSession.user_id == user_id]
    if keep_sid:
        criteria.append(BrowserSession.sid != keep_sid)
    return len(_end(*criteria, now=now))


def _end(*criteria: ColumnElement[bool], now: int) -> list[str]:
    """End the live sessions that match, and queue the logout tokens for the applications
    that had them; returns their sids. A session ends once: a second call finds it ended
    and tells nobody again."""
    sids = list(
        db.session.scalars(
            update(BrowserSession)
            .where(*criteria, BrowserSession.ended_at.is_(None))
            .values(ended_at=now)
            .returning(BrowserSession.sid)
            .execution_options(synchronize_session="fetch")
        )
    )
    logout_deliveries.queue(sids, now=now)
    return sids
