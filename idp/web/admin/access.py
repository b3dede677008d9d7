"""Who may open a console page: a console session, verified by the second factor, whose
holder's roles allow the page (`idp.services.staff`), recently verified for any change.

Every console blueprint comes from `console_blueprint`, and every console view names what it
needs with `requires`: a view without it is refused (see `_refuse_unguarded`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, g, redirect, request, url_for
from werkzeug.wrappers import Response

from idp.extensions import db
from idp.runtime import runtime
from idp.services import admin_sessions, staff
from idp.services.admin_sessions import Live
from idp.web.auth import signed_in_user

PREFIX = "/admin"


def console_blueprint(name: str, import_name: str, url_prefix: str = "") -> Blueprint:
    bp = Blueprint(name, import_name, url_prefix=PREFIX + url_prefix)
    bp.before_request(_refuse_ordinary_accounts)
    bp.before_request(_refuse_unguarded)
    bp.after_request(_private)
    return bp


def current() -> Live | None:
    """This browser's console session, looked up once per request."""
    if "console" not in g:
        rt = runtime()
        secret = request.cookies.get(rt.settings.admin.cookie_name)
        g.console = (
            admin_sessions.find_live(secret, now=rt.now(), limits=rt.settings.admin)
            if secret
            else None
        )
        db.session.commit()  # the session's last activity, or its end
    return g.console


def actor() -> str:
    """How the audit trail names the staff member acting in this request."""
    return staff.actor(g.staff)


def safe_next(target: str | None) -> str:
    """A console page to go back to: a path under /admin on this site, else the home."""
    if target and (target == PREFIX or target.startswith(PREFIX + "/")):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return target
    return url_for("admin.home")


def requires(permission: str | None, *, fresh: bool = False) -> Callable[..., Any]:
    """The console session, verified, whose roles allow `permission` (None: any staff).

    Every change (any POST) also wants the password and code given within `[admin]
    reauth_minutes`; `fresh=True` asks it before showing a page too (a form, so that what
    is typed in it is not lost to the re-authentication).
    """

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            live = current()
            if live is None or not live.verified:
                return redirect(url_for("admin.sign_in", next=_here()), code=303)
            if permission is not None and not staff.allows(live.member, permission):
                abort(403)
            rt = runtime()
            if (fresh or request.method == "POST") and not live.fresh(
                now=rt.now(), limits=rt.settings.admin
            ):
                return redirect(url_for("admin.reauthenticate", next=_here()), code=303)
            g.staff = live.user
            g.staff_member = live.member
            return view(*args, **kwargs)

        wrapper.console_permission = permission  # type: ignore[attr-defined]
        return wrapper

    return decorate


def public(view: Callable[..., Any]) -> Callable[..., Any]:
    """A console page without a console session (the sign-in steps)."""
    view.console_permission = "public"  # type: ignore[attr-defined]
    return view


def _here() -> str:
    """Where to come back after signing in: this page, or for a POST the page it came from."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host:
        return safe_next(referrer.path + (f"?{referrer.query}" if referrer.query else ""))
    return url_for("admin.home")


def _refuse_ordinary_accounts() -> None:
    """A browser signed in to the hosted pages with an account that is not staff meets a
    plain 403 on every console address (the sign-in page included)."""
    user = signed_in_user()
    if user is not None and staff.of_user(user.id) is None:
        abort(403)


def _refuse_unguarded() -> None:
    """A console view that forgot to say what it needs answers 403, never its page."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    if view is not None and not hasattr(view, "console_permission"):
        abort(403)


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    # Within the site only: a change refused for re-authentication comes back to its page.
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def set_cookie(response: Response, secret: str) -> Response:
    """The console's cookie: only sent to /admin, never to scripts, never from another site."""
    rt = runtime()
    response.set_cookie(
        rt.settings.admin.cookie_name,
        secret,
        path=PREFIX,
        httponly=True,
        secure=rt.settings.is_https,
        samesite="Strict",
    )
    return response


def clear_cookie(response: Response) -> Response:
    rt = runtime()
    response.delete_cookie(
        rt.settings.admin.cookie_name,
        path=PREFIX,
        httponly=True,
        secure=rt.settings.is_https,
        samesite="Strict",
    )
    return response
