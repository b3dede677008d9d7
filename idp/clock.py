"""Time as a dependency: services take `now` from a clock that tests can move."""

from __future__ import annotations

import time

from flask import current_app


class SystemClock:
    """Wall-clock time in whole seconds since the epoch (what tokens and rows store)."""

    def now(self) -> int:
        return int(time.time())


class FrozenClock(SystemClock):
    """A clock that only moves when told to; handed to `create_app` by tests and benches."""

    def __init__(self, start: int | None = None) -> None:
        self._now = int(time.time()) if start is None else start

    def now(self) -> int:
        return self._now

    def advance(self, seconds: int) -> None:
        self._now += seconds


def now() -> int:
    """The current time of the running app's clock."""
    return current_app.extensions["idp.clock"].now()
