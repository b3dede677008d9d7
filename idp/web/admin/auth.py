"""Signing in to the console: password (under the sign-in's lockout), then a code from the
authenticator app (enrolled here the first time) or a recovery code; re-authentication
before changes once `[admin] reauth_minutes` have passed; signing out.

Every rule lives in `idp.services` (authn, second_factor, admin_sessions, staff); these
views read the forms and answer.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField

from idp.extensions import db, limiter
from idp.runtime import runtime
from idp.services import admin_sessions, audit, authn, required_actions, second_factor, staff
from idp.services.second_factor import Outcome
from idp.web.admin import access
from idp.web.admin.access import console_blueprint, public, requires
from idp.web.forms import Form, Required

bp = console_blueprint("admin", __name__)

_PASSWORD_MESSAGES = {
    authn.Outcome.INVALID: "login.invalid_credentials",
    authn.Outcome.LOCKED: "login.locked",
    authn.Outcome.DISABLED: "login.disabled",
}


# What the sign-in page may say on arrival (`?notice=`): nothing else is shown from the URL.
_NOTICES = ("admin.factor_stopped", "admin.signed_out")


class PasswordForm(Form):
    identifier = StringField(validators=[Required()])
    password = PasswordField(validators=[Required()])


class CodeForm(Form):
    code = StringField(validators=[Required("admin.code_required")])


class ReauthForm(Form):
    password = PasswordField(validators=[Required()])
    code = StringField(validators=[Required("admin.code_required")])


def _context() -> authn.Context:
    return authn.Context(now=runtime().now(), ip=request.remote_addr)


@bp.get("")
@requires(None)
def home() -> str:
    return render_template("admin/home.html")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: runtime().settings.ratelimit.login_per_ip, methods=["POST"])
@public
def sign_in() -> Response | str:
    form = PasswordForm()
    next_page = access.safe_next(request.args.get("next"))
    if not form.validate_on_submit():
        notice = request.args.get("notice")
        return render_template(
            "admin/sign_in.html",
            form=form,
            next_page=next_page,
            notice=notice if notice in _NOTICES else None,
        )
    rt = runtime()
    attempt = authn.sign_in(
        form.identifier.data.strip()[:128],
        form.password.data,
        captcha_passed=True,  # the lockout and the per-address limit stand in for it here
        hashing=rt.passwords,
        lockout=rt.lockout,
        captcha_failures=rt.captcha_failures,
        context=_context(),
        accepts="identifier",
        deliveries=rt.deliveries,
    )
    if attempt.outcome is not authn.Outcome.SIGNED_IN or attempt.user is None:
        db.session.commit()
        form.password.data = ""
        message = _PASSWORD_MESSAGES.get(attempt.outcome, "login.invalid_credentials")
        return render_template(
            "admin/sign_in.html", form=form, next_page=next_page, message=message
        )
    member = staff.of_user(attempt.user.id)
    if member is None:
        audit.record(
            "staff_sign_in",
            "not_staff",
            at=rt.now(),
            user_id=attempt.user.id,
            ip=request.remote_addr,
        )
        db.session.commit()
        abort(403)
    action = required_actions.next_action(attempt.user, now=rt.now(), settings=rt.settings.password)
    if action in {"personalise_password", "expired_password"}:
        # The password must first be changed where the hosted pages enforce its rules.
        audit.record("staff_sign_in", action, at=rt.now(), user_id=attempt.user.id)
        db.session.commit()
        return render_template(
            "admin/sign_in.html", form=form, next_page=next_page, message="admin.password_action"
        )
    _, secret = admin_sessions.start(
        member, now=rt.now(), ip=request.remote_addr, user_agent=request.headers.get("User-Agent")
    )
    db.session.commit()
    step = "admin.second_factor" if member.totp_confirmed_at else "admin.enrol"
    return access.set_cookie(redirect(url_for(step, next=next_page), code=303), secret)


def _awaiting_factor() -> admin_sessions.Live:
    """The session between the password and the code; otherwise back to the password."""
    live = access.current()
    if live is None or live.verified:
        abort(redirect(url_for("admin.sign_in", next=request.args.get("next")), code=303))
    return live


def _try_code(
    check: Callable[..., second_factor.Result], live: admin_sessions.Live, code: str
) -> second_factor.Result:
    """`second_factor.verify` or `confirm_enrolment`, for this session's holder."""
    rt = runtime()
    return check(
        live.member,
        live.user,
        code,
        now=rt.now(),
        hash_key=rt.hash_key,
        lockout=rt.second_factor_lockout,
        ip=request.remote_addr,
    )


def _wrong_code(live: admin_sessions.Live, result: second_factor.Result) -> str | None:
    """The message for a refused code, or None when the session ended (too many, locked)."""
    rt = runtime()
    if result.outcome is Outcome.LOCKED or admin_sessions.factor_failed(live.record, now=rt.now()):
        return None
    return "admin.code_wrong"


def _restart(message: str) -> Response:
    db.session.commit()
    target = url_for("admin.sign_in", notice=message)
    return access.clear_cookie(redirect(target, code=303))


@bp.route("/login/code", methods=["GET", "POST"], endpoint="second_factor")
@limiter.limit(lambda: runtime().settings.ratelimit.login_per_ip, methods=["POST"])
@public
def second_factor_step() -> Response | str:
    live = _awaiting_factor()
    if live.member.totp_confirmed_at is None:
        return redirect(url_for("admin.enrol", next=request.args.get("next")), code=303)
    form = CodeForm()
    next_page = access.safe_next(request.args.get("next"))
    if not form.validate_on_submit():
        return render_template("admin/code.html", form=form)
    rt = runtime()
    result = _try_code(second_factor.verify, live, form.code.data)
    if result.outcome is not Outcome.ACCEPTED:
        message = _wrong_code(live, result)
        if message is None:
            return _restart("admin.factor_stopped")
        db.session.commit()
        form.code.data = ""
        return render_template("admin/code.html", form=form, message=message)
    admin_sessions.verified(live.record, now=rt.now())
    db.session.commit()
    if result.recovery_code_used:
        left = second_factor.recovery_codes_left(live.member)
        return render_template("admin/recovery_used.html", left=left, next_page=next_page)
    return redirect(next_page, code=303)


@bp.route("/login/enrol", methods=["GET", "POST"])
@limiter.limit(lambda: runtime().settings.ratelimit.login_per_ip, methods=["POST"])
@public
def enrol() -> Response | str:
    """First console sign-in: the secret is made and shown here, once; the first code from
    the app confirms it; the recovery codes are then shown, once."""
    live = _awaiting_factor()
    if live.member.totp_confirmed_at is not None:
        return redirect(url_for("admin.second_factor", next=request.args.get("next")), code=303)
    rt = runtime()
    form = CodeForm()
    if not form.is_submitted() or live.member.totp_sealed is None:
        secret = second_factor.begin_enrolment(live.member, hash_key=rt.hash_key)
        db.session.commit()
        return _enrol_page(form, secret)
    if not form.validate():
        return _enrol_page(form, second_factor.pending_secret(live.member, hash_key=rt.hash_key))
    result = _try_code(second_factor.confirm_enrolment, live, form.code.data)
    if result.outcome is not Outcome.ACCEPTED:
        message = _wrong_code(live, result)
        if message is None:
            return _restart("admin.factor_stopped")
        pending = second_factor.pending_secret(live.member, hash_key=rt.hash_key)
        db.session.commit()
        form.code.data = ""
        return _enrol_page(form, pending, message=message)
    codes = second_factor.new_recovery_codes(live.member, now=rt.now(), hash_key=rt.hash_key)
    admin_sessions.verified(live.record, now=rt.now())
    db.session.commit()
    return render_template(
        "admin/recovery_codes.html",
        codes=codes,
        next_page=access.safe_next(request.args.get("next")),
    )


def _enrol_page(form: CodeForm, secret: str | None, *, message: str | None = None) -> str:
    if secret is None:  # the secret was replaced meanwhile (another tab): start over
        abort(redirect(url_for("admin.enrol", next=request.args.get("next")), code=303))
    rt = runtime()
    live = access.current()
    assert live is not None
    issuer = rt.settings.admin.totp_issuer or rt.settings.branding.name
    uri = second_factor.provisioning_uri(secret, account=live.user.identifier, issuer=issuer)
    import segno  # ~0.5 MiB a worker: only an enrolment draws a QR code

    qr = segno.make(uri, error="m").svg_inline(scale=4, border=2, omitsize=True)
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render_template(
        "admin/enrol.html", form=form, qr=qr, secret=grouped, issuer=issuer, message=message
    )


@bp.route("/reauthenticate", methods=["GET", "POST"])
@limiter.limit(lambda: runtime().settings.ratelimit.login_per_ip, methods=["POST"])
@public
def reauthenticate() -> Response | str:
    """The password and a code again, before a change once the last ones are too old."""
    live = access.current()
    if live is None or not live.verified:
        return redirect(url_for("admin.sign_in", next=request.args.get("next")), code=303)
    form = ReauthForm()
    next_page = access.safe_next(request.args.get("next"))
    if not form.validate_on_submit():
        return render_template("admin/reauthenticate.html", form=form, user=live.user)
    rt = runtime()
    attempt = authn.reauthenticate(
        live.user, form.password.data, hashing=rt.passwords, lockout=rt.lockout, context=_context()
    )
    result = None
    if attempt.outcome is authn.Outcome.SIGNED_IN:
        result = _try_code(second_factor.verify, live, form.code.data)
    if result is None or result.outcome is not Outcome.ACCEPTED:
        locked = attempt.outcome is authn.Outcome.LOCKED or (
            result is not None and result.outcome is Outcome.LOCKED
        )
        if locked or admin_sessions.factor_failed(live.record, now=rt.now()):
            admin_sessions.end(live.record, now=rt.now())
            return _restart("admin.factor_stopped")
        db.session.commit()
        form.code.data = ""
        return render_template(
            "admin/reauthenticate.html", form=form, user=live.user, message="admin.reauth_wrong"
        )
    admin_sessions.verified(live.record, now=rt.now())
    audit.record("staff_reauthenticated", "success", at=rt.now(), user_id=live.user.id)
    db.session.commit()
    return redirect(next_page, code=303)


@bp.post("/logout")
@public
def sign_out() -> Response:
    live = access.current()
    if live is not None:
        rt = runtime()
        admin_sessions.end(live.record, now=rt.now())
        audit.record("staff_sign_out", "success", at=rt.now(), user_id=live.user.id)
        db.session.commit()
    return _restart("admin.signed_out")
