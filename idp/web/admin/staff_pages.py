"""The console's "Agents" page (admins only): who is staff, with which roles; add, change the
roles, reset a lost second factor, remove. The rules are `idp.services.staff`'s."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from idp.extensions import db
from idp.models import StaffMember
from idp.runtime import runtime
from idp.services import staff
from idp.services import users as accounts
from idp.services.staff import ROLES, StaffError
from idp.web.admin.access import actor, console_blueprint, requires
from idp.web.flashes import flash

bp = console_blueprint("admin_staff", __name__, "/staff")

NOTICES = "#notices"


def _member(user_id: int) -> StaffMember:
    member = staff.of_user(user_id)
    if member is None:
        abort(404)
    return member


def _roles() -> list[str]:
    return request.form.getlist("roles")[: len(ROLES) + 1]


def _done(key: str, **params: object) -> Response:
    db.session.commit()
    flash((key, params), "status")
    return redirect(url_for("admin_staff.index") + NOTICES, code=303)


def _refused(error: StaffError) -> Response:
    db.session.rollback()
    flash((error.key, error.params), "error")
    return redirect(url_for("admin_staff.index") + NOTICES, code=303)


@bp.get("")
@requires(staff.STAFF, fresh=True)
def index() -> str:
    return render_template("admin/staff/index.html", rows=staff.listing(), roles=list(ROLES))


@bp.post("")
@requires(staff.STAFF)
def add() -> Response:
    identifier = request.form.get("identifier", "").strip()[:128]
    user = accounts.find_by_identifier(identifier) if identifier else None
    if user is None:
        flash(("adminstaff.no_account", {"identifier": identifier}), "error")
        return redirect(url_for("admin_staff.index") + NOTICES, code=303)
    try:
        staff.add(user, _roles(), now=runtime().now(), by=actor())
    except StaffError as error:
        return _refused(error)
    return _done("adminstaff.added", identifier=user.identifier)


@bp.post("/<int:user_id>/roles")
@requires(staff.STAFF)
def change_roles(user_id: int) -> Response:
    member = _member(user_id)
    try:
        staff.set_roles(member, _roles(), now=runtime().now(), by=actor())
    except StaffError as error:
        return _refused(error)
    return _done("adminstaff.roles_changed", identifier=staff.user_of(member).identifier)


@bp.post("/<int:user_id>/second-factor")
@requires(staff.STAFF)
def reset_second_factor(user_id: int) -> Response:
    member = _member(user_id)
    staff.reset_second_factor(member, now=runtime().now(), by=actor())
    return _done("adminstaff.factor_reset", identifier=staff.user_of(member).identifier)


@bp.post("/<int:user_id>/remove")
@requires(staff.STAFF)
def remove(user_id: int) -> Response:
    member = _member(user_id)
    identifier = staff.user_of(member).identifier
    try:
        staff.remove(member, now=runtime().now(), by=actor())
    except StaffError as error:
        return _refused(error)
    return _done("adminstaff.removed", identifier=identifier)
