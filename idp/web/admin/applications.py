"""The console's "Applications": register a relying application, show what it needs to be
configured, rotate its secret, disable or enable it, remove it.

Every rule lives in `idp.services.clients.ClientRegistry` (the one `idp clients` calls);
these views turn the form into a `ClientSpec` and show the registry's refusals beside the
field they are about. A secret is shown in the answer to the action that made it and never
again: it is neither stored nor put in the session.
"""

from __future__ import annotations

import json
from typing import Any

from flask import abort, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice

from idp.extensions import db
from idp.i18n import text
from idp.runtime import runtime
from idp.services import staff
from idp.services.clients import (
    AUTH_METHODS,
    ID_TOKEN_ALGS,
    SUPPORTED_GRANT_TYPES,
    SUPPORTED_SCOPES,
    ClientError,
    ClientSpec,
    RegisteredClient,
)
from idp.services.hashing import new_secret
from idp.web.admin import access
from idp.web.admin.access import console_blueprint, requires
from idp.web.flashes import flash
from idp.web.forms import Form

bp = console_blueprint("admin_applications", __name__, "/applications")

# What the configuration snippets show where the secret would go, except right after it is made.
_SECRET_PLACEHOLDER = "<client_secret>"
_DEFAULT_SCOPES = ("openid", "profile", "email", "phone", "address", "offline_access")


# The last forms that registered an application, by their form_id (in the signed cookie).
_REGISTERED_FORMS = "registered_forms"
_KEPT_FORMS = 5


class ApplicationForm(Form):
    """The registration form; what it may hold is checked by the registry alone."""

    # Names this filling of the form: sent again (a reload, a double click), it registers nothing.
    form_id = HiddenField()
    name = StringField()
    redirect_uris = TextAreaField()
    post_logout_redirect_uris = TextAreaField()
    backchannel_logout_uri = StringField()
    backchannel_logout_session_required = BooleanField(default=True)
    client_type = StringField(default="confidential")  # radio buttons: confidential, public
    auth_method = SelectField(
        choices=[SelectChoice(m) for m in AUTH_METHODS if m != "none"], validate_choice=False
    )
    jwks = TextAreaField()
    scopes = SelectMultipleField(
        choices=[SelectChoice(s) for s in SUPPORTED_SCOPES],
        default=_DEFAULT_SCOPES,
        validate_choice=False,
    )
    grant_types = SelectMultipleField(
        choices=[SelectChoice(g) for g in SUPPORTED_GRANT_TYPES],
        default=("authorization_code", "refresh_token"),
        validate_choice=False,
    )
    first_party = BooleanField()
    requires_habilitation = BooleanField()
    refresh_without_offline_access = BooleanField()
    subject_type = StringField(default="public")  # radio buttons: public, pairwise
    sector_identifier = StringField()
    id_token_alg = SelectField(
        choices=[SelectChoice(a) for a in ID_TOKEN_ALGS], validate_choice=False
    )


def _lines(value: str | None) -> tuple[str, ...]:
    return tuple(line.strip() for line in (value or "").splitlines() if line.strip())


def _jwks(value: str | None) -> dict[str, Any] | None:
    """The pasted JWKS; a text that is not a JSON object is refused beside its field."""
    if not (value or "").strip():
        return None
    try:
        parsed = json.loads(value or "")
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise ClientError("admin_apps.jwks_not_json", field="jwks")
    return parsed


def _spec(form: ApplicationForm) -> ClientSpec:
    public = form.client_type.data == "public"
    return ClientSpec(
        name=form.name.data or "",
        redirect_uris=_lines(form.redirect_uris.data),
        post_logout_redirect_uris=_lines(form.post_logout_redirect_uris.data),
        public=public,
        auth_method="none" if public else form.auth_method.data,
        first_party=bool(form.first_party.data),
        requires_habilitation=bool(form.requires_habilitation.data),
        scope=" ".join(form.scopes.data or ()),
        grant_types=tuple(form.grant_types.data or ()),
        subject_type=form.subject_type.data or "",
        sector_identifier=(form.sector_identifier.data or "").strip() or None,
        id_token_alg=form.id_token_alg.data or "",
        jwks=_jwks(form.jwks.data),
        refresh_without_offline_access=bool(form.refresh_without_offline_access.data),
        backchannel_logout_uri=(form.backchannel_logout_uri.data or "").strip() or None,
        backchannel_logout_session_required=bool(form.backchannel_logout_session_required.data),
    )


def _client(client_id: str) -> RegisteredClient:
    """The registration named in the address, disabled or not; else the 404 page."""
    client = runtime().clients.find(client_id)
    if client is None:
        abort(404)
    return client


def _show(client: RegisteredClient, *, secret: str | None = None, notice: str | None = None) -> str:
    """The application's page; `secret` only in the answer to the action that made it."""
    return render_template(
        "admin/applications/show.html",
        client=client,
        secret=secret,
        placeholder=_SECRET_PLACEHOLDER,
        notice=notice,
        scope=" ".join(s for s in SUPPORTED_SCOPES if s in client.scopes),
        discovery_url=_discovery_url(),
        issuer=runtime().settings.issuer,
    )


def _discovery_url() -> str:
    return runtime().settings.issuer.rstrip("/") + "/.well-known/openid-configuration"


@bp.get("")
@requires(staff.APPLICATIONS)
def index() -> str:
    return render_template(
        "admin/applications/index.html",
        clients=list(runtime().clients.all()),
        discovery_url=_discovery_url(),
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(staff.APPLICATIONS, fresh=True)
def new() -> Response | str:
    rt = runtime()
    form = ApplicationForm()
    if request.method == "GET":
        form.id_token_alg.data = rt.settings.keys.default_alg
        form.form_id.data = new_secret(12)
    errors: dict[str, str] = {}
    registered = session.get(_REGISTERED_FORMS, {})
    if form.is_submitted() and form.form_id.data and form.form_id.data in registered:
        flash(("admin_apps.already_registered", {}), "error")
        target = url_for(".show", client_id=registered[form.form_id.data])
        return redirect(target + "#notices", 303)
    if form.validate_on_submit():
        try:
            client, secret = rt.clients.register(_spec(form), now=rt.now(), by=access.actor())
        except ClientError as refused:
            errors[refused.field or "form"] = text(refused.key, **refused.params)
        else:
            db.session.commit()
            if form.form_id.data:
                kept = list(registered.items())[-(_KEPT_FORMS - 1) :]
                session[_REGISTERED_FORMS] = {**dict(kept), form.form_id.data: client.client_id}
            return _show(client, secret=secret, notice="admin_apps.registered")
    return render_template(
        "admin/applications/new.html",
        form=form,
        errors=errors,
        scopes=SUPPORTED_SCOPES,
        grant_types=SUPPORTED_GRANT_TYPES,
    )


@bp.get("/<client_id>")
@requires(staff.APPLICATIONS)
def show(client_id: str) -> str:
    return _show(_client(client_id))


@bp.post("/<client_id>/rotate")
@requires(staff.APPLICATIONS)
def rotate(client_id: str) -> Response | str:
    client = _client(client_id)
    rt = runtime()
    try:
        secret = rt.clients.rotate_secret(client.client_id, now=rt.now(), by=access.actor())
    except ClientError as refused:
        flash((refused.key, refused.params), "error")
        return redirect(url_for(".show", client_id=client.client_id) + "#notices", 303)
    db.session.commit()
    return _show(_client(client_id), secret=secret, notice="admin_apps.rotated")


def _set_disabled(client_id: str, disabled: bool) -> Response:
    client = _client(client_id)
    rt = runtime()
    rt.clients.set_disabled(client.client_id, disabled, now=rt.now(), by=access.actor())
    db.session.commit()
    key = "admin_apps.disabled" if disabled else "admin_apps.enabled"
    flash((key, {"name": client.name}), "status")
    return redirect(url_for(".show", client_id=client.client_id) + "#notices", 303)


@bp.post("/<client_id>/disable")
@requires(staff.APPLICATIONS)
def disable(client_id: str) -> Response:
    return _set_disabled(client_id, True)


@bp.post("/<client_id>/enable")
@requires(staff.APPLICATIONS)
def enable(client_id: str) -> Response:
    return _set_disabled(client_id, False)


@bp.route("/<client_id>/remove", methods=["GET", "POST"])
@requires(staff.APPLICATIONS, fresh=True)
def remove(client_id: str) -> Response | str:
    """Removal is final: the name must be typed again, so that a wrong row is never removed."""
    client = _client(client_id)
    typed = request.form.get("confirm_name", "")[:200]
    error = None
    if request.method == "POST":
        if typed.strip() == client.name:
            rt = runtime()
            rt.clients.remove(client.client_id, now=rt.now(), by=access.actor())
            db.session.commit()
            flash(("admin_apps.removed", {"name": client.name}), "status")
            return redirect(url_for(".index") + "#notices", 303)
        error = text("admin_apps.remove_mismatch")
    return render_template(
        "admin/applications/remove.html", client=client, typed=typed, error=error
    )
