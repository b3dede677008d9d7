"""A public client's code issued without PKCE is refused at the token endpoint, whatever
the authorization endpoint let through (RFC 9700 §2.1.1): the code rows are written here
directly, as a bypassed or buggy authorization endpoint would have written them.

Every exchange goes through the whole stack, the token fast path first (it must hand a
code exchange on) and then the authorization-code grant (it must refuse it).
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from idp.extensions import db
from idp.models import AuthorizationCode, Token
from idp.oidc import fast_token, tokens
from idp.services.hashing import new_secret, token_hash
from tests.support.factories import REDIRECT_URI
from tests.support.oidc import pkce_pair


@pytest.fixture
def public_client_id(factories) -> str:
    registered, secret = factories.client(public=True)
    assert secret is None
    return registered.client_id


def _code_row(app: Flask, client_id: str, user_id: int, challenge: str | None) -> str:
    """A code as the authorization endpoint stores it, with or without a challenge."""
    code = new_secret(32)
    now = app.extensions["idp"].now()
    with app.app_context():
        db.session.add(
            AuthorizationCode(
                code_hash=token_hash(code),
                client_id=client_id,
                user_id=user_id,
                redirect_uri=REDIRECT_URI,
                scope="openid",
                nonce="n-0S6_WzA2Mj",
                code_challenge=challenge,
                code_challenge_method="S256" if challenge else None,
                auth_time=now,
                acr="eidas1",
                amr=["pwd"],
                sid=None,
                grant_id=tokens.new_grant_id(),
                created_at=now,
                expires_at=now + 60,
            )
        )
        db.session.commit()
    return code


def _exchange(client, client_id: str, code: str, verifier: str | None) -> Any:
    data = {
        "grant_type": "authorization_code",
        "client_id": client_id,
        "code": code,
        "redirect_uri": REDIRECT_URI,
    }
    if verifier is not None:
        data["code_verifier"] = verifier
    return client.post("/token", data=data)


def _tokens(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Token)) or 0


def test_the_same_row_with_a_challenge_is_exchanged(app, client, user, public_client_id):
    """The rows below are sound: only the missing challenge makes them refused."""
    verifier, challenge = pkce_pair()
    code = _code_row(app, public_client_id, user.id, challenge)
    response = _exchange(client, public_client_id, code, verifier)
    assert response.status_code == 200, response.get_json()
    assert "access_token" in response.get_json()


@pytest.mark.parametrize("verifier", [None, pkce_pair()[0]], ids=["no-verifier", "a-verifier"])
def test_a_code_without_a_challenge_is_refused(app, client, user, public_client_id, verifier):
    code = _code_row(app, public_client_id, user.id, challenge=None)
    response = _exchange(client, public_client_id, code, verifier)
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"] == "invalid_grant"
    assert "access_token" not in response.get_json()
    assert _tokens(app) == 0


def test_the_fast_path_hands_a_code_exchange_on():
    """The fast path holds no PKCE rule: it must never answer a code exchange itself."""
    form = {"grant_type": "authorization_code", "code": "c", "client_id": "x"}
    assert fast_token.token_request(form, None) is None
