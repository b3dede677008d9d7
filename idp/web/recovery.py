"""Recovery pages: "J'ai oublié mon mot de passe" and "Obtenir son identifiant".

Thin: each page reads its form and calls `idp.services.recovery`. A temporary password is
queued in the step's own transaction (committed with the answer); codes and links go out once
the page has answered (`deferred.later`). Every step answers after at least
`[recovery] response_floor_ms`, and every path ends on the same page.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from flask import (
    Blueprint,
    abort,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response
from wtforms import HiddenField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice

from idp import browser
from idp.extensions import db, limiter
from idp.models import RecoveryAttempt
from idp.runtime import Runtime, runtime
from idp.services import civil_data, recovery
from idp.services.codes import Check
from idp.services.links import LinkState
from idp.services.mailboxes import email_for
from idp.services.recovery import Path, Step
from idp.web import captcha
from idp.web.deferred import later
from idp.web.flashes import flash
from idp.web.forms import Form, Required

bp = Blueprint("recovery", __name__, url_prefix="/recovery")


def _recovery_limit() -> str:
    return runtime().settings.ratelimit.recovery_per_ip


def _nir_limit() -> str:
    return runtime().settings.ratelimit.recovery_per_nir


def _nir_key() -> str:
    """Rate-limit key for the NIR typed (a keyed hash: the number is personal data)."""
    typed = str(request.form.get("nir", ""))
    return "recovery-nir:" + civil_data.lookup_key(typed, hash_key=runtime().hash_key)


def same_time(view: Callable[..., Any]) -> Callable[..., Any]:
    """Answer POSTs no sooner than the floor: sending a message must not show in the time
    (nor an error: the floor holds whatever the view ends with)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return view(*args, **kwargs)
        finally:
            if request.method == "POST":
                floor = runtime().settings.recovery.response_floor_ms / 1000
                time.sleep(max(0.0, floor - (time.perf_counter() - started)))

    return wrapper


class ChallengeForm(Form):
    captcha_ref = HiddenField()
    captcha_answer = StringField(validators=[Required()])


class IdentifierForm(ChallengeForm):
    identifier = StringField(validators=[Required()])


class ChannelForm(Form):
    channel = RadioField(
        choices=[SelectChoice("email", "email"), SelectChoice("sms", "sms")],
        validators=[Required()],
    )


class CodeForm(Form):
    code = StringField(validators=[Required()])


class AnswerForm(Form):
    answer = StringField(validators=[Required()])


class LetterCodeForm(ChallengeForm):
    identifier = StringField(validators=[Required()])
    code = StringField(validators=[Required()])


class NewPasswordForm(Form):
    new_password = PasswordField(validators=[Required()])
    confirmation = PasswordField(validators=[Required()])


class CivilDataForm(ChallengeForm):
    nir = StringField(validators=[Required()])
    birth_date = StringField(validators=[Required()])
    postal_code = StringField(validators=[Required()])


class IbanForm(Form):
    iban_tail = StringField(validators=[Required()])


def _challenge(form: ChallengeForm) -> captcha.ShownChallenge:
    shown = captcha.issue("arithmetic")
    form.captcha_ref.data = shown.ref
    form.captcha_answer.data = ""
    return shown


def _attempt(ref: str) -> RecoveryAttempt:
    """The recovery this browser has in progress; an expired, finished or foreign one answers
    "ce lien a expiré ou a déjà servi" with the way to start again (410)."""
    rt = runtime()
    attempt = recovery.load(ref, binding=browser.binding_hash(), now=rt.now())
    if attempt is None:
        db.session.commit()
        body = render_template("recovery/link_unusable.html", state="step_gone")
        abort(make_response(body, 410))
    return attempt


def _next(step: Step, attempt: RecoveryAttempt) -> Response:
    db.session.commit()
    if step in (Step.DONE, Step.ASSISTANCE):
        recovery.finish(attempt, now=runtime().now())
        db.session.commit()
        return redirect(url_for(f"recovery.{step.value}"), code=303)
    return redirect(url_for(f"recovery.{step.value}", ref=attempt.ref), code=303)


# -- forgotten password ----------------------------------------------------------------------


@bp.route("/password", methods=["GET", "POST"])
@limiter.limit(_recovery_limit, methods=["POST"])
@same_time
def password() -> Response | str:
    """ "Vérification de votre identité": the identifier and a simple sum."""
    rt = runtime()
    form = IdentifierForm()
    message = None
    if request.method == "GET" and request.args.get("identifier"):
        form.identifier.data = request.args["identifier"][:128]
    if form.validate_on_submit():
        if captcha.check(form.captcha_ref.data, form.captcha_answer.data):
            attempt = recovery.start(
                form.identifier.data.strip()[:128],
                binding=browser.binding_hash(),
                now=rt.now(),
                rt=rt,
            )
            db.session.commit()
            return redirect(url_for("recovery.channel", ref=attempt.ref), code=303)
        message = "captcha.wrong"
    shown = _challenge(form)
    db.session.commit()
    return render_template("recovery/identify.html", form=form, challenge=shown, message=message)


@bp.route("/password/<ref>/channel", methods=["GET", "POST"])
@limiter.limit(_recovery_limit, methods=["POST"])
@same_time
def channel(ref: str) -> Response | str:
    """ "Comment désirez-vous recevoir votre mot de passe temporaire ?" """
    rt = runtime()
    attempt = _attempt(ref)
    form = ChannelForm()
    if form.validate_on_submit():
        step, dispatch = recovery.choose_channel(attempt, form.channel.data, rt=rt)
        _dispatch(dispatch)
        return _next(step, attempt)
    masked = _masked_channels(attempt)
    db.session.commit()
    return render_template("recovery/channel.html", form=form, ref=ref, masked=masked)


def _dispatch(dispatch: recovery.Dispatch, sent: str | None = None) -> None:
    """Send what the step sends, or say how long to wait before a new code."""
    later(dispatch.delivery)
    if dispatch.wait_seconds:
        flash(["recovery.code_wait", {"minutes": -(-dispatch.wait_seconds // 60)}])
    elif sent:
        flash([sent, {}])


def _masked_channels(attempt: RecoveryAttempt) -> dict[str, str]:
    """ "s****@c****.fr": only when configured, since it tells that the account exists."""
    user = recovery.user_of(attempt)
    if not runtime().settings.recovery.show_masked_channels or user is None:
        return {}
    masked = {}
    if address := email_for(user):
        masked["email"] = recovery.mask_email(address)
    if user.phone:
        masked["sms"] = recovery.mask_phone(user.phone)
    return masked


@bp.route("/password/<ref>/code", methods=["GET", "POST"])
@limiter.limit(_recovery_limit, methods=["POST"])
@same_time
def code(ref: str) -> Response | str:
    """ "Un code de confirmation vous a été envoyé": type it (a few tries)."""
    rt = runtime()
    attempt = _attempt(ref)
    form = CodeForm()
    message: tuple[str, dict[str, object]] | None = None
    if form.validate_on_submit():
        outcome = recovery.check_code(attempt, form.code.data, rt=rt)
        if outcome.outcome is Check.OK:
            if outcome.notice:
                flash([outcome.notice, {}])
            return _next(outcome.step, attempt)
        message = _code_message(outcome)
    form.code.data = ""
    db.session.commit()
    return render_template(
        "recovery/code.html",
        form=form,
        ref=ref,
        channel=attempt.channel or "email",
        message=message,
        digits=rt.settings.recovery.code_digits,
    )


def _code_message(result: recovery.CodeResult) -> tuple[str, dict[str, object]]:
    if result.outcome is Check.WRONG:
        return "contacts.code_wrong", {"left": result.left}
    if result.outcome is Check.EXHAUSTED:
        return "recovery.code_exhausted", {}
    return "contacts.code_expired", {}


@bp.post("/password/<ref>/resend")
@limiter.limit(_recovery_limit)
@same_time
def resend(ref: str) -> Response:
    attempt = _attempt(ref)
    _dispatch(recovery.send_code(attempt, rt=runtime()), sent="recovery.code_resent")
    db.session.commit()
    return redirect(url_for("recovery.code", ref=ref), code=303)


@bp.route("/password/<ref>/question", methods=["GET", "POST"])
@limiter.limit(_recovery_limit, methods=["POST"])
@same_time
def question(ref: str) -> Response | str:
    """BonusEco: the secret question; a right answer sends an ephemeral link."""
    attempt = _attempt(ref)
    user = recovery.user_of(attempt)
    if Path(attempt.path) is not Path.SECRET_QUESTION or user is None:
        abort(404)
    form = AnswerForm()
    if form.validate_on_submit():
        later(recovery.answer_secret(attempt, form.answer.data, rt=runtime()))
        return _next(Step.DONE, attempt)
    db.session.commit()
    return render_template(
        "recovery/question.html", form=form, ref=ref, question_key=user.secret_question
    )


@bp.route("/password/<ref>/fact", methods=["GET", "POST"])
@limiter.limit(_recovery_limit, methods=["POST"])
@same_time
def fact(ref: str) -> Response | str:
    """MSA, never connected: a question on what the organisation knows."""
    attempt = _attempt(ref)
    user = recovery.user_of(attempt)
    if Path(attempt.path) is not Path.ORGANISATION_DATA or user is None:
        abort(404)
    form = AnswerForm()
    if form.validate_on_submit():
        recovery.answer_fact(attempt, form.answer.data, rt=runtime())
        return _next(Step.DONE, attempt)
    db.session.commit()
    return render_template(
        "recovery/fact.html", form=form, ref=ref, kind=user.verification_kind or "carte_vitale"
    )


@bp.get("/done")
def done() -> str:
    """ "Procédure terminée, merci de vérifier votre boîte aux lettres" — for everyone."""
    return render_template("recovery/done.html")


@bp.get("/assistance")
def assistance() -> str:
    """BonusEco: no secret set and nothing to send: the helpdesk (unknown identifiers too)."""
    return render_template("recovery/assistance.html")


# -- a code received by post, a reset link: choosing the new password ------------------------


@bp.route("/letter", methods=["GET", "POST"])
@limiter.limit(_recovery_limit, methods=["POST"])
@same_time
def letter() -> Response | str:
    """ASSU2000: the one-time security code received by post."""
    rt = runtime()
    form = LetterCodeForm()
    message = None
    if form.validate_on_submit():
        if not captcha.check(form.captcha_ref.data, form.captcha_answer.data):
            message = "captcha.wrong"
        else:
            user = recovery.check_postal_code(form.identifier.data.strip(), form.code.data, rt=rt)
            if user is not None:
                attempt = recovery.begin(
                    user, Path.POSTAL_CODE, binding=browser.binding_hash(), now=rt.now(), rt=rt
                )
                attempt.verified_at = rt.now()
                db.session.commit()
                return redirect(url_for("recovery.new_password", ref=attempt.ref), code=303)
            message = "recovery.letter_code_wrong"
    shown = _challenge(form)
    db.session.commit()
    return render_template("recovery/letter.html", form=form, challenge=shown, message=message)


def _new_password_page(
    form: NewPasswordForm, problems: list[str], action: str, context: str = ""
) -> str:
    return render_template(
        "recovery/new_password.html",
        form=form,
        problems=problems,
        action=action,
        context=context,
    )


@bp.route("/password/<ref>/new", methods=["GET", "POST"])
@limiter.limit(_recovery_limit, methods=["POST"])
def new_password(ref: str) -> Response | str:
    rt = runtime()
    attempt = _attempt(ref)
    user = recovery.user_of(attempt)
    if attempt.verified_at is None or user is None:
        abort(404)
    form = NewPasswordForm()
    problems: list[str] = []
    if form.validate_on_submit():
        problems = recovery.set_new_password(
            user, form.new_password.data, form.confirmation.data, rt=rt, how=attempt.path
        )
        if not problems:
            recovery.finish(attempt, now=rt.now())
            db.session.commit()
            return redirect(url_for("recovery.changed"), code=303)
    db.session.commit()
    return _new_password_page(form, problems, url_for("recovery.new_password", ref=ref))


@bp.get("/reset/<token>")
def reset_link(token: str) -> Response:
    """The e-mailed link: its token goes into the session, the page is at a clean URL."""
    return browser.hold_and_redirect(browser.RESET_LINK, token, url_for("recovery.reset"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_recovery_limit, methods=["POST"])
def reset() -> Response | str:
    """The ephemeral link of a recovery: choose the new password (works once)."""
    rt = runtime()
    resolved = rt.reset_links.resolve(browser.held(browser.RESET_LINK) or "")
    if resolved.state is not LinkState.VALID or resolved.user is None:
        db.session.commit()
        body = render_template("recovery/link_unusable.html", state=resolved.state.value)
        return make_response(body, 410 if resolved.state is LinkState.EXPIRED else 400)
    form = NewPasswordForm()
    problems: list[str] = []
    if form.validate_on_submit():
        problems = recovery.set_new_password(
            resolved.user, form.new_password.data, form.confirmation.data, rt=rt, how="link"
        )
        if not problems:
            browser.release(browser.RESET_LINK)
            db.session.commit()
            return redirect(url_for("recovery.changed"), code=303)
    db.session.commit()
    return _new_password_page(form, problems, url_for("recovery.reset"))


@bp.get("/changed")
def changed() -> str:
    return render_template("recovery/changed.html")


# -- forgotten identifier ---------------------------------------------------------------------


@bp.route("/identifier", methods=["GET", "POST"])
@limiter.limit(_recovery_limit, methods=["POST"])
@limiter.limit(_nir_limit, key_func=_nir_key, methods=["POST"])
@same_time
def identifier() -> Response | str:
    """ASSU2000: n° de Sécurité Sociale, date de naissance, code postal."""
    rt = runtime()
    form = CivilDataForm()
    problems: dict[str, str] = {}
    message = None
    if form.validate_on_submit():
        outcome, user = recovery.look_up_identifier(
            form.nir.data,
            form.birth_date.data.strip(),
            form.postal_code.data,
            captcha_passed=captcha.check(form.captcha_ref.data, form.captcha_answer.data),
            ip=request.remote_addr,
            rt=rt,
        )
        if outcome is recovery.Lookup.CAPTCHA_FAILED:
            message = "captcha.wrong"
        elif outcome is recovery.Lookup.INVALID_NUMBER:
            problems["nir"] = "recovery.nir_invalid"
        else:
            return _identifier_found(user)
    shown = _challenge(form)
    db.session.commit()
    return render_template(
        "recovery/identifier.html",
        form=form,
        challenge=shown,
        problems=problems,
        message=message,
    )


def _identifier_found(user: Any) -> Response:
    rt = runtime()
    address = email_for(user) if user is not None else None
    if user is not None and address:
        later(partial(_send_identifier, user.id))
        db.session.commit()
        flash(["recovery.identifier_sent", {"address": recovery.mask_email(address)}])
        return redirect(url_for("recovery.identifier_sent"), code=303)
    # No e-mail known, or no match at all: the same next page (the IBAN's last characters).
    attempt = recovery.begin(
        user, Path.IDENTIFIER, binding=browser.binding_hash(), now=rt.now(), rt=rt
    )
    db.session.commit()
    return redirect(url_for("recovery.iban", ref=attempt.ref), code=303)


def _send_identifier(user_id: int, rt: Runtime) -> None:
    rt.deliveries.send_identifier(recovery.load_user(user_id))


@bp.get("/identifier/sent")
def identifier_sent() -> str:
    return render_template("recovery/identifier_sent.html")


@bp.route("/identifier/<ref>/iban", methods=["GET", "POST"])
@limiter.limit(_recovery_limit, methods=["POST"])
@same_time
def iban(ref: str) -> Response | str:
    """No e-mail known: the last 6 characters of the IBAN on file show the identifier."""
    rt = runtime()
    attempt = _attempt(ref)
    if Path(attempt.path) is not Path.IDENTIFIER:
        abort(404)
    form = IbanForm()
    message: tuple[str, dict[str, object]] | None = None
    if form.validate_on_submit():
        result = recovery.check_iban_tail(attempt, form.iban_tail.data, rt=rt)
        if result.user is not None:
            db.session.commit()
            return render_template(
                "recovery/identifier_shown.html", identifier=result.user.identifier
            )
        message = (
            ("recovery.iban_wrong", {"left": result.left})
            if result.left
            else ("recovery.code_exhausted", {})
        )
    form.iban_tail.data = ""
    db.session.commit()
    return render_template("recovery/iban.html", form=form, ref=ref, message=message)
