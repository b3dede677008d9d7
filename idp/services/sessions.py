"""Server-side sign-in sessions: started at sign-in, checked for idle and absolute limits.

The browser's cookie holds the session's secret; the database holds only its hash, the
session's `sid`, which is also what ID tokens, codes, tokens and pending requests name. A
copy of the database therefore gives no cookie to present, as for every other bearer secret.
"""

from __future__ import annotations

from sqlalchemy import select, update

from idp.config import SessionSettings
from idp.extensions import db
from idp.models import BrowserSession, Token, User
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


def find_live(secret: str, *, now: int, limits: SessionSettings) -> BrowserSession | None:
    """The session of a cookie's secret if it is neither ended, idle too long, nor past its
    absolute lifetime."""
    record = db.session.scalar(
        select(BrowserSession).where(BrowserSession.sid == token_hash(secret))
    )
    if record is None or record.ended_at is not None:
        return None
    idle_expired = now - record.last_seen_at >= limits.idle_minutes * 60
    too_old = now - record.created_at >= limits.absolute_hours * 3600
    if idle_expired or too_old:
        record.ended_at = now
        return None
    if now - record.last_seen_at >= TOUCH_INTERVAL_SECONDS:
        record.last_seen_at = now
    return record


def end(sid: str, *, now: int) -> bool:
    """End the session named by its `sid` (the hash, as ID tokens carry it)."""
    result = db.session.execute(
        update(BrowserSession)
        .where(BrowserSession.sid == sid, BrowserSession.ended_at.is_(None))
        .values(ended_at=now)
    )
    return result.rowcount == 1


def end_access(user_id: int, *, now: int, keep_sid: str | None = None) -> None:
    """End the account's sessions (but `keep_sid`) and revoke all its tokens at once."""
    end_all_for_user(user_id, now=now, keep_sid=keep_sid)
    db.session.execute(
        update(Token).where(Token.user_id == user_id, Token.revoked.is_(False)).values(revoked=True)
    )


def end_all_for_user(user_id: int, *, now: int, keep_sid: str | None = None) -> int:
    query = update(BrowserSession).where(
        BrowserSession.user_id == user_id, BrowserSession.ended_at.is_(None)
    )
    if keep_sid:
        query = query.where(BrowserSession.sid != keep_sid)
    return db.session.execute(query.values(ended_at=now)).rowcount
