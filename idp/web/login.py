"""The hosted sign-in page and the habilitation refusal page.

The page only reads the form, asks the captcha and the sign-in services, and answers: every
rule (attempts, locks, captcha policy, required actions) lives in `idp.services`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response
from wtforms import HiddenField, PasswordField, StringField

from idp import browser
from idp.extensions import db, limiter
from idp.models import BrowserSession, PendingAuthorization, User
from idp.oidc import interaction
from idp.runtime import runtime
from idp.services import authn, interactions, required_actions, subscriptions
from idp.services.hashing import keyed_hash
from idp.services.users import normalise_identifier
from idp.web import captcha, federation, journey
from idp.web.auth import signed_in_user
from idp.web.forms import Form, Required
from idp.web.security import allow_form_target

bp = Blueprint("login", __name__)

OUTCOME_MESSAGES = {
    authn.Outcome.INVALID: "login.invalid_credentials",
    authn.Outcome.CAPTCHA_FAILED: "captcha.wrong",
    authn.Outcome.LOCKED: "login.locked",
    authn.Outcome.DISABLED: "login.disabled",
}
_BROWSER_FAILURES = "sign_in_failures"


class SignInForm(Form):
    identifier = StringField(validators=[Required()])
    password = PasswordField(validators=[Required()])
    captcha_ref = HiddenField()
    captcha_answer = StringField()


def _pending(ref: str | None) -> PendingAuthorization | None:
    return interactions.load(ref, binding=browser.binding_hash(), now=runtime().now())


def _client_name(pending: PendingAuthorization | None) -> str | None:
    if pending is None:
        return None
    client = runtime().clients.lookup(pending.client_id)
    return client.name if client else None


def _identifier_key() -> str:
    """Rate-limit key for the identifier typed (hashed: identifiers are personal data)."""
    typed = normalise_identifier(str(request.form.get("identifier", "")))[:128]
    return "sign-in:" + keyed_hash(runtime().hash_key, "rate-limit", typed)


def _captcha_rule() -> authn.CaptchaRule:
    rt = runtime()
    return authn.CaptchaRule(rt.settings.captcha, rt.lockout, rt.captcha_failures, rt.captchas)


def _browser_failures() -> int:
    """Failed attempts from this browser, whatever identifiers it typed (its session's count)."""
    return int(session.get(_BROWSER_FAILURES, 0))


def _render(
    form: SignInForm,
    pending: PendingAuthorization | None,
    *,
    message: str | None = None,
    identifier: str | None = None,
    params: dict[str, object] | None = None,
    detail: tuple[str, dict[str, object]] | None = None,
) -> str:
    if pending is not None:
        allow_form_target(pending.params.get("redirect_uri", ""))
    challenge = None
    if _captcha_rule().needed(
        identifier, browser_failures=_browser_failures(), now=runtime().now()
    ):
        kind = runtime().settings.captcha.kind
        challenge = captcha.issue(kind, with_audio=request.args.get("captcha") == "audio")
        form.captcha_ref.data = challenge.ref
    form.password.data = ""
    form.captcha_answer.data = ""
    # Read before the commit, which expires the row: reading it after would load it again.
    ref, client_name = (pending.ref if pending else None), _client_name(pending)
    db.session.commit()
    return render_template(
        "login/sign_in.html",
        form=form,
        ref=ref,
        client_name=client_name,
        message=message,
        message_params=params or {},
        detail=detail,
        challenge=challenge,
        focus="password" if form.identifier.data and not form.identifier.errors else "identifier",
        linking=federation.arrival() if request.args.get("link") else None,
    )


def _detail(attempt: authn.Attempt) -> tuple[str, dict[str, object]] | None:
    """What the person can do next: the tries left, or what to type again."""
    if attempt.tries_left is not None:
        return "login.tries_left", {"left": attempt.tries_left}
    if attempt.outcome is authn.Outcome.CAPTCHA_FAILED:
        return "login.password_not_checked", {}
    return None


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: runtime().settings.ratelimit.login_per_ip, methods=["POST"])
@limiter.limit(
    lambda: runtime().settings.ratelimit.login_per_identifier,
    key_func=_identifier_key,
    methods=["POST"],
)
def sign_in() -> Response | str:
    ref = request.args.get("ref")
    pending = _pending(ref)
    if ref and pending is None:
        return journey.gone(ref)
    if pending is None and not request.args.get("next"):
        pending = journey.pending()  # back from recovery: the request this browser came with
    form = SignInForm()
    if request.method == "GET" and pending is not None and not form.identifier.data:
        form.identifier.data = pending.params.get("login_hint", "")[:128]
    if not form.validate_on_submit():
        return _render(form, pending)
    identifier = form.identifier.data.strip()[:128]
    # Read before the sign-in, whose commits expire the row: reading it after would load it.
    pending_ref = pending.ref if pending else None
    rt = runtime()
    verdict = _captcha_rule().verdict(
        identifier,
        form.captcha_ref.data,
        form.captcha_answer.data,
        browser_failures=_browser_failures(),
        binding=browser.binding_hash(),
        now=rt.now(),
    )
    if verdict is authn.CaptchaVerdict.MISSING:
        return _render(form, pending, message="captcha.required", identifier=identifier)
    attempt = authn.sign_in(
        identifier,
        form.password.data,
        captcha_passed=verdict.passes,
        hashing=rt.passwords,
        lockout=rt.lockout,
        captcha_failures=rt.captcha_failures,
        context=authn.Context(
            now=rt.now(), ip=request.remote_addr, client_id=pending.client_id if pending else None
        ),
        accepts=rt.settings.login.identifier,
        deliveries=rt.deliveries,
    )
    if attempt.outcome is not authn.Outcome.SIGNED_IN or attempt.user is None:
        session[_BROWSER_FAILURES] = _browser_failures() + 1
        params: dict[str, object] = {}
        if attempt.locked_until is not None:
            params["minutes"] = max(1, -(-(attempt.locked_until - rt.now()) // 60))
        return _render(
            form,
            pending,
            message=OUTCOME_MESSAGES[attempt.outcome],
            identifier=identifier,
            params=params,
            detail=_detail(attempt),
        )
    if request.args.get("link"):
        # "Associer votre compte": the password proved the account; link, then sign in.
        linked = federation.complete_link(attempt.user)
        if linked is not None:
            return linked
    record = browser.sign_in(attempt.user, acr=authn.PASSWORD_ACR, amr=authn.PASSWORD_AMR)
    return after_sign_in(attempt.user, record, pending_ref, next_url=request.args.get("next"))


def after_sign_in(
    user: User,
    record: BrowserSession,
    pending_ref: str | None,
    *,
    next_url: str | None,
) -> Response:
    """Any sign-in (password, upstream provider) goes on the same way: back to the pending
    request `pending_ref`, which applies habilitation, consent and required actions, or to
    the account."""
    rt = runtime()
    if pending_ref is not None:
        interactions.mark_authenticated(pending_ref, record.sid)
        db.session.commit()
        return interaction.resume(pending_ref)
    action = required_actions.next_action(user, now=rt.now(), settings=rt.settings.password)
    db.session.commit()
    if action is not None:
        return redirect(url_for(required_actions.page_for(action)), code=303)
    return redirect(safe_next(next_url) or url_for("account.index"), code=303)


def safe_next(target: str | None) -> str | None:
    """Only a path of this site: never another origin (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


@bp.get("/login/habilitation/<ref>")
def not_habilitated(ref: str) -> str:
    pending = _pending(ref)
    if pending is None:
        abort(404)
    allow_form_target(pending.params.get("redirect_uri", ""))
    user = signed_in_user()
    return render_template(
        "login/not_habilitated.html",
        ref=pending.ref,
        client_name=_client_name(pending),
        advice=subscriptions.advice(user.id, pending.client_id) if user else None,
    )
