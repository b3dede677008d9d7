"""The demo relying application: signs in through the IdP with Authlib's Flask client.

Authorization code flow with PKCE (S256), a nonce checked in the ID token, the RFC 9207 `iss`
parameter checked against the configured issuer, the UserInfo answer fetched with the access
token, and RP-initiated logout. Its tokens live in its own signed-cookie session, under a
cookie name of its own (the IdP also runs on 127.0.0.1, and cookies ignore ports).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from authlib.integrations.flask_client import OAuth
from flask import Flask, Response, current_app
from flask_wtf.csrf import CSRFProtect

SCOPE = "openid profile email phone address"
TITLE = "Application de démonstration"
SESSION_COOKIE = "demo_rp_session"
REQUIRED_CREDENTIALS = (
    "issuer",
    "client_id",
    "client_secret",
    "redirect_uri",
    "post_logout_redirect_uri",
)


@dataclass(frozen=True)
class Provider:
    """The IdP as this application knows it: its issuer and this client's registration."""

    issuer: str
    client_id: str
    redirect_uri: str
    post_logout_redirect_uri: str
    oauth: Any  # Authlib's FlaskOAuth2App
    title: str = TITLE

    @property
    def origin(self) -> str:
        parts = urlsplit(self.issuer)
        return f"{parts.scheme}://{parts.netloc}"


def provider() -> Provider:
    return current_app.extensions["demo_rp"]


def _check(credentials: Mapping[str, str]) -> None:
    missing = [k for k in REQUIRED_CREDENTIALS if not credentials.get(k)]
    if missing:
        raise ValueError(f"credentials lack {', '.join(missing)}")


def _security_headers(response: Response) -> Response:
    """No script at all; forms may lead to the IdP (sign-in and sign-out redirect there)."""
    if response.mimetype == "text/html":
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'none'; style-src 'self'; img-src 'self'; "
            f"form-action 'self' {provider().origin}; frame-ancestors 'none'; base-uri 'none'",
        )
        response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response


def create_app(credentials: Mapping[str, str]) -> Flask:
    """Build the demo application for the client registered in `credentials`.

    `credentials` is what `idp demo seed --output` writes: issuer, client_id, client_secret,
    redirect_uri, post_logout_redirect_uri, and optionally `title`, `scope` (what it asks
    for) and `session_cookie` (two demo applications on one host need two cookie names:
    cookies ignore ports).
    """
    from clients.demo_rp import views

    _check(credentials)
    issuer = credentials["issuer"].rstrip("/")
    app = Flask(__name__)
    app.config.update(
        # Random at each start: restarting the demo signs everyone out of it, nothing more.
        SECRET_KEY=secrets.token_urlsafe(32),
        SESSION_COOKIE_NAME=credentials.get("session_cookie") or SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=urlsplit(credentials["redirect_uri"]).scheme == "https",
        WTF_CSRF_SSL_STRICT=False,
    )
    CSRFProtect(app)
    oauth = OAuth(app)
    client = oauth.register(
        "idp",
        client_id=credentials["client_id"],
        client_secret=credentials["client_secret"],
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={
            "scope": credentials.get("scope") or SCOPE,
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": "client_secret_basic",
            "default_timeout": 10,
        },
    )
    app.extensions["demo_rp"] = Provider(
        issuer=issuer,
        client_id=credentials["client_id"],
        redirect_uri=credentials["redirect_uri"],
        post_logout_redirect_uri=credentials["post_logout_redirect_uri"],
        oauth=client,
        title=credentials.get("title") or TITLE,
    )
    app.register_blueprint(views.bp)
    app.after_request(_security_headers)
    return app
