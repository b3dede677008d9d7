"""Authlib's authorization server, wired to our clients, tokens, grants and endpoints."""

from __future__ import annotations

from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.integrations.flask_oauth2.requests import FlaskOAuth2Request
from authlib.oauth2.base import invalid_error_characters
from authlib.oauth2.rfc6749 import OAuth2Request, UnsupportedResponseTypeError
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from flask import Flask, current_app
from flask import request as flask_request

from idp import metrics
from idp.extensions import db
from idp.models import AuthorizationCode
from idp.oidc import tokens
from idp.oidc.client_auth import PrivateKeyJWT, reject_multiple_methods, reject_undecodable_basic
from idp.oidc.endpoints import (
    AccessTokenValidator,
    EndSession,
    Introspection,
    Revocation,
    UserInfoResponder,
)
from idp.oidc.grants import (
    AuthorizationCodeGrant,
    ClientCredentialsGrant,
    OpenIDCodeExtension,
    RefreshTokenGrant,
    StrictPKCE,
)
from idp.oidc.id_token import Authentication
from idp.oidc.issuance import generate_token
from idp.runtime import runtime
from idp.services.clients import SUPPORTED_SCOPES


class StoredRequest(OAuth2Request):
    """An authorization request rebuilt from a pending record, to be resumed."""

    def __init__(self, uri: str, params: dict[str, str]) -> None:
        super().__init__("GET", uri, headers={})
        self.payload = BasicOAuth2Payload(params)

    @property
    def args(self) -> dict[str, str]:
        return self.payload.data

    @property
    def form(self) -> dict[str, str]:
        return {}


class Server(AuthorizationServer):
    def query_client(self, client_id: str) -> Any:
        return runtime().clients.lookup(client_id)

    def get_authorization_grant(self, request: OAuth2Request) -> Any:
        """Authlib's lookup, but an odd `response_type` is refused here, unquoted.

        Authlib quotes the value in its error text, which must be printable ASCII: anything
        else raised a ValueError (a 500) instead of the error.
        """
        response_type = request.payload.response_type
        if response_type is None or not invalid_error_characters(response_type):
            return super().get_authorization_grant(request)
        client = self.query_client(request.payload.client_id)
        redirect_uri = request.payload.redirect_uri
        if not (client and redirect_uri and client.check_redirect_uri(redirect_uri)):
            redirect_uri = None
        raise UnsupportedResponseTypeError(
            "The response type is not supported.", "?", redirect_uri=redirect_uri
        )

    def create_oauth2_request(self, request: Any) -> OAuth2Request:
        if isinstance(request, OAuth2Request):
            return request
        return FlaskOAuth2Request(flask_request)

    def authenticate_client(self, request: Any, methods: list[str], endpoint: str = "token") -> Any:
        reject_undecodable_basic(request)
        reject_multiple_methods(request)
        return super().authenticate_client(request, methods, endpoint)

    def save_token(self, token: dict[str, Any], request: Any) -> None:
        """Store the tokens of a code exchange (the other grants store their own)."""
        code: AuthorizationCode = request.authorization_code
        now = runtime().now()
        tokens.store(
            db.session,
            token,
            client_id=request.client.client_id,
            user_id=request.user.id,
            grant_id=code.grant_id,
            granted_scope=code.scope,
            now=now,
            refresh_expires_at=now + runtime().settings.tokens.refresh_token_ttl_seconds,
            authentication=Authentication(code.auth_time, code.acr, tuple(code.amr), code.sid),
        )
        metrics.token_issued("authorization_code")


def init_app(app: Flask) -> Server:
    """Build the authorization server for `app` and register its grants and endpoints."""
    issuer = app.extensions["idp"].settings.issuer
    server = Server()
    server.init_app(app)
    server.register_token_generator("default", generate_token)
    server.scopes_supported = list(SUPPORTED_SCOPES)
    server.register_client_auth_method(
        "private_key_jwt", PrivateKeyJWT(audiences=[issuer, f"{issuer}/token"])
    )
    server.register_grant(
        AuthorizationCodeGrant, [StrictPKCE(required=True), OpenIDCodeExtension()]
    )
    server.register_grant(RefreshTokenGrant)
    server.register_grant(ClientCredentialsGrant)
    server.register_endpoint(Introspection)
    server.register_endpoint(Revocation)
    server.register_endpoint(EndSession)
    protector = ResourceProtector()
    protector.register_token_validator(AccessTokenValidator())
    server.register_endpoint(UserInfoResponder(resource_protector=protector))
    app.extensions["idp.authorization_server"] = server
    return server


def authorization_server() -> Server:
    return current_app.extensions["idp.authorization_server"]
