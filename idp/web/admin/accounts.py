"""The console's "Comptes": find an account, read its file, act for its holder.

Every rule is in `idp.services` (`account_search`, `account_actions`, `users`,
`subscriptions`), which `idp users …` calls too; these views read the request, call one
service with the acting staff member (`access.actor()`), and answer.
"""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from idp.extensions import db
from idp.models import User
from idp.runtime import runtime
from idp.services import account_actions, account_search, staff, subscriptions, users
from idp.services.users import AccountError
from idp.web.admin import access
from idp.web.admin.access import console_blueprint, requires
from idp.web.admin.dates import when
from idp.web.flashes import flash
from idp.web.listing import list_query, list_url, page_number

bp = console_blueprint("admin_accounts", __name__, "/accounts")

# The search's arguments: the form's fields, then the sort, order and page links keep them.
FILTERS = ("q", "organisation", "state")
LIST_ARGS = (*FILTERS, "sort", "order", "page")
# Sortable columns: (sort key, message key).
COLUMNS = (
    ("identifier", "accounts.col_identifier"),
    ("name", "accounts.col_name"),
    ("last_sign_in", "accounts.col_last_sign_in"),
    ("created", "accounts.col_created"),
)
PAGE_SIZE = 25


def _rules() -> account_search.StateRules:
    rt = runtime()
    return account_search.StateRules(
        lockout=rt.lockout, password=rt.settings.password, now=rt.now()
    )


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"when": when, "states": account_search.STATES}


@bp.get("")
@requires(staff.ACCOUNTS_READ)
def index() -> tuple[str, int] | str:
    query = list_query(request.args, LIST_ARGS)
    sort = query.get("sort", "identifier")
    if sort not in account_search.SORTS:
        sort = "identifier"
    descending = query.get("order") == "desc"
    wanted = account_search.Query(
        text=query.get("q", ""),
        organisation=query.get("organisation", ""),
        state=query.get("state", ""),
        sort=sort,
        descending=descending,
    )
    context: dict[str, Any] = {
        "query": query,
        "sort": sort,
        "descending": descending,
        "columns": COLUMNS,
        "list_url": lambda **changes: list_url("admin_accounts.index", query, **changes),
        "searched": any(query.get(name) for name in FILTERS),
    }
    try:
        found = account_search.search(
            wanted, _rules(), page=page_number(query.get("page")), page_size=PAGE_SIZE
        )
    except account_search.SearchError as exc:
        db.session.rollback()
        problem = {"field": exc.field, "key": exc.key, "params": exc.params}
        return render_template(
            "admin/accounts/index.html", found=None, problem=problem, **context
        ), 400
    db.session.commit()
    return render_template("admin/accounts/index.html", found=found, problem=None, **context)


def _account(user_id: int) -> User:
    user = users.get(user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/<int:user_id>")
@requires(staff.ACCOUNTS_READ, fresh=True)
def show(user_id: int) -> str:
    """The account's file; its forms act (after a recent re-authentication)."""
    user = _account(user_id)
    file = account_search.account_file(user, _rules(), session_limits=runtime().settings.session)
    db.session.commit()
    return render_template(
        "admin/accounts/account.html",
        file=file,
        channels=account_actions.CHANNELS,
        back=access.safe_next(request.args.get("back")),
    )


def _done(user: User, key: str, category: str = "status", **params: Any) -> Response:
    """Commit, say what happened, and go back to the account's file."""
    db.session.commit()
    flash((key, {"identifier": user.identifier, **params}), category)
    return redirect(url_for("admin_accounts.show", user_id=user.id) + "#notices", 303)


@bp.post("/<int:user_id>/unlock")
@requires(staff.ACCOUNTS_ACT)
def unlock(user_id: int) -> Response:
    user = _account(user_id)
    rt = runtime()
    unlocked = account_actions.unlock(
        user.identifier, lockout=rt.lockout, now=rt.now(), by=access.actor()
    )
    return _done(user, "accounts.unlocked" if unlocked else "accounts.was_not_locked")


@bp.post("/<int:user_id>/invite")
@requires(staff.ACCOUNTS_ACT)
def invite(user_id: int) -> Response:
    user = _account(user_id)
    try:
        rt = runtime()
        address = account_actions.invite(
            user, now=rt.now(), by=access.actor(), deliveries=rt.deliveries
        )
    except AccountError:
        return _done(user, "accounts.invite_has_password", "error")
    except account_actions.NotDelivered:
        return _done(user, "accounts.no_email", "error")
    return _done(user, "accounts.invited", address=address)


@bp.post("/<int:user_id>/temporary-password")
@requires(staff.ACCOUNTS_ACT)
def temporary_password(user_id: int) -> Response:
    user = _account(user_id)
    channel = request.form.get("channel", "")
    if channel not in account_actions.CHANNELS:
        abort(400)
    rt = runtime()
    try:
        account_actions.send_temporary_password(
            user,
            channel=channel,
            now=rt.now(),
            hashing=rt.passwords,
            deliveries=rt.deliveries,
            by=access.actor(),
        )
    except account_actions.NotDelivered:
        return _done(user, f"accounts.no_address_{channel}", "error")
    return _done(user, f"accounts.temporary_sent_{channel}")


@bp.post("/<int:user_id>/disable")
@requires(staff.ACCOUNTS_ACT)
def disable(user_id: int) -> Response:
    user = _account(user_id)
    users.disable(user, now=runtime().now(), by=access.actor())
    return _done(user, "accounts.disabled")


@bp.post("/<int:user_id>/enable")
@requires(staff.ACCOUNTS_ACT)
def enable(user_id: int) -> Response:
    user = _account(user_id)
    users.enable(user, now=runtime().now(), by=access.actor())
    return _done(user, "accounts.enabled")


@bp.post("/<int:user_id>/habilitations")
@requires(staff.ACCOUNTS_ACT)
def grant(user_id: int) -> Response:
    user = _account(user_id)
    client_id = request.form.get("client_id", "")
    restricted = {c.client_id: c for c in account_actions.restricted_applications()}
    if client_id not in restricted:
        return _done(user, "accounts.grant_unknown", "error")
    added = users.grant(user, client_id, now=runtime().now(), by=access.actor())
    key = "accounts.granted" if added else "accounts.already_granted"
    return _done(user, key, application=restricted[client_id].name)


@bp.post("/<int:user_id>/habilitations/remove")
@requires(staff.ACCOUNTS_ACT)
def revoke(user_id: int) -> Response:
    user = _account(user_id)
    client_id = request.form.get("client_id", "")
    removed = subscriptions.revoke_habilitation(
        user.id, client_id[:64], now=runtime().now(), by=access.actor()
    )
    if not removed:
        return _done(user, "accounts.not_granted", "error")
    still = client_id in subscriptions.usable_clients(user.id)
    return _done(user, "accounts.revoked_still" if still else "accounts.revoked", client=client_id)


@bp.post("/<int:user_id>/sessions/<int:session_id>/end")
@requires(staff.ACCOUNTS_ACT)
def end_session(user_id: int, session_id: int) -> Response:
    user = _account(user_id)
    if not account_actions.end_session(user, session_id, now=runtime().now(), by=access.actor()):
        abort(404)
    return _done(user, "accounts.session_ended")


@bp.post("/<int:user_id>/sessions/end")
@requires(staff.ACCOUNTS_ACT)
def end_sessions(user_id: int) -> Response:
    user = _account(user_id)
    ended = account_actions.end_sessions(user, now=runtime().now(), by=access.actor())
    return _done(user, "accounts.sessions_ended", count=ended)
