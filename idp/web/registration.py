""" "S'inscrire" (self-registration): registered only when `[registration] enabled = true`.

Thin: each page reads its form and calls `idp.services.registration`. The first step answers
the same page, after the same floor, whether the address is in use or not; what it sends
goes out once the page has answered (`deferred.later`).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms import HiddenField, PasswordField, StringField

from idp import browser
from idp.extensions import db, limiter
from idp.i18n import current_locale
from idp.models import PendingRegistration
from idp.runtime import runtime
from idp.services import registration
from idp.services.codes import Check
from idp.services.hashing import keyed_hash
from idp.web import captcha
from idp.web.deferred import later
from idp.web.forms import Form, Required
from idp.web.recovery import same_time

bp = Blueprint("registration", __name__, url_prefix="/register")


def _limit() -> str:
    return runtime().settings.ratelimit.registration_per_ip


def _address_limit() -> str:
    return runtime().settings.ratelimit.registration_per_address


def _address_key() -> str:
    """Rate-limit key for the address typed (a keyed hash: addresses are personal data)."""
    typed = str(request.form.get("email", "")).strip().lower()[:254]
    return "registration-address:" + keyed_hash(runtime().hash_key, "rate-limit", typed)


@bp.app_context_processor
def _link() -> dict[str, Any]:
    """The sign-in page shows "S'inscrire" when this blueprint exists."""
    return {"registration_enabled": True}


class StartForm(Form):
    identifier = StringField()
    email = StringField(validators=[Required()])
    captcha_ref = HiddenField()
    captcha_answer = StringField(validators=[Required()])


class CodeForm(Form):
    code = StringField(validators=[Required()])


class PasswordForm(Form):
    identifier = StringField()
    new_password = PasswordField(validators=[Required()])
    confirmation = PasswordField(validators=[Required()])


def _step(endpoint: str, reg: str) -> str:
    """The next step's URL (the way back to an application is the session's: idp.web.journey)."""
    return url_for(endpoint, reg=reg)


def _chosen() -> bool:
    return runtime().settings.registration.identifier == "chosen"


def _pending(reg: str) -> PendingRegistration:
    pending = registration.load(reg, binding=browser.binding_hash(), now=runtime().now())
    if pending is None:
        abort(404)
    return pending


@bp.route("", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
@limiter.limit(_address_limit, key_func=_address_key, methods=["POST"])
@same_time
def start() -> Response | str:
    """The identifier (when chosen), the e-mail address and the captcha."""
    rt = runtime()
    form = StartForm()
    problems: dict[str, str] = {}
    message = None
    if form.validate_on_submit():
        email = registration.clean_email(
            form.email.data, allow_reserved=rt.settings.server.development
        )
        identifier = (form.identifier.data or "").strip()
        if email is None:
            problems["email"] = "registration.email_invalid"
        if _chosen() and (problem := registration.identifier_format_problem(identifier)):
            problems["identifier"] = problem
        if not captcha.check(form.captcha_ref.data, form.captcha_answer.data):
            message = "captcha.wrong"
        elif email is not None and not problems:
            pending, delivery = registration.start(
                email,
                identifier if _chosen() else None,
                binding=browser.binding_hash(),
                locale=current_locale(),
                rt=rt,
            )
            later(delivery)
            db.session.commit()
            return redirect(_step("registration.code", pending.ref), code=303)
    elif request.method == "POST":
        fields = {"identifier", "email"} & set(form.errors)
        problems = {name: "login.required" for name in fields}
        message = "captcha.required" if "captcha_answer" in form.errors else None
    audio = request.args.get("captcha") == "audio"
    shown = captcha.issue(rt.settings.captcha.kind, with_audio=audio)
    form.captcha_ref.data = shown.ref
    form.captcha_answer.data = ""
    db.session.commit()
    return render_template(
        "registration/start.html",
        form=form,
        chosen=_chosen(),
        challenge=shown,
        problems=problems,
        message=message,
    )


@bp.route("/<reg>/code", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
@same_time
def code(reg: str) -> Response | str:
    """ "Si cette adresse peut être utilisée, vous allez recevoir un code" — for everyone."""
    rt = runtime()
    pending = _pending(reg)
    if pending.used_at is not None:
        return redirect(_step("registration.password", reg), code=303)
    form = CodeForm()
    message: tuple[str, dict[str, object]] | None = None
    if form.validate_on_submit():
        result = registration.check_code(pending, form.code.data, rt=rt)
        db.session.commit()
        if result.outcome is Check.OK:
            return redirect(_step("registration.password", reg), code=303)
        message = _code_message(result.outcome, result.attempts_left)
    form.code.data = ""
    db.session.commit()
    return render_template(
        "registration/code.html",
        form=form,
        reg=reg,
        email=pending.email,
        message=message,
        digits=rt.settings.contacts.email_code_digits,
        minutes=rt.settings.contacts.email_code_minutes,
    )


def _code_message(outcome: Check, left: int) -> tuple[str, dict[str, object]]:
    if outcome is Check.WRONG:
        return ("registration.code_wrong_one" if left == 1 else "registration.code_wrong"), {
            "left": left
        }
    if outcome is Check.EXPIRED:
        return "registration.code_expired", {}
    return "registration.code_exhausted", {}


@bp.route("/<reg>/password", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def password(reg: str) -> Response | str:
    """The proven address's account: its identifier (when chosen) and its password."""
    rt = runtime()
    pending = _pending(reg)
    if pending.used_at is None:
        return redirect(_step("registration.code", reg), code=303)
    form = PasswordForm()
    if request.method == "GET":
        form.identifier.data = pending.identifier
    problems: dict[str, str] = {}
    password_problems: list[str] = []
    if form.validate_on_submit():
        try:
            created = registration.create_account(
                pending,
                form.identifier.data,
                form.new_password.data,
                form.confirmation.data,
                ip=request.remote_addr,
                locale=current_locale(),
                rt=rt,
            )
        except registration.Spent:
            db.session.rollback()
            abort(404)
        if created.user is not None:
            later(created.delivery)
            db.session.commit()
            return render_template(
                "registration/done.html",
                identifier=created.user.identifier,
                given=not _chosen(),
            )
        problems, password_problems = created.problems, created.password_problems
    elif request.method == "GET" and _chosen() and pending.identifier:
        # Now that the address is proven, a taken identifier may be said (and changed).
        problem = registration.identifier_problem(pending.identifier)
        problems = {"identifier": problem} if problem else {}
    db.session.commit()
    return render_template(
        "registration/password.html",
        form=form,
        reg=reg,
        chosen=_chosen(),
        problems=problems,
        password_problems=password_problems,
    )
