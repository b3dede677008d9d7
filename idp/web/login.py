"""The hosted sign-in page (identifier + password) and the habilitation refusal page."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField

from idp import browser
from idp.extensions import db
from idp.models import PendingAuthorization
from idp.runtime import runtime
from idp.services import audit, authn, interactions
from idp.web.forms import Required
from idp.web.security import allow_form_target

bp = Blueprint("login", __name__)


class SignInForm(FlaskForm):
    identifier = StringField(validators=[Required()])
    password = PasswordField(validators=[Required()])


def _pending(ref: str | None) -> PendingAuthorization | None:
    return interactions.load(ref, binding=browser.binding_hash(), now=runtime().now())


def _client_name(pending: PendingAuthorization | None) -> str | None:
    if pending is None:
        return None
    client = runtime().clients.lookup(pending.client_id)
    return client.name if client else None


def _render(form: SignInForm, pending: PendingAuthorization | None, *, failed: bool) -> str:
    if pending is not None:
        allow_form_target(pending.params.get("redirect_uri", ""))
    return render_template(
        "login/sign_in.html",
        form=form,
        ref=pending.ref if pending else None,
        client_name=_client_name(pending),
        failed=failed,
        focus="password" if form.identifier.data and not form.identifier.errors else "identifier",
    )


@bp.route("/login", methods=["GET", "POST"])
def sign_in() -> Response | str:
    ref = request.args.get("ref")
    pending = _pending(ref)
    if ref and pending is None:
        return Response(
            render_template("errors/page.html", message_key="login.request_expired", params={}),
            status=400,
            mimetype="text/html",
        )
    form = SignInForm()
    if request.method == "GET" and pending is not None and not form.identifier.data:
        form.identifier.data = pending.params.get("login_hint", "")[:128]
    if not form.validate_on_submit():
        return _render(form, pending, failed=False)
    rt = runtime()
    attempt = authn.check_password(form.identifier.data, form.password.data, hashing=rt.passwords)
    client_id = pending.client_id if pending else None
    if attempt.outcome is not authn.Outcome.SIGNED_IN or attempt.user is None:
        audit.record(
            "sign_in",
            attempt.outcome.value,
            at=rt.now(),
            user_id=attempt.user.id if attempt.user else None,
            identifier=form.identifier.data[:128],
            client_id=client_id,
            ip=request.remote_addr,
        )
        db.session.commit()
        form.password.data = ""
        return _render(form, pending, failed=True)
    record = browser.sign_in(attempt.user, acr=authn.PASSWORD_ACR, amr=authn.PASSWORD_AMR)
    audit.record(
        "sign_in",
        "success",
        at=rt.now(),
        user_id=attempt.user.id,
        client_id=client_id,
        ip=request.remote_addr,
    )
    if pending is None:
        db.session.commit()
        return redirect(url_for("home.index"), code=303)
    interactions.mark_authenticated(pending, record.sid)
    db.session.commit()
    return redirect(url_for("oidc.resume", ref=pending.ref), code=303)


@bp.get("/login/habilitation/<ref>")
def not_habilitated(ref: str) -> str:
    pending = _pending(ref)
    if pending is None:
        abort(404)
    allow_form_target(pending.params.get("redirect_uri", ""))
    return render_template(
        "login/not_habilitated.html", ref=pending.ref, client_name=_client_name(pending)
    )
