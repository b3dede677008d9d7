"""Dynamic Client Registration endpoints (RFC 7591 and RFC 7592): JSON in, JSON out.

They exist only when `[client_registration] enabled`. Thin: each reads the bearer token and
the body and calls `idp.services.client_registration`, where every rule lives. Not under
/register: that is "S'inscrire", the people's self-registration.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request

from idp.extensions import csrf, db, limiter
from idp.runtime import runtime
from idp.services.client_registration import (
    DynamicRegistration,
    Registration,
    RegistrationRefused,
    TokenRefused,
    client_information,
)

PATH = "/connect/register"

bp = Blueprint("client_registration", __name__, url_prefix=PATH)
csrf.exempt(bp)  # bearer tokens, never cookies


def init_app(app: Flask) -> None:
    """Off by default: then the endpoints answer 404 like any unknown address."""
    if app.extensions["idp"].settings.client_registration.enabled:
        app.register_blueprint(bp)


def _limit() -> str:
    return runtime().settings.client_registration.requests_per_ip


def _service() -> DynamicRegistration:
    rt = runtime()
    return DynamicRegistration.from_settings(rt.settings, rt.clients, rt.hash_key)


def _bearer() -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return (value.strip() or None) if scheme.lower() == "bearer" else None


def _body() -> Any:
    """The JSON body, or None when it is not JSON (the service says what it expected)."""
    return request.get_json(force=True, silent=True)


def _json(body: dict[str, Any] | None, status: int) -> Response:
    response = jsonify(body) if body is not None else Response(status=status)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def _refusal(refusal: RegistrationRefused) -> Response:
    db.session.commit()  # the refusal's audit record
    body = {"error": refusal.error, "error_description": refusal.description}
    if not isinstance(refusal, TokenRefused):
        return _json(body, 400)
    response = _json(body, 401)
    response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


def _answer(registration: Registration, access_token: str | None, status: int) -> Response:
    db.session.commit()
    client = registration.client
    body = client_information(client)
    body["registration_client_uri"] = f"{runtime().settings.issuer}{PATH}/{client.client_id}"
    body["registration_access_token"] = access_token
    if registration.secret:
        body["client_secret"] = registration.secret
    return _json(body, status)


@bp.post("")
@limiter.limit(_limit)
def register() -> Response:
    """RFC 7591 §3: register a client with an initial access token."""
    rt = runtime()
    try:
        registration = _service().register(
            _body(), token=_bearer(), now=rt.now(), ip=request.remote_addr
        )
    except RegistrationRefused as refusal:
        return _refusal(refusal)
    return _answer(registration, registration.access_token, 201)


@bp.route("/<client_id>", methods=["GET", "PUT", "DELETE"])
@limiter.limit(_limit)
def manage(client_id: str) -> Response:
    """RFC 7592 §2: read, replace or delete a client with its registration access token."""
    rt = runtime()
    service, token = _service(), _bearer()
    context: dict[str, Any] = {"token": token, "now": rt.now(), "ip": request.remote_addr}
    try:
        if request.method == "GET":
            registration = Registration(service.authenticate(client_id, **context))
        elif request.method == "PUT":
            registration = service.update(client_id, _body(), **context)
        else:
            service.delete(client_id, **context)
            db.session.commit()
            return _json(None, 204)
    except RegistrationRefused as refusal:
        return _refusal(refusal)
    return _answer(registration, token, 200)
