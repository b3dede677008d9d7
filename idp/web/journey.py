"""The way back to the application: the authorization request this browser came with.

When the authorize endpoint sends a browser to a hosted page, the session remembers that
request. Every path the person takes from there (recovery, identifier, letter code, first
connection) ends on a page that offers to continue to the application while the request
lives, or says how to go back once it has expired; "Abandonner" answers the application
`access_denied`. The templates ask `way_back()` (see `_way_back.html`); nothing else does.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, Response, render_template, session

from idp import browser
from idp.models import PendingAuthorization
from idp.runtime import runtime
from idp.services import interactions
from idp.web.security import allow_form_target


@dataclass(frozen=True)
class WayBack:
    client_name: str
    # The pending request's reference while it lives; None once it has expired.
    ref: str | None


def remember(pending: PendingAuthorization) -> None:
    """This browser came with `pending`: its hosted paths lead back to it."""
    session[browser.JOURNEY] = {"ref": pending.ref, "client_id": pending.client_id}


def forget(pending: PendingAuthorization) -> None:
    """The request is answered (a code or an error): nothing to go back to any more."""
    held = session.get(browser.JOURNEY)
    if isinstance(held, dict) and held.get("ref") == pending.ref:
        session.pop(browser.JOURNEY)


def _held() -> dict[str, str] | None:
    held = session.get(browser.JOURNEY)
    return held if isinstance(held, dict) else None


def pending() -> PendingAuthorization | None:
    """The request this browser came with, while it lives (bound to this browser)."""
    held = _held()
    if held is None:
        return None
    rt = runtime()
    return interactions.load(held.get("ref"), binding=browser.binding_hash(), now=rt.now())


def way_back() -> WayBack | None:
    """Where this browser's hosted path leads back to, if it started from an application."""
    held = _held()
    client = runtime().clients.lookup(held.get("client_id")) if held else None
    if client is None:
        return None
    alive = pending()
    if alive is not None:
        # "Abandonner" posts to the deny endpoint, which redirects to the client: the page's
        # CSP must let its forms lead there (Chromium applies form-action to redirects).
        allow_form_target(alive.params.get("redirect_uri", ""))
    return WayBack(client.name, alive.ref if alive else None)


def came_with(ref: str) -> bool:
    """Whether `ref` is the request this browser came with (alive or not)."""
    held = _held()
    return held is not None and held.get("ref") == ref


def gone(ref: str) -> Response:
    """The page for a request that no longer lives; for this browser's own, it names the
    application to go back to."""
    way = way_back() if came_with(ref) else None
    if way is not None and way.ref is None:
        key, params = "journey.expired", {"client": way.client_name}
    else:
        key, params = "login.request_expired", {}
    body = render_template("errors/page.html", message_key=key, params=params)
    return Response(body, status=400, mimetype="text/html")


def init_app(app: Flask) -> None:
    app.add_template_global(way_back)
