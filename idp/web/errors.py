"""Error answers: an HTML page for people, JSON for API callers; never a bare 500."""

from __future__ import annotations

import logging
import math
import time

from authlib.oauth2 import OAuth2Error
from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

from idp.access_log import redact
from idp.extensions import db, limiter

log = logging.getLogger(__name__)

API_PATHS = (
    "/token",
    "/userinfo",
    "/revoke",
    "/introspect",
    "/jwks.json",
    "/.well-known/",
    "/connect/register",
)
MESSAGE_KEYS = {
    400: "error.bad_request",
    403: "error.forbidden",
    404: "error.not_found",
    405: "error.method_not_allowed",
    429: "error.too_many_requests",
}
OAUTH_ERRORS = {
    400: "invalid_request",
    403: "access_denied",
    404: "not_found",
    405: "invalid_request",
    413: "invalid_request",
    429: "temporarily_unavailable",
}

# The database cannot answer for a moment (a restart, a failover, a lost connection): not a
# bug of the request, so a 503 the client may retry after a few seconds, never a 500. The
# token fast path hands such requests on to Flask, so this answers them too.
# OperationalError: connection refused or lost, server shutting down, lock wait too long;
# InterfaceError: a connection already closed; PoolTimeout: every connection busy.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)
RETRY_AFTER_SECONDS = 5


def _wants_json() -> bool:
    return request.path.startswith(API_PATHS)


def _page(status: int, key: str, **params: object) -> Response:
    body = render_template("errors/page.html", message_key=key, params=params, status=status)
    return Response(body, status=status, mimetype="text/html")


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    if _wants_json():
        response = jsonify(error=OAUTH_ERRORS.get(status, "server_error"))
        response.status_code = status
        return response
    if status == 429:
        return _page(429, "error.too_many_requests", minutes=_minutes_until_reset())
    return _page(status, MESSAGE_KEYS.get(status, "error.bad_request"))


def _minutes_until_reset() -> int:
    """Whole minutes until the exceeded limit resets (Flask-Limiter sends Retry-After)."""
    current = limiter.current_limit
    if current is None:
        return 1
    return max(1, math.ceil((current.reset_at - time.time()) / 60))


def _oauth_error(error: OAuth2Error) -> Response:
    """An Authlib error raised before its endpoint could answer it: the request's URL is not
    https (an http issuer that is not on this machine), so OAuth refuses it."""
    status = error.status_code or 400
    if _wants_json():
        response = jsonify(dict(error.get_body()))
        response.status_code = status
        return response
    return _page(status, MESSAGE_KEYS.get(status, "error.bad_request"))


def _csrf_error(error: CSRFError) -> Response:
    return _page(400, "error.csrf")


def _database_unavailable(error: Exception) -> Response:
    log.warning("database unavailable on %s %s: %s", request.method, request.path, error)
    if _wants_json():
        response = jsonify(
            error="temporarily_unavailable",
            error_description="The service is temporarily unavailable; retry shortly.",
        )
        response.status_code = 503
    else:
        response = _page(503, "error.unavailable", seconds=RETRY_AFTER_SECONDS)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def _end_session(error: BaseException | None) -> None:
    """Close the request's database session before Flask-SQLAlchemy would: when the connection
    died after the answer was made (a database restart), its rollback fails, and raised from
    a teardown that failure became the server's bare 500 in place of the answer."""
    try:
        db.session.remove()
    except DATABASE_UNAVAILABLE as lost:
        log.warning("database connection lost at the end of a request: %s", lost)
        db.session.registry.clear()


def _internal_error(error: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, redact(request.path))
    if _wants_json():
        response = jsonify(error="server_error")
        response.status_code = 500
        return response
    return _page(500, "error.internal")


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(OAuth2Error, _oauth_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _internal_error)
    for unreachable in DATABASE_UNAVAILABLE:
        app.register_error_handler(unreachable, _database_unavailable)
    app.teardown_appcontext(_end_session)
    app.register_error_handler(Exception, _internal_error)
