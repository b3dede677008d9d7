"""The token endpoint's everyday requests, answered before Flask.

Relying parties refreshing their tokens and services asking for client_credentials tokens
make most of the token endpoint's traffic, and for them the per-request machinery of Flask
and Authlib (routing, hooks, request wrappers, grant lookup) costs more than the work itself.
This WSGI middleware answers those requests when they are well-formed and will succeed: it
parses them, asks the grants' own rulebook (idp.oidc.token_rules) and issues tokens with the
same functions (idp.oidc.issuance). Every other request goes on to the full pipeline with
its body intact: the other grants, private_key_jwt, anything unusual, and every request that
would be refused, so that each error and each consequence of a misuse (a reused refresh
token ending its grant) comes from one place, the grants.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

from authlib.oauth2.rfc6749 import scope_to_list
from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from idp.http_headers import COMMON, HSTS
from idp.oidc import token_rules, tokens
from idp.oidc.claims import ID_TOKEN_SCOPES
from idp.oidc.grants import habilitated
from idp.oidc.issuance import client_credentials_token, rotate_refresh_token
from idp.runtime import runtime
from idp.services.clients import RegisteredClient

TOKEN_PATH = "/token"
FORM_TYPE = "application/x-www-form-urlencoded"
# A token request is a few hundred bytes; a larger one is left to the full pipeline.
MAX_BODY_BYTES = 4096


@dataclass(frozen=True)
class TokenRequest:
    """A token request's parameters and the client credentials it presents."""

    form: dict[str, str]
    client_id: str
    client_secret: str | None
    auth_method: str


Issuer = Callable[[RegisteredClient, dict[str, str]], "dict[str, Any] | None"]


@dataclass(frozen=True)
class HandledGrant:
    """A grant this path answers: the parameters and client authentications it accepts."""

    parameters: frozenset[str]
    auth_methods: frozenset[str]
    issue: Issuer


def _client_credentials(client: RegisteredClient, form: dict[str, str]) -> dict[str, Any] | None:
    """A self-contained token: nothing to read or write."""
    outcome = token_rules.check_client_credentials(client, form.get("scope"))
    if isinstance(outcome, token_rules.Refusal):
        return None
    return client_credentials_token(client, outcome.scope)


def _refresh(client: RegisteredClient, form: dict[str, str]) -> dict[str, Any] | None:
    """Rotate on a connection of its own (Core statements, without the ORM's session): one
    read, then the rotation (tokens.connection says when each commits); leaving the block
    without committing rolls back whatever is still open."""
    value = form.get("refresh_token")
    if not value:
        return None
    with tokens.connection() as conn:
        row = tokens.refresh_grant(conn, value)
        outcome = token_rules.check_refresh(
            client,
            row,
            presented=True,
            user_status=row.user_status if row else None,
            habilitated=row is not None and habilitated(row.user_id, client),
            scope=None,
            now=runtime().now(),
        )
        if isinstance(outcome, token_rules.Refusal):
            return None
        if ID_TOKEN_SCOPES & set(scope_to_list(row.granted_scope) or []):
            # Its ID token's claims are read through the ORM: the full pipeline issues it.
            return None
        # The row carries the user's subject: what the ID token needs of the user.
        token = rotate_refresh_token(
            conn, client, row, row, outcome.scope, upstream=row.upstream_provider
        )
        if token is not None:
            conn.commit()
        return token


# The methods this path reads (private_key_jwt is left to the full pipeline).
_READ_METHODS = frozenset({"client_secret_basic", "client_secret_post", "none"})
GRANTS: dict[str, HandledGrant] = {
    "client_credentials": HandledGrant(
        frozenset({"grant_type", "scope", "client_id", "client_secret"}),
        _READ_METHODS & set(token_rules.CLIENT_CREDENTIALS_AUTH_METHODS),
        _client_credentials,
    ),
    # A refresh that narrows its scope is rare: it takes the full pipeline.
    "refresh_token": HandledGrant(
        frozenset({"grant_type", "refresh_token", "client_id", "client_secret"}),
        _READ_METHODS & set(token_rules.REFRESH_AUTH_METHODS),
        _refresh,
    ),
}


def read_body(environ: dict[str, Any]) -> bytes | None:
    """The body of a small form POST (the input is then replaced by a copy), else None."""
    if environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower() != FORM_TYPE:
        return None
    try:
        length = int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
    if not 0 < length <= MAX_BODY_BYTES:
        return None
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    return body if len(body) == length else None


def parse_form(body: bytes) -> dict[str, str] | None:
    """Strictly: one value per parameter, UTF-8, no NUL; None for anything else."""
    try:
        pairs = parse_qsl(
            body.decode("ascii"), keep_blank_values=True, strict_parsing=True, errors="strict"
        )
    except (UnicodeDecodeError, ValueError):
        return None
    form = dict(pairs)
    if len(form) != len(pairs) or any("\x00" in value for value in form.values()):
        return None
    return form


def basic_credentials(authorization: str) -> tuple[str, str] | None:
    """client_id and secret of an HTTP Basic header (form-encoded, RFC 6749 §2.3.1)."""
    kind, _, value = authorization.partition(" ")
    if kind.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        return None
    return unquote(client_id), unquote(secret)


def token_request(form: dict[str, str], authorization: str | None) -> TokenRequest | None:
    """The request, if it is one of the handled grants with one way of authenticating."""
    grant = GRANTS.get(form.get("grant_type", ""))
    if grant is None or not form.keys() <= grant.parameters:
        return None
    if authorization is not None:
        credentials = basic_credentials(authorization)
        if credentials is None or "client_secret" in form:
            return None
        client_id, secret = credentials
        if form.get("client_id", client_id) != client_id:
            return None
        request = TokenRequest(form, client_id, secret, "client_secret_basic")
    elif "client_secret" in form:
        request = TokenRequest(
            form, form.get("client_id", ""), form["client_secret"], "client_secret_post"
        )
    else:
        request = TokenRequest(form, form.get("client_id", ""), None, "none")
    if not request.client_id or request.auth_method not in grant.auth_methods:
        return None
    if request.auth_method != "none" and not request.client_secret:
        return None
    return request


def authenticate(request: TokenRequest) -> RegisteredClient | None:
    """The client, if it authenticates as its registration says (the client's own checks,
    which Authlib's authentication calls too)."""
    client = runtime().clients.lookup(request.client_id)
    if client is None or not client.check_endpoint_auth_method(request.auth_method, "token"):
        return None
    if request.client_secret is not None and not client.check_client_secret(request.client_secret):
        return None
    return client


class FastTokenEndpoint:
    """WSGI middleware: answers the handled token requests, hands on all others."""

    def __init__(self, wsgi_app: Any, app: Flask) -> None:
        self._wsgi_app = wsgi_app
        self._app = app
        self._headers = [
            ("Content-Type", "application/json"),
            ("Cache-Control", "no-store"),
            ("Pragma", "no-cache"),
            *COMMON,
        ]
        if app.extensions["idp"].settings.is_https:
            self._headers.append(("Strict-Transport-Security", HSTS))

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if (
            environ.get("PATH_INFO") != TOKEN_PATH
            or environ.get("REQUEST_METHOD") != "POST"
            or environ.get("QUERY_STRING")
        ):
            return self._wsgi_app(environ, start_response)
        body = read_body(environ)
        form = parse_form(body) if body is not None else None
        request = token_request(form, environ.get("HTTP_AUTHORIZATION")) if form else None
        token = self._issue(request) if request is not None else None
        if token is None:
            return self._wsgi_app(environ, start_response)
        payload = json.dumps(token).encode()
        start_response("200 OK", [*self._headers, ("Content-Length", str(len(payload)))])
        return [payload]

    def _issue(self, request: TokenRequest) -> dict[str, Any] | None:
        """The token response, stored; None (nothing written) to hand the request on."""
        with self._app.app_context():
            try:
                client = authenticate(request)
                if client is None:
                    return None
                return GRANTS[request.form["grant_type"]].issue(client, request.form)
            except SQLAlchemyError:
                # The database failed (locked too long, connection lost): nothing was
                # committed; the full pipeline tries again, and answers as it does.
                return None
