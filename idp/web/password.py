"""The change-password page that required actions send users to (temporary or expired)."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import PasswordField

from idp import browser
from idp.extensions import db
from idp.models import User
from idp.runtime import runtime
from idp.services import credentials, password_policy, required_actions, sessions
from idp.web.forms import Required

bp = Blueprint("password", __name__, url_prefix="/password")


class ChangeForm(FlaskForm):
    new_password = PasswordField(validators=[Required()])
    confirmation = PasswordField(validators=[Required()])


def _continue(ref: str | None) -> Response:
    if ref:
        return redirect(url_for("oidc.resume", ref=ref), code=303)
    return redirect(url_for("home.index"), code=303)


@bp.route("/change", methods=["GET", "POST"])
def change_required() -> Response | str:
    rt = runtime()
    record = browser.current()
    ref = request.args.get("ref")
    if record is None:
        return redirect(url_for("login.sign_in", ref=ref) if ref else url_for("login.sign_in"))
    user = db.session.get(User, record.user_id)
    assert user is not None
    action = required_actions.next_action(user, now=rt.now(), settings=rt.settings.password)
    if action is None:
        return _continue(ref)
    form = ChangeForm()
    problems: list[str] = []
    if form.validate_on_submit():
        result = credentials.change_password(
            user,
            form.new_password.data,
            form.confirmation.data,
            now=rt.now(),
            hashing=rt.passwords,
            settings=rt.settings.password,
            keep_sid=record.sid,
            ip=request.remote_addr,
        )
        if result.changed:
            db.session.commit()
            return _continue(ref)
        problems = result.problems
    db.session.commit()
    return render_template(
        "password/change_required.html",
        form=form,
        action=action,
        problems=problems,
        ref=ref,
        expiry_days=rt.settings.password.expiry_days,
        min_length=password_policy.minimum_length(rt.settings.password),
        max_length=rt.settings.password.max_length,
    )


@bp.post("/abandon")
def abandon() -> Response:
    """ "Abandonner": sign out without changing the password."""
    record = browser.current()
    if record is not None:
        sessions.end(record.sid, now=runtime().now())
        browser.forget()
    db.session.commit()
    return redirect(url_for("home.index"), code=303)
