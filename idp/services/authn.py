"""Password sign-in, behind the captcha and the lockout.

An unknown identifier walks the same path as a known one: the same counters (kept per
identifier typed), one argon2 verification against a dummy hash, the same answer.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from idp.models import User
from idp.services import audit, users
from idp.services.lockout import Lockout
from idp.services.passwords import PasswordHashing

# Authentication context of a password sign-in, on the eIDAS scale FranceConnect uses.
PASSWORD_ACR = "eidas1"
PASSWORD_AMR = ["pwd"]


class Outcome(enum.Enum):
    SIGNED_IN = "success"
    INVALID = "invalid_credentials"
    LOCKED = "locked"
    DISABLED = "disabled"
    CAPTCHA_FAILED = "captcha_failed"


@dataclass(frozen=True)
class Attempt:
    outcome: Outcome
    user: User | None = None
    locked_until: int | None = None


@dataclass(frozen=True)
class Context:
    """Where an attempt comes from, for the audit trail."""

    now: int
    ip: str | None = None
    client_id: str | None = None


def check_password(identifier: str, password: str, *, hashing: PasswordHashing) -> Attempt:
    """Verify a password; an unknown identifier costs one argon2 verification too."""
    user = users.find_by_identifier(identifier)
    matches = hashing.verify(user.password_hash if user else None, password)
    if user is None or not matches:
        return Attempt(Outcome.INVALID, user)
    if not user.is_active:
        return Attempt(Outcome.DISABLED, user)
    if user.password_hash and hashing.needs_rehash(user.password_hash):
        user.password_hash = hashing.hash(password)  # same password, today's cost
    return Attempt(Outcome.SIGNED_IN, user)


def _audit(attempt: Attempt, identifier: str, context: Context) -> None:
    user = attempt.user
    audit.record(
        "sign_in",
        attempt.outcome.value,
        at=context.now,
        user_id=user.id if user else None,
        identifier=None if user else identifier[:128],
        client_id=context.client_id,
        ip=context.ip,
    )


def _count_failure(
    identifier: str, user: User | None, lockout: Lockout, context: Context
) -> int | None:
    """Count a failure; returns the end of the lock it caused, if it caused one."""
    status = lockout.record_failure(identifier, now=context.now)
    if not status.just_locked:
        return None
    audit.record(
        "account_locked",
        "locked",
        at=context.now,
        user_id=user.id if user else None,
        identifier=None if user else identifier[:128],
        client_id=context.client_id,
        ip=context.ip,
        until=status.locked_until,
    )
    return status.locked_until


def sign_in(
    identifier: str,
    password: str,
    *,
    captcha_passed: bool,
    hashing: PasswordHashing,
    lockout: Lockout,
    context: Context,
) -> Attempt:
    """One sign-in attempt: captcha, lock, password, account state, in that order."""
    now = context.now
    if not captcha_passed:
        # A wrong captcha answer costs an attempt, as a wrong password does.
        audit.record(
            "captcha_failed",
            "refused",
            at=now,
            identifier=identifier[:128],
            client_id=context.client_id,
            ip=context.ip,
        )
        locked_until = _count_failure(identifier, None, lockout, context)
        if locked_until is not None:
            return Attempt(Outcome.LOCKED, locked_until=locked_until)
        return Attempt(Outcome.CAPTCHA_FAILED)
    status = lockout.status(identifier, now=now)
    attempt = check_password(identifier, password, hashing=hashing)
    if status.locked(now):
        # The right password does not open a locked account early.
        attempt = Attempt(Outcome.LOCKED, attempt.user, status.locked_until)
    elif attempt.outcome is Outcome.INVALID:
        locked_until = _count_failure(identifier, attempt.user, lockout, context)
        if locked_until is not None:
            attempt = Attempt(Outcome.LOCKED, attempt.user, locked_until)
    elif attempt.outcome is Outcome.SIGNED_IN:
        lockout.record_success(identifier, now=now)
    _audit(attempt, identifier, context)
    return attempt
