"""Failed sign-ins per identifier: temporary locks and the daily maximum.

Counters live in the database, so every worker sees them, and are kept per identifier
typed, so that an unknown identifier is counted and locked exactly like a known one.
While locked, even the right password is refused; a successful recovery or an
administrator (`idp users unlock`) ends the lock.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, select, update
from sqlalchemy.exc import IntegrityError

from idp.config import LockoutSettings
from idp.extensions import db
from idp.models import SignInThrottle
from idp.services.hashing import keyed_hash
from idp.services.users import normalise_identifier

DAY_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Status:
    locked_until: int | None
    consecutive_failures: int
    just_locked: bool = False

    def locked(self, now: int) -> bool:
        return self.locked_until is not None and now < self.locked_until


class Lockout:
    def __init__(self, settings: LockoutSettings, hash_key: str, purpose: str = "sign-in") -> None:
        self.settings = settings
        self._hash_key = hash_key
        # Separate counters per purpose: wrong recovery answers do not lock the sign-in.
        self._purpose = purpose

    def _key(self, identifier: str) -> str:
        return keyed_hash(self._hash_key, self._purpose, normalise_identifier(identifier))

    def _row(self, identifier: str) -> SignInThrottle | None:
        key = self._key(identifier)
        query = select(SignInThrottle).where(SignInThrottle.identifier_hash == key)
        return db.session.scalar(query.execution_options(populate_existing=True))

    def _ensure_row(self, key: str, now: int) -> None:
        try:
            with db.session.begin_nested():
                db.session.add(
                    SignInThrottle(
                        identifier_hash=key,
                        consecutive_failures=0,
                        lock_count=0,
                        window_start=now,
                        window_failures=0,
                        updated_at=now,
                    )
                )
        except IntegrityError:  # another request made it first
            pass

    def status(self, identifier: str, *, now: int) -> Status:
        row = self._row(identifier)
        if row is None:
            return Status(None, 0)
        return Status(row.locked_until, row.consecutive_failures)

    def _lock_seconds(self, lock_count: int) -> int:
        base = self.settings.lock_minutes * 60
        if self.settings.growth == "double":
            return min(base * 2 ** max(lock_count - 1, 0), DAY_SECONDS)
        return base

    def record_failure(self, identifier: str, *, now: int) -> Status:
        """Count a failure; the max_attempts-th in a row, or the daily maximum, locks.

        Counters move by single UPDATE statements, so concurrent attempts are all counted.
        """
        key = self._key(identifier)
        if self._row(identifier) is None:
            self._ensure_row(key, now)
        t = SignInThrottle
        new_window = now - t.window_start >= DAY_SECONDS
        counted = db.session.execute(
            update(t)
            .where(t.identifier_hash == key)
            .values(
                consecutive_failures=t.consecutive_failures + 1,
                window_failures=case((new_window, 1), else_=t.window_failures + 1),
                window_start=case((new_window, now), else_=t.window_start),
                updated_at=now,
            )
            .returning(t.consecutive_failures, t.window_failures, t.window_start, t.lock_count)
        ).one()
        failures, window_failures, window_start, lock_count = counted
        locked_until = None
        if failures >= self.settings.max_attempts:
            locked_until = now + self._lock_seconds(lock_count + 1)
        if window_failures >= self.settings.daily_max_failures:
            locked_until = max(locked_until or 0, window_start + DAY_SECONDS)
        if locked_until is None:
            return Status(self._row(identifier).locked_until, failures)  # type: ignore[union-attr]
        db.session.execute(
            update(t)
            .where(t.identifier_hash == key)
            .values(
                lock_count=t.lock_count + (1 if failures >= self.settings.max_attempts else 0),
                locked_until=locked_until,
                consecutive_failures=0,
            )
        )
        return Status(locked_until, 0, just_locked=True)

    def record_success(self, identifier: str, *, now: int) -> None:
        row = self._row(identifier)
        if row is not None:
            row.consecutive_failures = 0
            row.lock_count = 0
            row.locked_until = None
            row.updated_at = now

    def unlock(self, identifier: str, *, now: int) -> bool:
        """End a lock and forget the failures (recovery succeeded, or an administrator)."""
        row = self._row(identifier)
        if row is None:
            return False
        was_locked = row.locked_until is not None and now < row.locked_until
        row.consecutive_failures = 0
        row.window_failures = 0
        row.window_start = now
        row.lock_count = 0
        row.locked_until = None
        row.updated_at = now
        return was_locked
