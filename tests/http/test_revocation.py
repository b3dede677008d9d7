"""Token revocation (RFC 7009)."""

from __future__ import annotations

import pytest

from tests.support.oidc import RelyingParty

OFFLINE = "openid profile offline_access"


@pytest.fixture
def granted(rp) -> dict:
    return rp.tokens(scope=OFFLINE)


def test_revoking_an_access_token_kills_it(rp, granted):
    response = rp.revoke(granted["access_token"], token_type_hint="access_token")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert rp.userinfo(granted["access_token"]).status_code == 401
    assert rp.introspect(granted["access_token"]).get_json() == {"active": False}


def test_revoking_an_access_token_keeps_the_refresh_token(rp, granted):
    """An access token ends alone: the client keeps its grant."""
    rp.revoke(granted["access_token"])
    assert rp.introspect(granted["refresh_token"]).get_json()["active"] is True
    refreshed = rp.refresh(granted["refresh_token"])
    assert refreshed.status_code == 200
    assert rp.userinfo(refreshed.get_json()["access_token"]).status_code == 200


def test_revoking_a_refresh_token_kills_the_family(rp, granted):
    second = rp.refresh(granted["refresh_token"]).get_json()
    third = rp.refresh(second["refresh_token"]).get_json()
    assert rp.revoke(third["refresh_token"], token_type_hint="refresh_token").status_code == 200
    for body in (second, third):
        assert rp.userinfo(body["access_token"]).status_code == 401
    refused = rp.refresh(third["refresh_token"])
    assert refused.status_code == 400 and refused.get_json()["error"] == "invalid_grant"


def test_revoking_an_old_refresh_token_of_the_family_kills_it_all(rp, granted):
    second = rp.refresh(granted["refresh_token"]).get_json()
    assert rp.revoke(granted["refresh_token"]).status_code == 200
    assert rp.userinfo(second["access_token"]).status_code == 401
    assert rp.refresh(second["refresh_token"]).status_code == 400


def test_wrong_hint_still_finds_the_token(rp, granted):
    assert rp.revoke(granted["refresh_token"], token_type_hint="access_token").status_code == 200
    assert rp.userinfo(granted["access_token"]).status_code == 401


def test_unknown_hint_is_ignored(rp, granted):
    response = rp.revoke(granted["access_token"], token_type_hint="id_token")
    assert response.status_code == 200
    assert rp.userinfo(granted["access_token"]).status_code == 401


def test_unknown_token_is_200(rp):
    response = rp.revoke("never-issued")
    assert response.status_code == 200


def test_revoking_twice_is_200(rp, granted):
    assert rp.revoke(granted["access_token"]).status_code == 200
    assert rp.revoke(granted["access_token"]).status_code == 200


def test_other_clients_token_is_refused_and_stays_alive(rp, granted, client, factories, clock):
    other, secret = factories.client(name="Autre application")
    thief = RelyingParty(client, other.client_id, secret, clock=clock)
    for value in (granted["access_token"], granted["refresh_token"]):
        response = thief.revoke(value)
        assert response.status_code == 400
        assert response.get_json()["error"] == "invalid_grant"
    assert rp.userinfo(granted["access_token"]).status_code == 200
    assert rp.refresh(granted["refresh_token"]).status_code == 200


def test_client_authentication_is_required(rp, granted):
    response = rp.http.post("/revoke", data={"token": granted["access_token"]})
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_client"
    bad = rp.http.post(
        "/revoke",
        data={"token": granted["access_token"], "client_id": rp.client_id},
    )
    assert bad.status_code == 401
    assert rp.userinfo(granted["access_token"]).status_code == 200


def test_public_client_can_revoke_its_own_tokens(client, factories, user, clock):
    registered, _ = factories.client(public=True)
    rp = RelyingParty(client, registered.client_id, None, clock=clock)
    body = rp.tokens(scope=OFFLINE)
    assert rp.revoke(body["refresh_token"]).status_code == 200
    assert rp.userinfo(body["access_token"]).status_code == 401


def test_missing_token_is_invalid_request(rp):
    headers, form = rp.auth()
    response = rp.http.post("/revoke", data=form, headers=headers)
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_request"


def test_revocation_only_accepts_post(client):
    response = client.get("/revoke")
    assert response.status_code == 405
