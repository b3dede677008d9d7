"""Setting and changing passwords: the rules, the history, and what a change ends.

Every change (by the user, by an agent, by recovery) goes through `replace_password`: it
keeps the former hash for the history rule, ends the user's other sessions, revokes their
refresh tokens, and e-mails the account a notification.

What a recovery sends is not a change yet: a *pending* temporary password waits beside the
current one (`issue_pending_temporary`); whichever is typed signs in (`password_match`), and
only the use of the pending one makes it the password (`use_pending`). So anyone may start an
account's recovery without taking anything from its holder.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass

from sqlalchemy import select, update

from idp.config import PasswordSettings
from idp.extensions import db
from idp.models import PasswordHistory, User
from idp.services import audit, password_policy, sessions
from idp.services.deliveries import Deliveries
from idp.services.mailboxes import email_for, primary_notice_address
from idp.services.notices import send_change_notice
from idp.services.passwords import PasswordHashing

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChangeResult:
    problems: list[str]

    @property
    def changed(self) -> bool:
        return not self.problems


def user_inputs(user: User) -> list[str]:
    """What a guesser knows about the user, counted against the password."""
    values = [user.identifier, user.given_name, user.family_name, user.email]
    if user.email:
        values.append(user.email.split("@")[0])
    return [v for v in values if v]


def _recent_hashes(user: User, count: int) -> list[str]:
    """The current hash and the former ones, newest first: `count` in all."""
    if count <= 0:
        return []
    former = db.session.scalars(
        select(PasswordHistory.password_hash)
        .where(PasswordHistory.user_id == user.id)
        .order_by(PasswordHistory.created_at.desc(), PasswordHistory.id.desc())
        .limit(count)
    ).all()
    return [h for h in [user.password_hash, *former] if h][:count]


def check_new_password(
    user: User,
    new_password: str,
    confirmation: str,
    *,
    hashing: PasswordHashing,
    settings: PasswordSettings,
) -> list[str]:
    """Problems of a new password (catalogue keys); empty when it can be set."""
    verdict = password_policy.evaluate(new_password, settings, user_inputs=user_inputs(user))
    problems = list(verdict.problems)
    if new_password != confirmation:
        problems.append("password.mismatch")
    if not problems:
        recent = _recent_hashes(user, max(settings.history, 1))
        if user.password_hash and hashing.verify(user.password_hash, new_password):
            problems.append("password.same_as_current")
        elif any(hashing.verify(h, new_password) for h in recent[1:]):
            problems.append("password.reused")
    return problems


def replace_password(
    user: User,
    new_password: str,
    *,
    now: int,
    hashing: PasswordHashing,
    temporary: bool,
    keep_sid: str | None,
    reason: str,
    deliveries: Deliveries,
    ip: str | None = None,
) -> None:
    """Store the new password; end other sessions and refresh tokens; notify the account."""
    _store_hash(
        user,
        hashing.hash(new_password),
        now=now,
        temporary=temporary,
        keep_sid=keep_sid,
        reason=reason,
        deliveries=deliveries,
        ip=ip,
    )


def _store_hash(
    user: User,
    new_hash: str,
    *,
    now: int,
    temporary: bool,
    keep_sid: str | None,
    reason: str,
    deliveries: Deliveries,
    ip: str | None = None,
) -> None:
    """The one place a password changes (a pending one is superseded by any change)."""
    if user.password_hash:
        db.session.add(
            PasswordHistory(user_id=user.id, password_hash=user.password_hash, created_at=now)
        )
    user.password_hash = new_hash
    user.password_changed_at = now
    user.password_temporary = temporary
    user.pending_password_hash = None
    user.pending_password_expires_at = None
    user.updated_at = now
    sessions.end_access(user.id, now=now, keep_sid=keep_sid)
    audit.record("password_changed", "success", at=now, user_id=user.id, ip=ip, reason=reason)
    notify_password_changed(user, now=now, deliveries=deliveries)


class Match(enum.Enum):
    """Which of an account's credentials a typed password is."""

    NONE = "none"
    CURRENT = "current"
    PENDING = "pending"


def password_match(
    user: User | None, password: str, *, hashing: PasswordHashing, now: int
) -> Match:
    """The current password, or the temporary one a recovery sent while it lasts.

    A wrong password always costs two argon2 verifications: against the pending hash where a
    recovery left one, against the dummy hash elsewhere (unknown accounts included). So the
    time tells neither that an account exists nor that a recovery, which anyone can start,
    is pending for it.
    """
    if hashing.verify(user.password_hash if user else None, password):
        return Match.CURRENT
    live = user is not None and (user.pending_password_expires_at or 0) > now
    pending = user.pending_password_hash if live and user is not None else None
    if hashing.verify(pending, password):  # None: the dummy hash, never a match
        return Match.PENDING
    return Match.NONE


def issue_pending_temporary(
    user: User, *, now: int, hashing: PasswordHashing, valid_seconds: int, reason: str
) -> str:
    """A temporary password for a recovery to deliver, valid beside the current one until it
    is used or `valid_seconds` pass (a newer one replaces it); returns it."""
    temporary = hashing.new_temporary()
    user.pending_password_hash = hashing.hash(temporary)
    user.pending_password_expires_at = now + valid_seconds
    audit.record("pending_password", "issued", at=now, user_id=user.id, reason=reason)
    return temporary


def use_pending(user: User, *, now: int, deliveries: Deliveries) -> None:
    """The recovery's temporary password was typed: it becomes the password, to personalise
    (the former one goes to the history, sessions end, the account is told).

    One UPDATE claims it, so two sign-ins with it at once change the password once (the
    second finds it already the password and ends nobody's session).
    """
    pending = user.pending_password_hash
    claimed = db.session.execute(
        update(User)
        .where(User.id == user.id, User.pending_password_hash == pending)
        .values(pending_password_hash=None, pending_password_expires_at=None)
        .returning(User.id)
        .execution_options(synchronize_session=False)
    ).scalar()
    if pending is None or claimed is None:
        return
    _store_hash(
        user,
        pending,
        now=now,
        temporary=True,
        keep_sid=None,
        reason="recovery:pending_used",
        deliveries=deliveries,
    )


def reset_to_temporary(
    user: User, *, now: int, hashing: PasswordHashing, reason: str, deliveries: Deliveries
) -> str:
    """Give the account a new temporary password, to personalise at the next sign-in (its
    sessions and refresh tokens end); returns it, for the caller to deliver."""
    temporary = hashing.new_temporary()
    replace_password(
        user,
        temporary,
        now=now,
        hashing=hashing,
        temporary=True,
        keep_sid=None,
        reason=reason,
        deliveries=deliveries,
    )
    return temporary


def notify_password_changed(user: User, *, now: int, deliveries: Deliveries) -> None:
    """ "Le mot de passe de votre compte ... vient d'être modifié": sent to the account and,
    for a secondary account, to its primary's responsible (ASPOne's rule)."""
    for address in dict.fromkeys((email_for(user), primary_notice_address(user))):
        if address:
            send_change_notice(address, user, "password_changed", now=now, deliveries=deliveries)


def change_password(
    user: User,
    new_password: str,
    confirmation: str,
    *,
    now: int,
    hashing: PasswordHashing,
    settings: PasswordSettings,
    keep_sid: str | None,
    deliveries: Deliveries,
    reason: str = "self",
    ip: str | None = None,
    temporary: bool = False,
) -> ChangeResult:
    """A change the user makes (personalisation, expiry, account page), or one made for it
    (`temporary`: a primary setting its secondary's, to be personalised at next sign-in)."""
    problems = check_new_password(
        user, new_password, confirmation, hashing=hashing, settings=settings
    )
    if problems:
        return ChangeResult(problems)
    replace_password(
        user,
        new_password,
        now=now,
        hashing=hashing,
        temporary=temporary,
        keep_sid=keep_sid,
        reason=reason,
        deliveries=deliveries,
        ip=ip,
    )
    return ChangeResult([])
