"""The signed-in account: "Mon compte", password change, e-mail address change."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField

from idp import browser
from idp.extensions import db, limiter
from idp.runtime import runtime
from idp.services import authn, contacts, credentials, required_actions
from idp.web.auth import requires_user
from idp.web.contacts import email_codes, routed_to
from idp.web.forms import Form, Required
from idp.web.password import NewPasswordForm

bp = Blueprint("account", __name__, url_prefix="/account")


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(validators=[Required()])


class ChangeEmailForm(Form):
    email = StringField(validators=[Required()])


@bp.get("")
@requires_user
def index() -> Response | str:
    rt = runtime()
    user = g.user
    action = required_actions.next_action(user, now=rt.now(), settings=rt.settings.password)
    if action is not None:
        return redirect(url_for(required_actions.page_for(action)), code=303)
    region = rt.settings.contacts.default_region
    db.session.commit()
    return render_template(
        "account/index.html",
        user=user,
        phones={
            "mobile": contacts.display_phone(user.phone, region=region),
            "landline": contacts.display_phone(user.landline, region=region),
            "fax": contacts.display_phone(user.fax, region=region),
        },
    )


@bp.route("/password", methods=["GET", "POST"])
@limiter.limit("10/minute", methods=["POST"])
@requires_user
def change_password() -> Response | str:
    """ "Email & mot de passe > modifier mon mot de passe": current, new, confirmation."""
    form = ChangePasswordForm()
    problems: list[str] = []
    if form.validate_on_submit():
        problems = change_own_password(form)
        if not problems:
            db.session.commit()
            return redirect(url_for("account.password_changed"), code=303)
    db.session.commit()
    return render_template("account/password.html", form=form, problems=problems)


def current_password_problem(password: str) -> str | None:
    """The signed-in user's password again, checked under the sign-in's lockout (a stolen
    session must not become a way to guess it): None when right, else the message key."""
    rt = runtime()
    check = authn.reauthenticate(
        g.user,
        password,
        hashing=rt.passwords,
        lockout=rt.lockout,
        context=authn.Context(now=rt.now(), ip=request.remote_addr),
    )
    if check.outcome is authn.Outcome.LOCKED:
        return "account.current_password_locked"
    if check.outcome is not authn.Outcome.SIGNED_IN:
        return "account.current_password_wrong"
    return None


def change_own_password(form: ChangePasswordForm) -> list[str]:
    """Check the current password (under the sign-in's lockout) and set the new one, keeping
    this browser signed in; the problems to show, empty once changed. Also the "Mot de passe"
    tab of "Gestion des comptes" (idp/web/organisation_tabs.py)."""
    rt = runtime()
    problem = current_password_problem(form.current_password.data)
    if problem is not None:
        return [problem]
    return credentials.change_password(
        g.user,
        form.new_password.data,
        form.confirmation.data,
        now=rt.now(),
        hashing=rt.passwords,
        settings=rt.settings.password,
        keep_sid=browser.current_sid(),
        deliveries=rt.deliveries,
        reason="self",
        ip=request.remote_addr,
    ).problems


@bp.get("/password/done")
def password_changed() -> str:
    return render_template("account/password_done.html")


@bp.route("/email", methods=["GET", "POST"])
@limiter.limit("10/minute", methods=["POST"])
@requires_user
def change_email() -> Response | str:
    """A new address replaces the old one only once the code sent to it is typed."""
    user = g.user
    form = ChangeEmailForm()
    problem = contacts.own_address_refused(user)
    if problem is None and form.validate_on_submit():
        problem = contacts.change_email(
            user, form.email.data, via=email_codes(), now=runtime().now()
        )
        if problem is None:
            db.session.commit()
            return redirect(url_for("contacts.verify_email"), code=303)
    elif problem is None and form.email.errors:
        problem = "login.required"  # an empty field says so, never a silent reload
    routed = routed_to(user)
    db.session.commit()
    return render_template(
        "account/email.html", form=form, problem=problem, user=user, routed_to=routed
    )
