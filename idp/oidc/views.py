"""HTTP endpoints of the OpenID provider. Thin: each hands the request to Authlib or a service."""

from __future__ import annotations

from authlib.oauth2 import OAuth2Error
from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from idp import browser
from idp.extensions import csrf, db
from idp.oidc import interaction
from idp.oidc.server import authorization_server
from idp.runtime import runtime
from idp.services import interactions
from idp.web import federation

bp = Blueprint("oidc", __name__)


@bp.route("/authorize", methods=["GET", "POST"])
@csrf.exempt
def authorize() -> Response:
    server = authorization_server()
    return interaction.authorize(server.create_oauth2_request(None))


def _pending_or_404(ref: str):
    pending = interactions.load(ref, binding=browser.binding_hash(), now=runtime().now())
    if pending is None:
        abort(404)
    return pending


@bp.get("/authorize/resume/<ref>")
def resume(ref: str) -> Response:
    """Back from a hosted page; "Continuer vers <application>" after its request expired
    says how to go back."""
    return interaction.resume(ref)


@bp.post("/authorize/deny/<ref>")
def deny(ref: str) -> Response:
    pending = _pending_or_404(ref)
    return interaction.deny(interaction.stored_request(pending), pending)


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


@bp.post("/token")
@csrf.exempt
def token() -> Response:
    response = authorization_server().create_token_response()
    if response.status_code == 200:
        db.session.commit()
    else:
        db.session.rollback()
    return _no_store(response)


@bp.route("/userinfo", methods=["GET", "POST"])
@csrf.exempt
def userinfo() -> Response:
    return _no_store(authorization_server().create_endpoint_response("userinfo"))


@bp.post("/revoke")
@csrf.exempt
def revoke() -> Response:
    return _no_store(authorization_server().create_endpoint_response("revocation"))


@bp.post("/introspect")
@csrf.exempt
def introspect() -> Response:
    return _no_store(authorization_server().create_endpoint_response("introspection"))


@bp.route("/logout", methods=["GET", "POST"])
@csrf.exempt
def end_session() -> Response | str:
    """RP-initiated logout: with a valid hint at once, otherwise after the user confirms."""
    server = authorization_server()
    try:
        validated = server.validate_endpoint_request("end_session")
    except OAuth2Error as error:
        body = render_template(
            "errors/authorization.html", error=error.error, description=error.description
        )
        return Response(body, status=400, mimetype="text/html")
    if validated.needs_confirmation:
        client = validated.client
        return render_template(
            "logout/confirm.html",
            client=client,
            params={
                k: v
                for k, v in validated.request.payload.data.items()
                if k in {"client_id", "post_logout_redirect_uri", "state", "ui_locales"}
            },
        )
    upstream = federation.upstream_of(browser.current())
    response = server.create_endpoint_response("end_session", validated)
    if response is None and request.method == "GET" and request.args.get("id_token_hint"):
        # The logout is done; the page is not shown at a URL that holds an ID token, which
        # the history would keep (the server's access log redacts it: idp.access_log).
        response = redirect(url_for("oidc.logged_out"), code=303)
    return federation.through_upstream(upstream, response or render_template("logout/done.html"))


@bp.get("/logout/done")
def logged_out() -> str:
    return render_template("logout/done.html")


@bp.post("/logout/confirm")
def confirm_end_session() -> Response | str:
    """The confirmation form of a logout without hint (CSRF-protected, unlike /logout)."""
    server = authorization_server()
    if request.form.get("id_token_hint"):
        abort(400)
    try:
        validated = server.validate_endpoint_request("end_session")
    except OAuth2Error:
        abort(400)
    upstream = federation.upstream_of(browser.current())
    response = server.create_endpoint_response("end_session", validated)
    return federation.through_upstream(upstream, response or render_template("logout/done.html"))
