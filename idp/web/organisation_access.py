"""Who may see which "Gestion des comptes" page, and the recent sign-in that sensitive
changes need.

Every page that names a secondary account in its URL or form goes through `own_secondary`,
which answers 404 for any account that is not one of the signed-in primary's: another
organisation's account is indistinguishable from one that does not exist.

A recent sign-in: changing the quota, the services or a secondary account's rights needs a
sign-in (or a password confirmation) of less than `[organisations] reauthenticate_minutes`.
When it is older, the form itself carries a "current password" field (`_reauth.html`): the
person types it with the change, and nothing they typed is lost.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import abort, g, request

from idp import browser
from idp.models import OrganisationAccount
from idp.runtime import runtime
from idp.services import organisations
from idp.web.account import current_password_problem
from idp.web.auth import requires_user


def requires_member(view: Callable[..., Any]) -> Callable[..., Any]:
    """A signed-in account of an organisation: `g.user` and `g.member` set; 404 otherwise."""

    @functools.wraps(view)
    @requires_user
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        member = organisations.membership(g.user.id)
        if member is None:
            abort(404)
        g.member = member
        return view(*args, **kwargs)

    return wrapper


def requires_primary(view: Callable[..., Any]) -> Callable[..., Any]:
    """A signed-in primary account (secondary accounts manage none): 404 otherwise."""

    @functools.wraps(view)
    @requires_member
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not g.member.is_primary:
            abort(404)
        return view(*args, **kwargs)

    return wrapper


def own_secondary(identifier: str) -> OrganisationAccount:
    """The signed-in primary's secondary account `identifier`, or 404."""
    member = organisations.find_secondary(g.member, identifier)
    if member is None:
        abort(404)
    return member


def recent_sign_in() -> bool:
    """Whether this browser's session authenticated within the configured minutes."""
    record = browser.current()
    if record is None:
        return False
    rt = runtime()
    return rt.now() - record.auth_time < rt.settings.organisations.reauthenticate_minutes * 60


# The message key `confirm_recent_sign_in` returns when no password was typed.
PASSWORD_NEEDED = "org.reauth_needed"


def confirm_recent_sign_in() -> str | None:
    """Check the form's `current_password` when the sign-in is not recent; None when the
    change may go ahead (the session then counts as freshly authenticated), else the
    message key to show beside the field. The password is checked under the sign-in's
    attempt counters."""
    if recent_sign_in():
        return None
    password = request.form.get("current_password", "")
    if not password:
        return PASSWORD_NEEDED
    problem = current_password_problem(password)
    if problem is not None:
        return problem
    record = browser.current()
    assert record is not None  # requires_user
    record.auth_time = runtime().now()
    return None
