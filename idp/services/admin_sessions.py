"""Console sessions: apart from the hosted pages' sessions, shorter, and verified twice.

A session starts when the password is right and stays "awaiting the second factor" until a
code is accepted (a few minutes at most, a few wrong codes at most). It then lives while it
is used (`[admin] idle_minutes`) up to `absolute_hours`; sensitive actions also want the
password and code to have been given within `reauth_minutes`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from idp.config import AdminSettings
from idp.extensions import db
from idp.models import AdminSession, StaffMember, User
from idp.services.hashing import new_secret, token_hash

# Seconds the second factor may be awaited after the password, and wrong codes tolerated in
# one session before it ends (the account's lockout counts them too).
FACTOR_WAIT_SECONDS = 300
FACTOR_FAILURES = 5
TOUCH_INTERVAL_SECONDS = 30


@dataclass(frozen=True)
class Live:
    """A console session found from its cookie, with who holds it."""

    record: AdminSession
    member: StaffMember
    user: User

    @property
    def verified(self) -> bool:
        return self.record.verified_at is not None

    def fresh(self, *, now: int, limits: AdminSettings) -> bool:
        verified_at = self.record.verified_at
        return verified_at is not None and now - verified_at < limits.reauth_minutes * 60


def start(
    member: StaffMember, *, now: int, ip: str | None, user_agent: str | None
) -> tuple[AdminSession, str]:
    """A session awaiting the second factor, and the secret for its cookie."""
    secret = new_secret(32)
    record = AdminSession(
        secret_hash=token_hash(secret),
        staff_id=member.id,
        created_at=now,
        last_seen_at=now,
        verified_at=None,
        factor_failures=0,
        ip=ip,
        user_agent=(user_agent or "")[:255] or None,
    )
    db.session.add(record)
    db.session.flush()
    return record, secret


def find_live(secret: str, *, now: int, limits: AdminSettings) -> Live | None:
    """The session of a cookie's secret, if it still stands: not ended, not idle or too old,
    its holder still staff and their account still active."""
    row = db.session.execute(
        select(AdminSession, StaffMember, User)
        .join(StaffMember, StaffMember.id == AdminSession.staff_id)
        .join(User, User.id == StaffMember.user_id)
        .where(AdminSession.secret_hash == token_hash(secret))
    ).first()
    if row is None:
        return None
    record, member, user = row
    if record.ended_at is not None:
        return None
    if record.verified_at is None:
        expired = now - record.created_at >= FACTOR_WAIT_SECONDS
    else:
        expired = (
            now - record.last_seen_at >= limits.idle_minutes * 60
            or now - record.created_at >= limits.absolute_hours * 3600
        )
    if expired or not user.is_active:
        end(record, now=now)
        return None
    if now - record.last_seen_at >= TOUCH_INTERVAL_SECONDS:
        record.last_seen_at = now
    return Live(record, member, user)


def verified(record: AdminSession, *, now: int) -> None:
    """The second factor was accepted (at sign-in or re-authentication)."""
    record.verified_at = now
    record.factor_failures = 0
    record.last_seen_at = now


def factor_failed(record: AdminSession, *, now: int) -> bool:
    """Count a wrong code; True when the session ended for too many."""
    record.factor_failures += 1
    if record.factor_failures >= FACTOR_FAILURES:
        end(record, now=now)
        return True
    return False


def end(record: AdminSession, *, now: int) -> None:
    db.session.execute(
        update(AdminSession)
        .where(AdminSession.id == record.id, AdminSession.ended_at.is_(None))
        .values(ended_at=now)
        .execution_options(synchronize_session="fetch")
    )
