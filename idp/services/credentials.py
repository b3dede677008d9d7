"""Changing a password: the rules, and what a change ends (other sessions, refresh tokens)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update

from idp.config import PasswordSettings
from idp.extensions import db
from idp.models import Token, User
from idp.services import audit, password_policy, sessions, users
from idp.services.passwords import PasswordHashing


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


def change_password(
    user: User,
    new_password: str,
    confirmation: str,
    *,
    now: int,
    hashing: PasswordHashing,
    settings: PasswordSettings,
    keep_sid: str | None,
    ip: str | None = None,
) -> ChangeResult:
    """Apply the rules; on success end the user's other sessions and refresh tokens."""
    verdict = password_policy.evaluate(new_password, settings, user_inputs=user_inputs(user))
    problems = list(verdict.problems)
    if new_password != confirmation:
        problems.append("password.mismatch")
    if user.password_hash and hashing.verify(user.password_hash, new_password):
        problems.append("password.same_as_current")
    if problems:
        return ChangeResult(problems)
    users.set_password(user, new_password, now=now, hashing=hashing, temporary=False)
    sessions.end_all_for_user(user.id, now=now, keep_sid=keep_sid)
    db.session.execute(
        update(Token).where(Token.user_id == user.id, Token.revoked.is_(False)).values(revoked=True)
    )
    audit.record("password_changed", "success", at=now, user_id=user.id, ip=ip)
    return ChangeResult([])
