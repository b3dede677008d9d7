"""Dynamic Client Registration over Flask's test client: initial tokens and requests."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from idp.extensions import db
from idp.services.client_registration import DynamicRegistration
from tests.support.factories import POST_LOGOUT_URI, REDIRECT_URI

ENDPOINT = "/connect/register"
METADATA: dict[str, Any] = {
    "client_name": "Appli enregistrée",
    "redirect_uris": [REDIRECT_URI],
    "post_logout_redirect_uris": [POST_LOGOUT_URI],
    "grant_types": ["authorization_code", "refresh_token"],
}


def initial_token(app: Flask, uses: int = 1, hours: int = 1) -> str:
    rt = app.extensions["idp"]
    with app.app_context():
        _, token = DynamicRegistration.from_settings(
            rt.settings, rt.clients, rt.hash_key
        ).issue_token(uses=uses, expires_at=rt.now() + hours * 3600, now=rt.now(), by="test")
        db.session.commit()
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def register(http: FlaskClient, token: str | None, **changes: Any) -> Any:
    """POST the usual metadata, with `changes`, as the holder of `token` (None: no header)."""
    return http.post(ENDPOINT, json={**METADATA, **changes}, headers=bearer(token) if token else {})


def assert_invalid_token(response: Any) -> None:
    """RFC 6750 §3.1: 401, the error in JSON and in the challenge."""
    assert response.status_code == 401, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert response.get_json()["error"] == "invalid_token"
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
