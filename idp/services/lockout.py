"""Failed sign-ins per identifier: temporary locks and the daily maximum.

Counters live in the database, so every worker sees them, and are kept per identifier
typed, so that an unknown identifier is counted and locked exactly like a known one.
While locked, even the right password is refused; a successful recovery or an
administrator (`idp users unlock`) ends the lock.

The unit counted is the attempt, not its outcome: an attempt is reserved (counted as a
failure) in one conditional statement, committed, *before* the slow password check, and a
reservation is refused once `max_attempts` are taken in a row or the daily maximum is
reached. However many requests arrive together and however many workers serve them, at
most `max_attempts` passwords are evaluated before a lock, and at most
`daily_max_failures` a day. A success then gives its reservation back, unless a lock was
set meanwhile: a lock is never cleared by an attempt that was in flight when it was set.

Mistakes that prove nothing about the password (a misread captcha) are counted apart, by a
`FailureCount`, which never locks: a careful reader misreads about one image in four, and
five misread images must not lock out the holder of the right password.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    SQLColumnExpression,
    String,
    and_,
    bindparam,
    case,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.dml import ReturningUpdate, Update

from idp.config import LockoutSettings
from idp.extensions import db, rowcount
from idp.models import SignInThrottle
from idp.services.hashing import keyed_hash
from idp.services.users import normalise_identifier

DAY_SECONDS = 24 * 3600
# A failure that finds the row changed under it reads it again; each retry means another
# attempt settled meanwhile, so a handful is plenty even for large bursts.
_SETTLE_RETRIES = 20
# Parameters of the statements built once (`Lockout._take_statement`, ...). Those statements
# leave loaded rows as they are (`synchronize_session=False`): the rows are always read with
# `populate_existing`, never trusted from the session.
_KEY = bindparam("key", type_=String())
_NOW = bindparam("now", type_=Integer())


@dataclass(frozen=True)
class Status:
    locked_until: int | None
    consecutive_failures: int
    just_locked: bool = False

    def locked(self, now: int) -> bool:
        return self.locked_until is not None and now < self.locked_until


@dataclass(frozen=True)
class Reservation:
    """One attempt, counted before it is checked; `refusal` says why it may not go on."""

    key: str
    refusal: Status | None = None


class _Throttle:
    """Rows of `sign_in_throttles`, one per identifier typed and purpose (keyed hashes)."""

    def __init__(self, hash_key: str, purpose: str) -> None:
        self._hash_key = hash_key
        # Separate counters per purpose: wrong recovery answers do not lock the sign-in.
        self._purpose = purpose

    def _key(self, identifier: str) -> str:
        return keyed_hash(self._hash_key, self._purpose, normalise_identifier(identifier))

    def _row_by_key(self, key: str) -> SignInThrottle | None:
        query = select(SignInThrottle).where(SignInThrottle.identifier_hash == key)
        return db.session.scalar(query.execution_options(populate_existing=True))

    def _ensure_row(self, key: str, now: int) -> bool:
        """Make the identifier's row if it has none; True if it had none when looked at."""
        if self._row_by_key(key) is not None:
            return False
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
        return True


class FailureCount(_Throttle):
    """Failures of one kind per identifier over the last day, never locking anything.

    The count decides only whether a captcha is asked; it is the day's, so that it fades.
    """

    def add(self, identifier: str, *, now: int) -> None:
        """Count one more failure (one atomic UPDATE: concurrent ones all count)."""
        key = self._key(identifier)
        self._ensure_row(key, now)
        t = SignInThrottle
        new_window = now - t.window_start >= DAY_SECONDS
        db.session.execute(
            update(t)
            .where(t.identifier_hash == key)
            .values(
                window_failures=case((new_window, 1), else_=t.window_failures + 1),
                window_start=case((new_window, now), else_=t.window_start),
                updated_at=now,
            )
        )

    def count(self, identifier: str, *, now: int) -> int:
        row = self._row_by_key(self._key(identifier))
        if row is None or now - row.window_start >= DAY_SECONDS:
            return 0
        return row.window_failures

    def clear(self, identifier: str, *, now: int) -> None:
        db.session.execute(self._clear_statement, {"key": self._key(identifier), "now": now})

    @functools.cached_property
    def _clear_statement(self) -> Update:
        t = SignInThrottle
        return (
            update(t)
            .where(t.identifier_hash == _KEY)
            .values(window_failures=0, window_start=_NOW, updated_at=_NOW)
            .execution_options(synchronize_session=False)
        )


class Lockout(_Throttle):
    def __init__(self, settings: LockoutSettings, hash_key: str, purpose: str = "sign-in") -> None:
        super().__init__(hash_key, purpose)
        self.settings = settings

    def status(self, identifier: str, *, now: int) -> Status:
        row = self._row_by_key(self._key(identifier))
        if row is None:
            return Status(None, 0)
        return Status(row.locked_until, row.consecutive_failures)

    def locked_until_of(self, identifiers: list[str], *, now: int) -> dict[str, int]:
        """Of these identifiers, those locked now and until when (one statement for a list)."""
        keys = {self._key(identifier): identifier for identifier in identifiers}
        hashes = list(keys)
        locked: dict[str, int] = {}
        for start in range(0, len(hashes), 500):  # under every database's parameter limit
            rows = db.session.execute(
                select(SignInThrottle.identifier_hash, SignInThrottle.locked_until).where(
                    SignInThrottle.identifier_hash.in_(hashes[start : start + 500]),
                    SignInThrottle.locked_until > now,
                )
            )
            locked.update((keys[key], until) for key, until in rows if until is not None)
        return locked

    def tries_left(self, identifier: str, *, now: int) -> int:
        """Attempts that may still fail before a lock: in a row, and within the day's maximum.

        Kept per identifier typed, so a known and an unknown identifier read the same number.
        """
        row = self._row_by_key(self._key(identifier))
        if row is None:
            return min(self.settings.max_attempts, self.settings.daily_max_failures)
        in_a_row = self.settings.max_attempts - row.consecutive_failures
        today = 0 if now - row.window_start >= DAY_SECONDS else row.window_failures
        return max(0, min(in_a_row, self.settings.daily_max_failures - today))

    def _lock_seconds(self, lock_count: int) -> int:
        base = self.settings.lock_minutes * 60
        if self.settings.growth == "double":
            return min(base * 2 ** max(lock_count - 1, 0), DAY_SECONDS)
        return base

    @staticmethod
    def _unlocked(now: int | BindParameter[int]) -> ColumnElement[bool]:
        t = SignInThrottle
        return or_(t.locked_until.is_(None), t.locked_until <= now)

    def reserve(self, identifier: str, *, now: int) -> Reservation:
        """Count this attempt before it is checked, or refuse it; committed at once.

        One conditional UPDATE takes the attempt only while the identifier is not locked,
        fewer than `max_attempts` are taken in a row and the day's maximum is not reached;
        the commit makes it count for every other request at once, even if this one then
        fails. A refused attempt sets the lock its predecessors earned if none is set yet
        (they may still be in flight, or their worker may have died), so a burst is locked
        from its first refusal.
        """
        key = self._key(identifier)
        status = Status(now + self._lock_seconds(1), self.settings.max_attempts)
        for _ in range(2):  # a success in flight may give the count back meanwhile
            if self._take(key, now):
                return Reservation(key)
            status = self.fail(Reservation(key), now=now)
            if status.locked(now):
                break
        return Reservation(key, refusal=status)

    # The statements of every sign-in are built once, with the key and the time as parameters:
    # building one costs more than running it (~0.3 ms for these two).

    @functools.cached_property
    def _take_statement(self) -> ReturningUpdate[tuple[int]]:
        t = SignInThrottle
        now = _NOW
        new_window = now - t.window_start >= DAY_SECONDS
        return (
            update(t)
            .where(
                t.identifier_hash == _KEY,
                self._unlocked(now),
                t.consecutive_failures < self.settings.max_attempts,
                or_(new_window, t.window_failures < self.settings.daily_max_failures),
            )
            .values(
                consecutive_failures=t.consecutive_failures + 1,
                window_failures=case((new_window, 1), else_=t.window_failures + 1),
                window_start=case((new_window, now), else_=t.window_start),
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
            .returning(t.id)
        )

    def _take(self, key: str, now: int) -> bool:
        """Run the reservation, committed; the identifier's row is made only when it has none
        (its first attempt), rather than looked for before every attempt."""
        parameters = {"key": key, "now": now}
        taken = db.session.execute(self._take_statement, parameters).first()
        if taken is None and self._ensure_row(key, now):
            taken = db.session.execute(self._take_statement, parameters).first()
        db.session.commit()
        return taken is not None

    def fail(self, reservation: Reservation, *, now: int) -> Status:
        """The reserved attempt failed: it already counts; lock once the limit is reached.

        The first failure to settle once `max_attempts` are taken in a row sets the lock
        (and starts a new count for after it), as does reaching the day's maximum. Written
        only if the row is still as read, and committed at once, so that an attempt in
        flight sees the lock when it settles.
        """
        t = SignInThrottle
        for _ in range(_SETTLE_RETRIES):
            row = self._row_by_key(reservation.key)
            if row is None:
                break
            by_attempts = row.consecutive_failures >= self.settings.max_attempts
            by_day = (
                row.window_failures >= self.settings.daily_max_failures
                and now - row.window_start < DAY_SECONDS
            )
            if not (by_attempts or by_day):
                return Status(row.locked_until, row.consecutive_failures)
            until = now + self._lock_seconds(row.lock_count + 1) if by_attempts else 0
            if by_day:
                until = max(until, row.window_start + DAY_SECONDS)
            if row.locked_until is not None and row.locked_until >= until:
                return Status(row.locked_until, row.consecutive_failures)  # already locked
            written = db.session.execute(
                update(t)
                .where(
                    t.identifier_hash == reservation.key,
                    t.consecutive_failures == row.consecutive_failures,
                    t.window_failures == row.window_failures,
                    t.lock_count == row.lock_count,
                    _same(t.locked_until, row.locked_until),
                )
                .values(
                    lock_count=t.lock_count + (1 if by_attempts else 0),
                    locked_until=until,
                    consecutive_failures=0 if by_attempts else t.consecutive_failures,
                    updated_at=now,
                )
            )
            db.session.commit()
            if rowcount(written) == 1:
                return Status(until, 0, just_locked=True)
        return Status(None, self.settings.max_attempts)

    def succeed(self, reservation: Reservation, *, now: int) -> bool:
        """The reserved attempt succeeded: give it back and start afresh, unless locked.

        False when a lock was set while the attempt was being checked: the success must
        then be refused, and the lock stays.
        """
        cleared = db.session.execute(
            self._succeed_statement, {"key": reservation.key, "now": now}
        ).first()
        return cleared is not None

    @functools.cached_property
    def _succeed_statement(self) -> ReturningUpdate[tuple[int]]:
        t = SignInThrottle
        return (
            update(t)
            .where(t.identifier_hash == _KEY, self._unlocked(_NOW))
            .values(
                consecutive_failures=0,
                lock_count=0,
                locked_until=None,
                window_failures=case(
                    (t.window_failures > 0, t.window_failures - 1), else_=t.window_failures
                ),
                updated_at=_NOW,
            )
            .execution_options(synchronize_session=False)
            .returning(t.id)
        )

    def release(self, reservation: Reservation, *, now: int) -> None:
        """Give the reservation back without starting afresh (the attempt was no failure)."""
        t = SignInThrottle
        db.session.execute(
            update(t)
            .where(t.identifier_hash == reservation.key)
            .values(
                consecutive_failures=case(
                    (t.consecutive_failures > 0, t.consecutive_failures - 1),
                    else_=t.consecutive_failures,
                ),
                window_failures=case(
                    (t.window_failures > 0, t.window_failures - 1), else_=t.window_failures
                ),
                updated_at=now,
            )
        )

    def unlock(self, identifier: str, *, now: int) -> bool:
        """End a lock and forget the failures (recovery succeeded, or an administrator)."""
        row = self._row_by_key(self._key(identifier))
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


def _same(column: SQLColumnExpression[int | None], value: int | None) -> ColumnElement[bool]:
    return column.is_(None) if value is None else and_(column.is_not(None), column == value)
