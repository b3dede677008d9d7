"""Setting and changing passwords: the rules, the history, and what a change ends.

Every change (by the user, by an agent, by recovery) goes through `replace_password`: it
keeps the former hash for the history rule, ends the user's other sessions, revokes their
refresh tokens, and e-mails the account a notification.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from idp.config import PasswordSettings
from idp.extensions import db
from idp.models import PasswordHistory, User
from idp.services import audit, password_policy, sessions
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
    ip: str | None = None,
) -> None:
    """Store the new password; end other sessions and refresh tokens; notify the account."""
    if user.password_hash:
        db.session.add(
            PasswordHistory(user_id=user.id, password_hash=user.password_hash, created_at=now)
        )
    user.password_hash = hashing.hash(new_password)
    user.password_changed_at = now
    user.password_temporary = temporary
    user.updated_at = now
    sessions.end_access(user.id, now=now, keep_sid=keep_sid)
    audit.record("password_changed", "success", at=now, user_id=user.id, ip=ip, reason=reason)
    notify_password_changed(user, now=now)


def reset_to_temporary(user: User, *, now: int, hashing: PasswordHashing, reason: str) -> str:
    """Give the account a new temporary password, to personalise at the next sign-in (its
    sessions and refresh tokens end); returns it, for the caller to deliver."""
    temporary = hashing.new_temporary()
    replace_password(
        user, temporary, now=now, hashing=hashing, temporary=True, keep_sid=None, reason=reason
    )
    return temporary


def notify_password_changed(user: User, *, now: int) -> None:
    """ "Le mot de passe de votre compte ... vient d'être modifié": sent to the account."""
    from idp.notify.mail import DeliveryFailed
    from idp.runtime import runtime

    if not user.email:
        return
    when = datetime.fromtimestamp(now, UTC).strftime("%d/%m/%Y %H:%M UTC")
    try:
        runtime().mailer.send(
            user.email,
            "password_changed",
            locale=user.locale or "fr",
            account=user.identifier,
            changed_at=when,
        )
    except DeliveryFailed:
        log.warning("password-change notification to account %s not delivered", user.id)
        audit.record("notification_failed", "error", at=now, user_id=user.id, kind="password")


def change_password(
    user: User,
    new_password: str,
    confirmation: str,
    *,
    now: int,
    hashing: PasswordHashing,
    settings: PasswordSettings,
    keep_sid: str | None,
    reason: str = "self",
    ip: str | None = None,
) -> ChangeResult:
    """A change the user makes (personalisation, expiry, account page)."""
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
        temporary=False,
        keep_sid=keep_sid,
        reason=reason,
        ip=ip,
    )
    return ChangeResult([])
