"""The browser's side of a sign-in: a signed cookie that holds only the session's secret
(the database keeps its hash, the session's `sid`).

Also holds the browser binding: a random value in the cookie whose hash pending
authorization requests record, so that only the browser that started one can resume it; and
the token an e-mailed link brought, moved out of the URL at once.
"""

from __future__ import annotations

from flask import g, redirect, request, session
from werkzeug.wrappers import Response

from idp.models import BrowserSession, User
from idp.runtime import runtime
from idp.services import sessions
from idp.services.hashing import new_secret, token_hash

_SID = "sid"
_BINDING = "binding"
_HELD = "held."
# What `hold_and_redirect` keeps, by name.
INVITATION_LINK = "invitation"
RESET_LINK = "reset"
# The authorization request this browser came with (`idp.web.journey`).
JOURNEY = "journey"
# What a new session keeps of the old cookie: the browser is the same, and so is its way back.
_KEPT_ON_SIGN_IN = (_BINDING, JOURNEY)


def current() -> BrowserSession | None:
    """The live server-side session of this browser, if any (looked up once per request)."""
    if "browser_session" not in g:
        secret = session.get(_SID)
        found = None
        if isinstance(secret, str):
            rt = runtime()
            found = sessions.find_live(secret, now=rt.now(), limits=rt.settings.session)
            if found is None:
                session.pop(_SID, None)
        # The user is held for the request: the ORM's identity map holds rows weakly, and
        # holding it there lets `db.session.get(User, record.user_id)` find it without a query.
        g.browser_session, g.browser_user = found or (None, None)
    return g.browser_session


def read_again() -> None:
    """Forget the session looked up for this request: once a commit has expired it and its
    user, the next `current()` reads both back in one query rather than one each."""
    g.pop("browser_session", None)
    g.pop("browser_user", None)


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
    kept = {name: session[name] for name in _KEPT_ON_SIGN_IN if name in session}
    session.clear()  # also renews the CSRF token
    session.update(kept)
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
    g.browser_session, g.browser_user = record, user
    return record


def forget() -> None:
    """Drop the session from this browser (the server-side record is ended separately)."""
    session.pop(_SID, None)
    g.browser_session = g.browser_user = None


def binding_hash() -> str:
    """Hash of this browser's binding value, created on first use."""
    value = session.get(_BINDING)
    if not isinstance(value, str):
        value = new_secret(16)
        session[_BINDING] = value
    return token_hash(value)


def hold_and_redirect(name: str, secret: str, clean_url: str) -> Response:
    """Answer a request whose URL carries a secret with a 303 to `clean_url`, the secret moved
    into the signed session cookie: the address bar, the history, Referer headers and the logs
    of every later request see only the clean URL (an e-mailed link must carry its token)."""
    session[_HELD + name] = secret
    return redirect(clean_url, code=303)


def held(name: str) -> str | None:
    """The secret `hold_and_redirect` moved into this browser's session, if any."""
    value = session.get(_HELD + name)
    return value if isinstance(value, str) else None


def release(name: str) -> None:
    """Take the held secret out of the session once it is used."""
    session.pop(_HELD + name, None)
