"""The consent page: which information the application asks for, in plain words."""

from __future__ import annotations

from authlib.oauth2.rfc6749 import scope_to_list
from flask import Blueprint, abort, render_template
from werkzeug.wrappers import Response
from wtforms import SubmitField

from idp import browser
from idp.extensions import db
from idp.oidc import interaction
from idp.runtime import runtime
from idp.services import consent, interactions
from idp.web.forms import Form
from idp.web.security import allow_form_target

bp = Blueprint("consent", __name__)

# Scopes shown to the user, in this order (openid says nothing to a person by itself).
SHOWN_SCOPES = ("profile", "email", "phone", "address", "organisation", "offline_access")


class ConsentForm(Form):
    approve = SubmitField()
    deny = SubmitField()


@bp.route("/consent/<ref>", methods=["GET", "POST"])
def review(ref: str) -> Response | str:
    rt = runtime()
    pending = interactions.load(ref, binding=browser.binding_hash(), now=rt.now())
    if pending is None:
        abort(404)
    client = rt.clients.lookup(pending.client_id)
    record = browser.current()
    if client is None or record is None:
        # Signed out or client removed meanwhile: the authorize step decides what follows.
        return interaction.resume(ref)
    scope = client.get_allowed_scope(pending.params.get("scope"))
    form = ConsentForm()
    if form.validate_on_submit():
        if form.deny.data:
            return interaction.deny(interaction.stored_request(pending), pending)
        consent.give(record.user_id, client.client_id, scope, now=rt.now())
        interactions.mark_consented(ref, record.sid)
        db.session.commit()
        return interaction.resume(ref)
    allow_form_target(pending.params.get("redirect_uri", ""))
    requested = set(scope_to_list(scope) or [])
    return render_template(
        "consent/review.html",
        form=form,
        ref=ref,
        client_name=client.name,
        scopes=[s for s in SHOWN_SCOPES if s in requested],
    )
