"""Short one-time codes sent to a person (e-mail confirmation, recovery).

A code is stored as a keyed hash, expires, is single use, and allows a few tries per window:
asking for a new code gives a new code, not new tries, so the tries bound what a guesser can
do whatever they ask for. A new window (and new tries) starts only once the previous one is
over.
"""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select, update

from idp.extensions import db, rowcount
from idp.models import OneTimeCode
from idp.services.hashing import hashes_equal, keyed_hash


@dataclass(frozen=True)
class CodeRules:
    digits: int
    ttl_seconds: int
    max_attempts: int
    resend_wait_seconds: int


class Check(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"
    EXHAUSTED = "exhausted"
    NONE = "none"


class TooSoon(Exception):
    """A new code was asked for before the resend wait was over."""

    def __init__(self, wait_seconds: int) -> None:
        super().__init__(f"wait {wait_seconds} s")
        self.wait_seconds = wait_seconds


@dataclass(frozen=True)
class CheckResult:
    outcome: Check
    target: str | None = None
    attempts_left: int = 0


class CodeRow(Protocol):
    """A stored code: its keyed hash, the tries taken, when it was used (a model's row)."""

    id: Any
    code_hash: Any
    attempts: Any
    used_at: Any


def draw(digits: int) -> str:
    """A new code of `digits` random digits."""
    return "".join(secrets.choice("0123456789") for _ in range(digits))


def spend_try(row: CodeRow, candidate_hash: str, rules: CodeRules, *, now: int) -> CheckResult:
    """Take one try of `row` (unexpired: the caller checked) on `candidate_hash`; the right
    code is consumed (single use)."""
    model = type(row)
    target = getattr(row, "target", None)
    # One UPDATE takes the try, so parallel guesses cannot exceed the allowance.
    attempts = db.session.execute(
        update(model)
        .where(
            model.id == row.id,
            model.attempts < rules.max_attempts,
            model.used_at.is_(None),
        )
        .values(attempts=model.attempts + 1)
        .returning(model.attempts)
    ).scalar()
    if attempts is None:
        return CheckResult(Check.EXHAUSTED, target)
    if not hashes_equal(candidate_hash, row.code_hash):
        left = rules.max_attempts - attempts
        return CheckResult(Check.WRONG if left else Check.EXHAUSTED, target, left)
    # Consumed only if still unused and still this code: two right answers at once, or
    # one racing a new code, give one success.
    consumed = db.session.execute(
        update(model)
        .where(model.id == row.id, model.used_at.is_(None), model.code_hash == row.code_hash)
        .values(used_at=now)
    )
    if rowcount(consumed) != 1:
        return CheckResult(Check.NONE)
    return CheckResult(Check.OK, target)


class OneTimeCodes:
    def __init__(self, hash_key: str) -> None:
        self._hash_key = hash_key

    def _hash(self, purpose: str, user_id: int, code: str) -> str:
        return keyed_hash(self._hash_key, f"code:{purpose}", f"{user_id}:{code}")

    def _row(self, user_id: int, purpose: str) -> OneTimeCode | None:
        query = select(OneTimeCode).where(
            OneTimeCode.user_id == user_id, OneTimeCode.purpose == purpose
        )
        return db.session.scalar(query.execution_options(populate_existing=True))

    def current(self, user_id: int, purpose: str, *, now: int) -> OneTimeCode | None:
        """The live code of this purpose, if one is unexpired and unused."""
        row = self._row(user_id, purpose)
        if row is None or row.used_at is not None or now >= row.expires_at:
            return None
        return row

    def issue(self, user_id: int, purpose: str, target: str, *, rules: CodeRules, now: int) -> str:
        """A new code for `target`; raises TooSoon inside the resend wait."""
        code = draw(rules.digits)
        row = self._row(user_id, purpose)
        if row is None:
            row = OneTimeCode(user_id=user_id, purpose=purpose, window_started_at=now, attempts=0)
            db.session.add(row)
        elif row.used_at is None and now - row.last_sent_at < rules.resend_wait_seconds:
            raise TooSoon(rules.resend_wait_seconds - (now - row.last_sent_at))
        if row.used_at is not None or now >= row.window_started_at + rules.ttl_seconds:
            row.window_started_at, row.attempts = now, 0
        row.target = target
        row.code_hash = self._hash(purpose, user_id, code)
        row.expires_at = now + rules.ttl_seconds
        row.last_sent_at = now
        row.used_at = None
        return code

    def check(
        self, user_id: int, purpose: str, code: str, *, rules: CodeRules, now: int
    ) -> CheckResult:
        """Spend one try on `code`; the right one is consumed (single use)."""
        row = self._row(user_id, purpose)
        if row is None or row.used_at is not None:
            return CheckResult(Check.NONE)
        if now >= row.expires_at:
            return CheckResult(Check.EXPIRED, row.target)
        candidate = self._hash(purpose, user_id, "".join(str(code).split()))
        return spend_try(row, candidate, rules, now=now)

    def last_target(self, user_id: int, purpose: str) -> str | None:
        """Where the latest unused code of this purpose went, expired or not."""
        row = self._row(user_id, purpose)
        return row.target if row is not None and row.used_at is None else None
