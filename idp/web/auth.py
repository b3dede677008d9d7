"""Pages for signed-in users only: who is signed in, and the way to the sign-in page."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import g, redirect, request, url_for

from idp import browser
from idp.extensions import db
from idp.models import User


def signed_in_user() -> User | None:
    record = browser.current()
    return db.session.get(User, record.user_id) if record else None


def requires_user(view: Callable[..., Any]) -> Callable[..., Any]:
    """Run `view` with `g.user` set, or send the browser to sign in and come back."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        user = signed_in_user()
        if user is None:
            ref = request.args.get("ref")
            target = (
                url_for("login.sign_in", ref=ref)
                if ref
                else url_for("login.sign_in", next=request.path)
            )
            return redirect(target, code=303)
        g.user = user
        return view(*args, **kwargs)

    return wrapper
