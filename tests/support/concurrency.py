"""Requests that arrive together, and a count of the passwords actually evaluated."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def together(count: int, prepare: Callable[[int], Callable[[], T]]) -> list[T]:
    """Run `count` threads: each prepares (fetches its form), all fire at once.

    `prepare(i)` runs in thread i and returns what that thread fires once every thread is
    ready; the answers come back in thread order, and an exception in any thread is raised.
    """
    barrier = threading.Barrier(count, timeout=60)
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            fire = prepare(index)
            barrier.wait()
            results[index] = fire()
        except BaseException as error:  # reported to the test below
            barrier.abort()
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if errors:
        raise errors[0]
    return results


class CountedVerifications:
    """Wraps a PasswordHashing's `verify`: counts the passwords it evaluates against an
    account's hash (not the dummy verifications that keep the timing even).

    `hold_seconds` keeps each verification going that much longer, as production's argon2
    cost does (~170 ms), so that attempts overlap the way they do on a real server.
    """

    def __init__(self, hashing: Any, hold_seconds: float = 0.0) -> None:
        self._verify = hashing.verify
        self._lock = threading.Lock()
        self.count = 0
        self.hold_seconds = hold_seconds
        hashing.verify = self

    def __call__(self, password_hash: str | None, password: str) -> bool:
        if password_hash is not None:  # the dummy hash evaluates nobody's password
            with self._lock:
                self.count += 1
        time.sleep(self.hold_seconds)
        return self._verify(password_hash, password)

    def wait_for(self, count: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while self.count < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.count} verifications, expected {count}")
            time.sleep(0.005)
