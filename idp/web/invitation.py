"""The invitation link (first connection): create the password and the secret question."""

from __future__ import annotations

from flask import Blueprint, make_response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice

from idp import browser
from idp.extensions import db, limiter
from idp.i18n import text
from idp.runtime import runtime
from idp.services import audit, authn, credentials, secret_question, users
from idp.services.links import LinkState
from idp.web.forms import Required
from idp.web.password import NewPasswordForm

bp = Blueprint("invitation", __name__, url_prefix="/invitation")


class AcceptForm(NewPasswordForm):
    question = SelectField(validators=[Required()])
    answer = StringField(validators=[Required()])


@bp.get("/<token>")
def link(token: str) -> Response:
    """The e-mailed link: its token goes into the session, the page is at a clean URL."""
    return browser.hold_and_redirect(browser.INVITATION_LINK, token, url_for("invitation.accept"))


@bp.route("", methods=["GET", "POST"])
@limiter.limit("20/minute", methods=["POST"])
def accept() -> Response | str:
    """Create the password and the secret question of the account the held link names."""
    rt = runtime()
    resolved = rt.invitations.resolve(browser.held(browser.INVITATION_LINK) or "")
    if resolved.state is not LinkState.VALID or resolved.user is None:
        db.session.commit()
        body = render_template("invitation/unusable.html", state=resolved.state.value)
        return make_response(body, 410 if resolved.state is LinkState.EXPIRED else 400)
    user = resolved.user
    form = AcceptForm()
    form.question.choices = [SelectChoice("", text("invitation.question_choose"))] + [
        SelectChoice(key, text(f"secret.question.{key}")) for key in secret_question.QUESTIONS
    ]
    problems: list[str] = []
    if form.validate_on_submit():
        problems = credentials.check_new_password(
            user,
            form.new_password.data,
            form.confirmation.data,
            hashing=rt.passwords,
            settings=rt.settings.password,
        )
        if form.question.data not in secret_question.QUESTIONS:
            problems.append("invitation.question_required")
        if (
            len(secret_question.normalise_answer(form.answer.data))
            < secret_question.MIN_ANSWER_LENGTH
        ):
            problems.append("invitation.answer_too_short")
        if not problems:
            users.set_password(user, form.new_password.data, now=rt.now(), hashing=rt.passwords)
            secret_question.set_secret(
                user, form.question.data, form.answer.data, hash_key=rt.hash_key
            )
            user.email_verified = True  # the link reached this address
            audit.record(
                "invitation_accepted",
                "success",
                at=rt.now(),
                user_id=user.id,
                ip=request.remote_addr,
            )
            browser.sign_in(user, acr=authn.PASSWORD_ACR, amr=authn.PASSWORD_AMR)  # drops the link
            db.session.commit()
            return redirect(url_for("account.index"), code=303)
    elif request.method == "POST":
        problems = [
            key
            for key, errors in (
                ("invitation.question_required", form.question.errors),
                ("invitation.answer_required", form.answer.errors),
            )
            if errors
        ]
    db.session.commit()
    return render_template(
        "invitation/accept.html",
        form=form,
        problems=problems,
        user=user,
        gauge_context=browser.INVITATION_LINK,
    )
