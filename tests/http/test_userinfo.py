"""The UserInfo endpoint (OIDC Core §5.3): Bearer tokens only, claims by scope."""

from __future__ import annotations

import pytest

from idp.extensions import db
from idp.models import User
from tests.support.oidc import RelyingParty


def _unauthorized(response) -> str:
    assert response.status_code == 401, response.status_code
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.lower().startswith("bearer"), challenge
    assert "access_token" not in response.get_data(as_text=True)
    return challenge


def test_get_with_bearer(rp, user):
    body = rp.tokens(scope="openid")
    response = rp.userinfo(body["access_token"])
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_json() == {"sub": user.subject}


def test_post_with_bearer(rp, user):
    token = rp.tokens(scope="openid email")["access_token"]
    response = rp.http.post("/userinfo", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.get_json()["email"] == "marie@example.org"


def test_sub_matches_the_id_token(rp):
    body = rp.tokens()
    assert rp.userinfo(body["access_token"]).get_json()["sub"] == rp.verify(body["id_token"])["sub"]


@pytest.mark.parametrize(
    ("scope", "claims"),
    [
        ("openid", set()),
        ("openid profile", {"name", "given_name", "family_name", "locale", "updated_at"}),
        ("openid email", {"email", "email_verified"}),
        ("openid phone", {"phone_number", "phone_number_verified"}),
        ("openid address", {"address"}),
    ],
)
def test_claims_by_scope(rp, scope, claims):
    token = rp.tokens(scope=scope)["access_token"]
    assert set(rp.userinfo(token).get_json()) == {"sub", *claims}


def test_claim_values(rp, user):
    token = rp.tokens(scope="openid profile email phone address")["access_token"]
    info = rp.userinfo(token).get_json()
    assert info["name"] == "Marie Dupont"
    assert info["given_name"] == "Marie" and info["family_name"] == "Dupont"
    assert info["email"] == "marie@example.org" and info["email_verified"] is True
    assert info["phone_number"] == "+33612345678" and info["phone_number_verified"] is True
    assert info["updated_at"] == user.updated_at
    address = info["address"]
    assert address["street_address"] == "56 rue de Billancourt"
    assert address["postal_code"] == "92100"
    assert address["locality"] == "Boulogne-Billancourt"
    assert address["country"] == "France"
    assert address["formatted"] == "56 rue de Billancourt\n92100 Boulogne-Billancourt\nFrance"


def test_unknown_values_are_left_out(client, factories, clock):
    factories.user(email=None)
    registered, secret = factories.client()
    rp = RelyingParty(client, registered.client_id, secret, clock=clock)
    token = rp.tokens(scope="openid profile email phone address")["access_token"]
    assert set(rp.userinfo(token).get_json()) == {"sub", "updated_at"}


def test_narrowed_token_releases_fewer_claims(rp):
    body = rp.tokens(scope="openid profile email offline_access")
    narrow = rp.refresh(body["refresh_token"], scope="openid email").get_json()
    assert set(rp.userinfo(narrow["access_token"]).get_json()) == {"sub", "email", "email_verified"}


def test_missing_token_is_401(client):
    _unauthorized(client.get("/userinfo"))


@pytest.mark.parametrize(
    "authorization", ["Bearer not-a-token", "Bearer", "Basic dXNlcjpwYXNz", "Bearer a b"]
)
def test_invalid_token_is_401(rp, authorization):
    rp.tokens()
    response = rp.http.get("/userinfo", headers={"Authorization": authorization})
    _unauthorized(response)


def test_expired_token_is_401(rp, app, clock):
    token = rp.tokens()["access_token"]
    clock.advance(app.extensions["idp"].settings.tokens.access_token_ttl_seconds - 1)
    assert rp.userinfo(token).status_code == 200
    clock.advance(1)
    assert 'error="invalid_token"' in _unauthorized(rp.userinfo(token))


def test_revoked_token_is_401(rp):
    token = rp.tokens()["access_token"]
    assert rp.revoke(token).status_code == 200
    assert 'error="invalid_token"' in _unauthorized(rp.userinfo(token))


def test_refresh_token_is_not_an_access_token(rp):
    body = rp.tokens(scope="openid offline_access")
    _unauthorized(rp.userinfo(body["refresh_token"]))


def test_token_of_a_disabled_account_is_401(rp, app, user):
    token = rp.tokens()["access_token"]
    with app.app_context():
        db.session.get(User, user.id).status = "disabled"
        db.session.commit()
    _unauthorized(rp.userinfo(token))


def test_token_of_a_removed_client_is_401(rp, app):
    token = rp.tokens()["access_token"]
    with app.app_context():
        app.extensions["idp"].clients.remove(rp.client_id, now=0, by="test")
        db.session.commit()
    _unauthorized(rp.userinfo(token))


def test_token_without_openid_is_403(rp):
    token = rp.tokens(scope="profile")["access_token"]
    response = rp.userinfo(token)
    assert response.status_code == 403
    assert response.get_json()["error"] == "insufficient_scope"


def test_token_in_the_query_string_is_not_accepted(rp):
    token = rp.tokens()["access_token"]
    _unauthorized(rp.http.get(f"/userinfo?access_token={token}"))
