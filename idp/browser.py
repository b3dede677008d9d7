"""The browser's side of a sign-in: a signed cookie that holds only the session's secret
(the database keeps its hash, the session's `sid`).

Also holds the browser binding: a random value in the cookie whose hash pending
authorization requests record, so that only the browser that started one can resume it.
"""

from __future__ import annotations

from flask import g, request, session

from idp.models import BrowserSession, User
from idp.runtime import runtime
from idp.services import sessions
from idp.services.hashing import new_secret, token_hash

_SID = "sid"
_BINDING = "binding"


def current() -> BrowserSession | None:
    """The live server-side session of this browser, if any (looked up once per request)."""
    if "browser_session" not in g:
        secret = session.get(_SID)
        record = None
        if isinstance(secret, str):
            rt = runtime()
            record = sessions.find_live(secret, now=rt.now(), limits=rt.settings.session)
            if record is None:
                session.pop(_SID, None)
        g.browser_session = record
    return g.browser_session


def current_sid() -> str | None:
    """The `sid` of this browser's live session (the hash, never the cookie's secret)."""
    record = current()
    return record.sid if record else None


def sign_in(user: User, *, acr: str, amr: list[str]) -> BrowserSession:
    """Start a new session with a new id (no fixation) and rotate the cookie's contents."""
    rt = runtime()
    previous = current()
    if previous is not None:
        sessions.end(previous.sid, now=rt.now())
    binding = session.get(_BINDING)
    session.clear()  # also renews the CSRF token
    if binding:
        session[_BINDING] = binding
    record, secret = sessions.start(
        user,
        now=rt.now(),
        acr=acr,
        amr=amr,
        ip=request.remote_addr,
        user_agent=request.headers.get("User-Agent"),
    )
    session[_SID] = secret
    session.permanent = True
    g.browser_session = record
    return record


def forget() -> None:
    """Drop the session from this browser (the server-side record is ended separately)."""
    session.pop(_SID, None)
    g.browser_session = None


def binding_hash() -> str:
    """Hash of this browser's binding value, created on first use."""
    value = session.get(_BINDING)
    if not isinstance(value, str):
        value = new_secret(16)
        session[_BINDING] = value
    return token_hash(value)
