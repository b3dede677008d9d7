"""The request id: one name for a request in the logs, the audit trail and the answer.

A proxy or load balancer in front may already have named the request (`X-Request-Id`): that
name is kept when it looks like one, so that its logs and ours join; otherwise one is made.
The WSGI layer (`idp.access_log.RequestLog`) binds it for the request, and what runs during
the request (log records, audit records) reads it here, without Flask.
"""

from __future__ import annotations

import random
import re
from contextvars import ContextVar, Token

HEADER = "X-Request-Id"
# Letters, digits and a few separators, 64 at most: a UUID, a hex or base64 string, a
# trace id. Anything else (spaces, quotes, line breaks, a kilobyte) is replaced, so that a
# client cannot write into the logs through it.
_SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:=+/@-]{0,63}")
_current: ContextVar[str | None] = ContextVar("idp_request_id", default=None)


def accept(incoming: str | None) -> str:
    """The incoming id when it is sane, else a new random one: 128 bits, unique enough to
    join lines, and not a secret (it names a request, it grants nothing), so Python's fast
    generator rather than a system call on every request."""
    if incoming and _SANE.fullmatch(incoming):
        return incoming
    return f"{random.getrandbits(128):032x}"


def bind(value: str) -> Token[str | None]:
    """Make `value` the current request's id (until `unbind`)."""
    return _current.set(value)


def unbind(token: Token[str | None]) -> None:
    _current.reset(token)


def current() -> str | None:
    """The id of the request being handled; None outside a request (CLI, workers)."""
    return _current.get()
