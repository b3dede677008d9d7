"""Token introspection (RFC 7662): for the client the token was issued to, authenticated."""

from __future__ import annotations

import pytest

from idp.extensions import db
from idp.models import User
from tests.support.factories import ISSUER
from tests.support.oidc import RelyingParty, basic

OFFLINE = "openid profile offline_access"


@pytest.fixture
def granted(rp) -> dict:
    return rp.tokens(scope=OFFLINE)


def test_active_access_token_payload(rp, granted, user, app, clock):
    response = rp.introspect(granted["access_token"])
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    payload = response.get_json()
    ttl = app.extensions["idp"].settings.tokens.access_token_ttl_seconds
    assert payload["active"] is True
    assert payload["iss"] == ISSUER
    assert payload["client_id"] == rp.client_id
    assert payload["aud"] == rp.client_id
    assert payload["sub"] == user.subject
    assert set(payload["scope"].split()) == set(OFFLINE.split())
    assert payload["token_type"] == "Bearer"
    assert payload["iat"] == clock.now()
    assert payload["exp"] == clock.now() + ttl
    assert payload["auth_time"] == rp.verify(granted["id_token"])["auth_time"]


def test_active_refresh_token_payload(rp, granted, app, clock):
    payload = rp.introspect(granted["refresh_token"], token_type_hint="refresh_token").get_json()
    ttl = app.extensions["idp"].settings.tokens.refresh_token_ttl_seconds
    assert payload["active"] is True
    assert payload["client_id"] == rp.client_id
    assert payload["exp"] == clock.now() + ttl


@pytest.mark.parametrize("hint", ["refresh_token", "access_token", "id_token", ""])
def test_hint_only_orders_the_search(rp, granted, hint):
    for value in (granted["access_token"], granted["refresh_token"]):
        response = rp.introspect(value, token_type_hint=hint)
        assert response.status_code == 200
        assert response.get_json()["active"] is True


def test_expired_access_token_is_inactive(rp, granted, app, clock):
    clock.advance(app.extensions["idp"].settings.tokens.access_token_ttl_seconds)
    assert rp.introspect(granted["access_token"]).get_json() == {"active": False}


def test_revoked_token_is_inactive(rp, granted):
    rp.revoke(granted["refresh_token"])
    assert rp.introspect(granted["access_token"]).get_json() == {"active": False}
    assert rp.introspect(granted["refresh_token"]).get_json() == {"active": False}


def test_used_refresh_token_is_inactive(rp, granted):
    rp.refresh(granted["refresh_token"])
    assert rp.introspect(granted["refresh_token"]).get_json() == {"active": False}


def test_unknown_token_is_inactive(rp):
    assert rp.introspect("never-issued").get_json() == {"active": False}


def test_other_clients_token_is_inactive(rp, granted, client, factories, clock):
    other, secret = factories.client(name="Autre application")
    stranger = RelyingParty(client, other.client_id, secret, clock=clock)
    assert stranger.introspect(granted["access_token"]).get_json() == {"active": False}
    assert stranger.introspect(granted["refresh_token"]).get_json() == {"active": False}


def test_token_of_a_disabled_account_is_inactive(rp, granted, app, user):
    with app.app_context():
        db.session.get(User, user.id).status = "disabled"
        db.session.commit()
    assert rp.introspect(granted["access_token"]).get_json() == {"active": False}


def test_client_authentication_is_required(rp, granted):
    response = rp.http.post("/introspect", data={"token": granted["access_token"]})
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_client"
    assert "active" not in response.get_json()


def test_wrong_secret_is_refused(rp, granted):
    response = rp.http.post(
        "/introspect",
        data={"token": granted["access_token"]},
        headers=basic(rp.client_id, "wrong"),
    )
    assert response.status_code == 401
    assert "active" not in response.get_json()


def test_public_client_is_refused(client, factories, user, clock):
    registered, _ = factories.client(public=True)
    rp = RelyingParty(client, registered.client_id, None, clock=clock)
    body = rp.tokens()
    response = rp.introspect(body["access_token"])
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_client"


def test_missing_token_is_invalid_request(rp):
    headers, form = rp.auth()
    response = rp.http.post("/introspect", data=form, headers=headers)
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_request"


def test_pairwise_subject_in_introspection(client, factories, user, clock):
    registered, secret = factories.client(subject_type="pairwise")
    rp = RelyingParty(client, registered.client_id, secret, clock=clock)
    body = rp.tokens()
    payload = rp.introspect(body["access_token"]).get_json()
    assert payload["sub"] == rp.verify(body["id_token"])["sub"] != user.subject
