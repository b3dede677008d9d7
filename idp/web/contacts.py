"""Contact details: confirmed at first connection, edited later; e-mail confirmed by a code.

A new or unconfirmed address receives a short code; it replaces the account's address only
once the code is typed ("Votre adresse email a été vérifiée.").
"""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms import StringField

from idp.extensions import db, limiter
from idp.models import User
from idp.runtime import runtime
from idp.services import contacts, mailboxes, organisations
from idp.services.codes import Check, TooSoon
from idp.web.auth import requires_user
from idp.web.flashes import flash
from idp.web.forms import Form, Required
from idp.web.password import continue_after_action

bp = Blueprint("contacts", __name__)


class ContactsForm(Form):
    email = StringField()  # whether it may stay empty is the service's rule
    mobile = StringField()
    landline = StringField()
    fax = StringField()


class CodeForm(Form):
    code = StringField(validators=[Required()])


def email_codes() -> contacts.EmailCodes:
    rt = runtime()
    return contacts.EmailCodes(rt.codes, rt.settings.contacts, rt.deliveries)


def routed_to(user: User) -> str | None:
    """The primary account that receives the messages of a secondary account without a
    mailbox (its pages then ask no address and say where its messages go), or None."""
    primary = mailboxes.routed_to_primary(user)
    return organisations.user_of(primary).identifier if primary is not None else None


@bp.route("/contacts/confirm", methods=["GET", "POST"], endpoint="confirm")
@bp.route("/account/contacts", methods=["GET", "POST"], endpoint="edit")
@requires_user
def contact_details() -> Response | str:
    """First connection ("Confirmation de vos coordonnées") or later edits, one form."""
    rt = runtime()
    ref = request.args.get("ref")
    user = g.user
    first_connection = user.contacts_confirmed_at is None
    region = rt.settings.contacts.default_region
    form = ContactsForm()
    if request.method == "GET":
        form.email.data = user.email or ""
        form.mobile.data = contacts.display_phone(user.phone, region=region)
        form.landline.data = contacts.display_phone(user.landline, region=region)
        form.fax.data = contacts.display_phone(user.fax, region=region)
    problems: dict[str, str] = {}
    if form.validate_on_submit():
        submission = contacts.submit(
            user,
            contacts.ContactForm(
                *(field.data or "" for field in (form.email, form.mobile, form.landline, form.fax))
            ),
            region=region,
            email_required=rt.settings.contacts.email_required,
            now=rt.now(),
        )
        problems = submission.problems
        if not problems and submission.email_to_verify is None:
            db.session.commit()
            return continue_after_action(ref)
        if submission.email_to_verify is not None:
            contacts.offer_email_code(
                user, submission.email_to_verify, via=email_codes(), now=rt.now()
            )
            db.session.commit()
            return redirect(url_for("contacts.verify_email", ref=ref), code=303)
    routed = routed_to(user)
    db.session.commit()
    return render_template(
        "contacts/details.html",
        form=form,
        problems=problems,
        first_connection=first_connection,
        routed_to=routed,
        email_optional=contacts.email_optional(
            user, email_required=rt.settings.contacts.email_required
        ),
        ref=ref,
    )


@bp.route("/contacts/verify", methods=["GET", "POST"])
@limiter.limit("30/minute", methods=["POST"])
@requires_user
def verify_email() -> Response | str:
    """ "Confirmation de votre adresse email": type the code received."""
    rt = runtime()
    ref = request.args.get("ref")
    user = g.user
    target = contacts.email_awaiting_code(user, via=email_codes())
    if target is None:
        return redirect(url_for("contacts.edit", ref=ref), code=303)
    form = CodeForm()
    message: tuple[str, dict[str, object]] | None = None
    if form.validate_on_submit():
        result = contacts.check_email_code(user, form.code.data, via=email_codes(), now=rt.now())
        if result.outcome is Check.OK:
            db.session.commit()
            return redirect(url_for("contacts.verified", ref=ref), code=303)
        message = _code_message(result.outcome, result.attempts_left)
    form.code.data = ""
    db.session.commit()
    return render_template(
        "contacts/verify.html",
        form=form,
        message=message,
        target=target,
        ref=ref,
        digits=rt.settings.contacts.email_code_digits,
    )


def _code_message(outcome: Check, left: int) -> tuple[str, dict[str, object]]:
    if outcome is Check.WRONG:
        return "contacts.code_wrong", {"left": left}
    if outcome is Check.EXHAUSTED:
        return "contacts.code_exhausted", {
            "minutes": runtime().settings.contacts.email_code_minutes
        }
    return "contacts.code_expired", {}


@bp.post("/contacts/verify/resend")
@limiter.limit("10/minute")
@requires_user
def resend_email_code() -> Response:
    rt = runtime()
    ref = request.args.get("ref")
    user = g.user
    target = contacts.email_awaiting_code(user, via=email_codes())
    if not target:
        return redirect(url_for("contacts.edit", ref=ref), code=303)
    try:
        contacts.send_email_code(user, target, via=email_codes(), now=rt.now())
        flash(["contacts.code_resent", {}])
    except TooSoon as wait:
        flash(["contacts.code_wait", {"seconds": wait.wait_seconds}])
    db.session.commit()
    return redirect(url_for("contacts.verify_email", ref=ref), code=303)


@bp.get("/contacts/verified")
def verified() -> str:
    return render_template("contacts/verified.html", ref=request.args.get("ref"))
