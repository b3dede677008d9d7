"""The change-password page of required actions, and the strength verdict for the gauge."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms import PasswordField

from idp import browser
from idp.extensions import db, limiter
from idp.i18n import text
from idp.oidc import interaction
from idp.runtime import runtime
from idp.services import credentials, password_policy, required_actions, sessions
from idp.services.links import LinkState
from idp.web import journey
from idp.web.auth import requires_user, signed_in_user
from idp.web.forms import Form, Required

bp = Blueprint("password", __name__, url_prefix="/password")


class NewPasswordForm(Form):
    new_password = PasswordField(validators=[Required()])
    confirmation = PasswordField(validators=[Required()])


def continue_after_action(ref: str | None) -> Response:
    """On to the next required action, the pending authorization, or the home page."""
    if ref:
        return interaction.resume(ref)
    return redirect(url_for("account.index"), code=303)


@bp.route("/change", methods=["GET", "POST"])
@requires_user
def change_required() -> Response | str:
    rt = runtime()
    ref = request.args.get("ref")
    user = g.user
    action = required_actions.next_action(user, now=rt.now(), settings=rt.settings.password)
    if action not in {"personalise_password", "expired_password"}:
        return continue_after_action(ref)
    form = NewPasswordForm()
    problems: list[str] = []
    if form.validate_on_submit():
        result = credentials.change_password(
            user,
            form.new_password.data,
            form.confirmation.data,
            now=rt.now(),
            hashing=rt.passwords,
            settings=rt.settings.password,
            keep_sid=browser.current_sid(),
            deliveries=rt.deliveries,
            reason="personalised" if action == "personalise_password" else "expired",
            ip=request.remote_addr,
        )
        if result.changed:
            db.session.commit()
            next_action = required_actions.next_action(
                user, now=rt.now(), settings=rt.settings.password
            )
            if next_action is not None:
                return redirect(url_for(required_actions.page_for(next_action), ref=ref), 303)
            return continue_after_action(ref)
        problems = result.problems
    db.session.commit()
    return render_template(
        "password/change_required.html",
        form=form,
        action=action,
        problems=problems,
        ref=ref,
        expiry_days=rt.settings.password.expiry_days,
    )


@bp.post("/abandon")
def abandon() -> Response:
    """ "Abandonner": sign out without changing the password; the application that sent the
    user here hears `access_denied`."""
    record = browser.current()
    if record is not None:
        sessions.end(record.sid, now=runtime().now())
        browser.forget()
    db.session.commit()
    pending = journey.pending()
    if pending is not None:
        return interaction.deny(interaction.stored_request(pending), pending)
    return redirect(url_for("home.index"), code=303)


def _inputs_for(context: str) -> list[str]:
    """What the gauge counts against the password: the signed-in or invited user's data."""
    user = signed_in_user()
    invitation = browser.held(browser.INVITATION_LINK)
    if user is None and context == browser.INVITATION_LINK and invitation:
        resolved = runtime().invitations.resolve(invitation)
        user = resolved.user if resolved.state is LinkState.VALID else None
    return credentials.user_inputs(user) if user else []


@bp.post("/strength")
@limiter.limit("120/minute")
def strength() -> Response:
    """The verdict of the gauge: the very function the server enforces."""
    password = request.form.get("password", "")
    verdict = password_policy.evaluate(
        password,
        runtime().settings.password,
        user_inputs=_inputs_for(request.form.get("context", "")),
    )
    name = verdict.strength.name.lower()
    label = text("password.gauge_label", strength=text(verdict.strength.key))
    response = jsonify(strength=name, label=label, acceptable=verdict.acceptable)
    response.headers["Cache-Control"] = "no-store"
    return response
