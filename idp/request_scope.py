"""Once per request: the web's meaning of "a unit of work", for services that know no Flask."""

from __future__ import annotations

from collections.abc import Callable

from flask import g, has_request_context


def first_in_request(name: str) -> Callable[[], bool]:
    """A check that is true the first time it is asked within a request (and always outside
    one: a CLI command or a worker has no request to share a result with)."""
    key = f"_first_{name}"

    def first() -> bool:
        if not has_request_context():
            return True
        if g.get(key):
            return False
        setattr(g, key, True)
        return True

    return first
