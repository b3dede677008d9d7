"""Password sign-in, behind the captcha and the lockout.

An unknown identifier walks the same path as a known one: the same counters (kept per
identifier typed), one argon2 verification against a dummy hash, the same answer.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from idp import metrics
from idp.config import CaptchaSettings
from idp.models import User
from idp.services import audit, credentials, users
from idp.services.captcha import Captchas
from idp.services.deliveries import Deliveries
from idp.services.lockout import FailureCount, Lockout, Reservation, Status
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
    # After a wrong password: how many more may fail before the lock (the page says it).
    tries_left: int | None = None


@dataclass(frozen=True)
class Context:
    """Where an attempt comes from, for the audit trail."""

    now: int
    ip: str | None = None
    client_id: str | None = None


def check_password(
    identifier: str,
    password: str,
    *,
    hashing: PasswordHashing,
    accepts: str,
    now: int,
    deliveries: Deliveries,
) -> Attempt:
    """Verify a password (the current one or the one a recovery sent); an unknown
    identifier costs one argon2 verification too.

    `accepts` is `[login] identifier`: what the identifier typed may be (see
    `users.find_for_sign_in`).
    """
    user = users.find_for_sign_in(identifier, accepts)
    match = credentials.password_match(user, password, hashing=hashing, now=now)
    if user is None or match is credentials.Match.NONE:
        return Attempt(Outcome.INVALID, user)
    if not user.is_active:
        return Attempt(Outcome.DISABLED, user)
    if match is credentials.Match.PENDING:
        credentials.use_pending(user, now=now, deliveries=deliveries)
    elif user.password_hash and hashing.needs_rehash(user.password_hash):
        user.password_hash = hashing.hash(password)  # same password, today's cost
    return Attempt(Outcome.SIGNED_IN, user)


def _audit(attempt: Attempt, identifier: str, context: Context) -> None:
    user = attempt.user
    metrics.sign_in(attempt.outcome.value)
    audit.record(
        "sign_in",
        attempt.outcome.value,
        at=context.now,
        user_id=user.id if user else None,
        identifier=None if user else identifier[:128],
        client_id=context.client_id,
        ip=context.ip,
    )


def _note_lock(status: Status, user: User | None, identifier: str, context: Context) -> None:
    """The attempt that sets a lock writes it in the audit trail (once per lock)."""
    if not status.just_locked:
        return
    metrics.LOCKS.inc()
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


class CaptchaVerdict(enum.Enum):
    """What the captcha rule makes of an attempt, before any password is read."""

    NOT_NEEDED = "not_needed"
    # Needed, but the form came without its challenge: ask for one, count nothing.
    MISSING = "missing"
    PASSED = "passed"
    FAILED = "failed"

    @property
    def passes(self) -> bool:
        return self in {CaptchaVerdict.NOT_NEEDED, CaptchaVerdict.PASSED}


@dataclass(frozen=True)
class CaptchaRule:
    """The sign-in's captcha rule (`[captcha] mode`) and what it reads: the failure counters
    and this browser's challenges."""

    settings: CaptchaSettings
    lockout: Lockout
    captcha_failures: FailureCount
    captchas: Captchas

    def needed(self, identifier: str | None, *, browser_failures: int, now: int) -> bool:
        """Whether this attempt must answer a captcha.

        With "after_failures": once this browser, or the identifier typed (wrong passwords
        in a row, misread captchas today), has failed `after` times: a robot changing
        browsers or identifiers meets the captcha either way.
        """
        if self.settings.mode != "after_failures":
            return self.settings.mode == "always"
        failures = browser_failures
        if identifier:
            failures = max(
                failures,
                self.lockout.status(identifier, now=now).consecutive_failures,
                self.captcha_failures.count(identifier, now=now),
            )
        return failures >= self.settings.after

    def verdict(
        self,
        identifier: str,
        ref: str | None,
        answer: str | None,
        *,
        browser_failures: int,
        binding: str,
        now: int,
    ) -> CaptchaVerdict:
        """The answer to this browser's challenge `ref`, where one is needed (it is then
        spent, right or wrong)."""
        if not self.needed(identifier, browser_failures=browser_failures, now=now):
            return CaptchaVerdict.NOT_NEEDED
        if not ref:
            return CaptchaVerdict.MISSING
        if self.captchas.check(ref, answer, binding=binding, now=now):
            return CaptchaVerdict.PASSED
        return CaptchaVerdict.FAILED


def sign_in(
    identifier: str,
    password: str,
    *,
    captcha_passed: bool,
    hashing: PasswordHashing,
    lockout: Lockout,
    captcha_failures: FailureCount,
    context: Context,
    accepts: str,
    deliveries: Deliveries,
) -> Attempt:
    """One sign-in attempt: captcha, lock, password, account state, in that order.

    A wrong captcha answer stops the attempt before the password, and is counted apart
    (`captcha_failures`): a misread image proves nothing about the password, so it never
    brings a lock nearer. The attempt is then reserved before the password is checked (see
    `idp.services.lockout`): a refused reservation evaluates no password at all, and a
    right password is refused if a lock was set while it was being checked.
    """
    now = context.now
    if not captcha_passed:
        audit.record(
            "captcha_failed",
            "refused",
            at=now,
            identifier=identifier[:128],
            client_id=context.client_id,
            ip=context.ip,
        )
        captcha_failures.add(identifier, now=now)
        metrics.CAPTCHA_FAILURES.inc()
        status = lockout.status(identifier, now=now)
        if status.locked(now):
            return Attempt(Outcome.LOCKED, locked_until=status.locked_until)
        return Attempt(Outcome.CAPTCHA_FAILED)
    reservation = lockout.reserve(identifier, now=now)
    if reservation.refusal is not None:
        _note_lock(reservation.refusal, None, identifier, context)
        attempt = Attempt(
            Outcome.LOCKED,
            users.find_for_sign_in(identifier, accepts),
            reservation.refusal.locked_until,
        )
    else:
        attempt = _settle(
            check_password(
                identifier,
                password,
                hashing=hashing,
                accepts=accepts,
                now=now,
                deliveries=deliveries,
            ),
            reservation,
            identifier,
            lockout,
            context,
        )
    if attempt.outcome is Outcome.SIGNED_IN:
        captcha_failures.clear(identifier, now=now)
    _audit(attempt, identifier, context)
    return attempt


def reauthenticate(
    user: User, password: str, *, hashing: PasswordHashing, lockout: Lockout, context: Context
) -> Attempt:
    """The signed-in user's password again (before a change), under the sign-in's counters:
    a stolen session must not become a way to guess the password."""
    reservation = lockout.reserve(user.identifier, now=context.now)
    if reservation.refusal is not None:
        _note_lock(reservation.refusal, user, user.identifier, context)
        return Attempt(Outcome.LOCKED, user, reservation.refusal.locked_until)
    matches = hashing.verify(user.password_hash, password)
    attempt = Attempt(Outcome.SIGNED_IN if matches else Outcome.INVALID, user)
    return _settle(attempt, reservation, user.identifier, lockout, context)


def _settle(
    attempt: Attempt, reservation: Reservation, identifier: str, lockout: Lockout, context: Context
) -> Attempt:
    """Settle the reserved attempt with the password's verdict."""
    now = context.now
    if attempt.outcome is Outcome.INVALID:
        status = lockout.fail(reservation, now=now)
        _note_lock(status, attempt.user, identifier, context)
        if status.locked(now):
            return Attempt(Outcome.LOCKED, attempt.user, status.locked_until)
        tries_left = lockout.tries_left(identifier, now=now)
        return Attempt(Outcome.INVALID, attempt.user, tries_left=tries_left)
    if attempt.outcome is Outcome.SIGNED_IN:
        if not lockout.succeed(reservation, now=now):
            # Locked while this password was being checked: the lock stands.
            status = lockout.status(identifier, now=now)
            return Attempt(Outcome.LOCKED, attempt.user, status.locked_until)
        return attempt
    lockout.release(reservation, now=now)  # a disabled account: not a failure
    return attempt
