"""What an agent does for an account holder: unlock, invite, send a temporary password, end
sessions. `idp users …` and the console's "Comptes" pages both call these, so the rule and
its audit record (`by`: "cli" or "staff:<identifier>") are written once.

The agent never sees the temporary password: it goes to the account's own address, queued in
the transaction of the change; when the account has no address there, nothing is changed.
"""

from __future__ import annotations

from sqlalchemy import select

from idp.config import SessionSettings
from idp.extensions import db
from idp.models import BrowserSession, Client, User
from idp.services import audit, credentials, sessions
from idp.services.deliveries import Deliveries, NoAddress, address
from idp.services.lockout import Lockout
from idp.services.mailboxes import email_for
from idp.services.passwords import PasswordHashing
from idp.services.users import AccountError, find_by_identifier

CHANNELS = ("email", "sms", "post")


class NotDelivered(Exception):
    """The message cannot go: the account has no address on this channel."""


def unlock(identifier: str, *, lockout: Lockout, now: int, by: str) -> bool:
    """End a lock caused by failed sign-ins and forget the failures; False when there was
    none (recorded all the same: someone asked)."""
    was_locked = lockout.unlock(identifier, now=now)
    user = find_by_identifier(identifier)
    audit.record(
        "unlock",
        "success" if was_locked else "not_locked",
        at=now,
        user_id=user.id if user else None,
        identifier=None if user else identifier,
        by=by,
    )
    return was_locked


def invite(user: User, *, now: int, by: str, deliveries: Deliveries) -> str:
    """A new single-use link to create the password, for an account that has none yet;
    returns the address it went to."""
    if user.password_hash:
        raise AccountError(f"{user.identifier} already has a password: send a temporary one")
    try:
        deliveries.send_invitation(user)
    except NoAddress as exc:
        audit.record("invitation_sent", "failed", at=now, user_id=user.id, by=by)
        raise NotDelivered(str(exc)) from None
    audit.record("invitation_sent", "success", at=now, user_id=user.id, by=by)
    return email_for(user) or ""


def send_temporary_password(
    user: User,
    *,
    channel: str,
    now: int,
    hashing: PasswordHashing,
    deliveries: Deliveries,
    by: str,
) -> None:
    """Replace the password by a temporary one (sessions and tokens end) and send it over
    `channel` ("réinitialisé par un agent"), queued with the change. Without an address there,
    nothing is changed: the account keeps its password and sessions, and `NotDelivered` says
    why."""
    try:
        address(user, channel)  # before the change and its notice to the account
    except NoAddress as exc:
        audit.record(
            "temporary_password_sent", "failed", at=now, user_id=user.id, by=by, channel=channel
        )
        raise NotDelivered(str(exc)) from None
    temporary = credentials.reset_to_temporary(
        user, now=now, hashing=hashing, reason="agent", deliveries=deliveries
    )
    deliveries.send_temporary_password(user, temporary, channel=channel)
    audit.record(
        "temporary_password_sent", "success", at=now, user_id=user.id, by=by, channel=channel
    )


def live_sessions(user_id: int, *, now: int, limits: SessionSettings) -> list[BrowserSession]:
    """The account's sessions still in use (neither ended, idle too long, nor too old),
    most recently seen first."""
    return list(
        db.session.scalars(
            select(BrowserSession)
            .where(
                BrowserSession.user_id == user_id,
                BrowserSession.ended_at.is_(None),
                BrowserSession.last_seen_at > now - limits.idle_minutes * 60,
                BrowserSession.created_at > now - limits.absolute_hours * 3600,
            )
            .order_by(BrowserSession.last_seen_at.desc(), BrowserSession.id.desc())
        )
    )


def end_session(user: User, session_id: int, *, now: int, by: str) -> bool:
    """End one of the account's sessions; False when it has no such live session."""
    record = db.session.scalar(
        select(BrowserSession).where(
            BrowserSession.id == session_id, BrowserSession.user_id == user.id
        )
    )
    if record is None or not sessions.end(record.sid, now=now):
        return False
    audit.record("session_ended", "success", at=now, user_id=user.id, by=by, count=1)
    return True


def end_sessions(user: User, *, now: int, by: str) -> int:
    """End all the account's sessions; how many were live."""
    ended = sessions.end_all_for_user(user.id, now=now)
    audit.record("session_ended", "success", at=now, user_id=user.id, by=by, count=ended)
    return ended


def restricted_applications() -> list[Client]:
    """The applications an account needs a habilitation for, by name."""
    return list(
        db.session.scalars(
            select(Client)
            .where(Client.requires_habilitation.is_(True))
            .order_by(Client.name, Client.client_id)
        )
    )
