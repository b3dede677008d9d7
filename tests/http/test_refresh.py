"""Refresh tokens (RFC 6749 §6, RFC 9700 §4.14): rotation, reuse detection, scope, lifetime."""

from __future__ import annotations

import pytest

from idp.extensions import db
from idp.models import User
from tests.support.jose import at_hash
from tests.support.oidc import RelyingParty

OFFLINE = "openid profile email offline_access"


@pytest.fixture
def granted(rp) -> dict:
    """A token response with a refresh token."""
    return rp.tokens(scope=OFFLINE)


def _refused(response, error: str = "invalid_grant") -> None:
    assert response.status_code == 400, (response.status_code, response.get_json())
    assert response.get_json()["error"] == error
    assert "access_token" not in response.get_json()


def test_refresh_rotates_the_refresh_token(rp, granted, app):
    response = rp.refresh(granted["refresh_token"])
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == app.extensions["idp"].settings.tokens.access_token_ttl_seconds
    assert body["refresh_token"] not in (granted["refresh_token"], None)
    assert body["access_token"] != granted["access_token"]
    assert rp.userinfo(body["access_token"]).status_code == 200
    # The new refresh token works, the old one no longer does.
    assert rp.refresh(body["refresh_token"]).status_code == 200


def test_old_refresh_token_is_refused(rp, granted):
    assert rp.refresh(granted["refresh_token"]).status_code == 200
    _refused(rp.refresh(granted["refresh_token"]))


def test_reusing_an_old_refresh_token_revokes_the_whole_family(rp, granted):
    second = rp.refresh(granted["refresh_token"]).get_json()
    third = rp.refresh(second["refresh_token"]).get_json()
    assert rp.userinfo(third["access_token"]).status_code == 200

    _refused(rp.refresh(granted["refresh_token"]))

    for body in (granted, second, third):
        assert rp.userinfo(body["access_token"]).status_code == 401
        assert rp.introspect(body["access_token"]).get_json() == {"active": False}
    _refused(rp.refresh(third["refresh_token"]))


def test_reuse_is_audited(rp, granted, factories, user):
    rp.refresh(granted["refresh_token"])
    rp.refresh(granted["refresh_token"])
    events = factories.audit("refresh_token_reused")
    assert [(e.outcome, e.user_id, e.client_id) for e in events] == [
        ("refused", user.id, rp.client_id)
    ]


def test_reuse_leaves_other_grants_alone(rp, granted):
    other = rp.tokens(scope=OFFLINE)
    rp.refresh(granted["refresh_token"])
    rp.refresh(granted["refresh_token"])
    assert rp.userinfo(other["access_token"]).status_code == 200
    assert rp.refresh(other["refresh_token"]).status_code == 200


def test_refresh_by_another_client_is_refused(rp, granted, client, factories, clock):
    other, secret = factories.client(name="Autre application")
    thief = RelyingParty(client, other.client_id, secret, clock=clock)
    _refused(thief.refresh(granted["refresh_token"]))
    # The attempt neither used nor revoked the legitimate client's token.
    assert rp.refresh(granted["refresh_token"]).status_code == 200


def test_narrower_scope_is_allowed_and_the_grant_keeps_its_scope(rp, granted):
    narrow = rp.refresh(granted["refresh_token"], scope="openid email").get_json()
    assert narrow["scope"].split() == ["openid", "email"]
    info = rp.userinfo(narrow["access_token"]).get_json()
    assert "email" in info and "name" not in info
    # Omitting scope again gives back everything originally granted (RFC 6749 §6).
    full = rp.refresh(narrow["refresh_token"]).get_json()
    assert set(full["scope"].split()) == set(OFFLINE.split())


def test_wider_scope_is_refused(rp, granted):
    _refused(rp.refresh(granted["refresh_token"], scope="openid phone"), "invalid_scope")
    # A refused request does not use the refresh token up.
    assert rp.refresh(granted["refresh_token"]).status_code == 200


def test_no_refresh_token_without_offline_access(rp):
    body = rp.tokens(scope="openid profile")
    assert "refresh_token" not in body


def test_client_flag_gives_refresh_tokens_without_offline_access(client, factories, user, clock):
    registered, secret = factories.client(refresh_without_offline_access=True)
    rp = RelyingParty(client, registered.client_id, secret, clock=clock)
    body = rp.tokens(scope="openid profile")
    assert body["refresh_token"]
    assert rp.refresh(body["refresh_token"]).status_code == 200


def test_no_refresh_token_for_a_client_without_the_grant(client, factories, user, clock):
    registered, secret = factories.client(grant_types=("authorization_code",))
    rp = RelyingParty(client, registered.client_id, secret, clock=clock)
    body = rp.tokens(scope=OFFLINE)
    assert "refresh_token" not in body


def test_offline_access_not_registered_gives_no_refresh_token(client, factories, user, clock):
    registered, secret = factories.client(scope="openid profile email")
    rp = RelyingParty(client, registered.client_id, secret, clock=clock)
    body = rp.tokens(scope=OFFLINE)
    assert "offline_access" not in body["scope"].split()
    assert "refresh_token" not in body


def test_expired_refresh_token_is_refused(rp, granted, app, clock):
    ttl = app.extensions["idp"].settings.tokens.refresh_token_ttl_seconds
    clock.advance(ttl)
    _refused(rp.refresh(granted["refresh_token"]))


def test_refresh_token_lifetime_is_not_extended_by_rotation(rp, granted, app, clock):
    ttl = app.extensions["idp"].settings.tokens.refresh_token_ttl_seconds
    clock.advance(ttl - 10)
    newer = rp.refresh(granted["refresh_token"]).get_json()
    assert newer["refresh_token"]
    clock.advance(10)
    _refused(rp.refresh(newer["refresh_token"]))


def test_refresh_for_a_disabled_account_is_refused(rp, granted, app, user):
    with app.app_context():
        db.session.get(User, user.id).status = "disabled"
        db.session.commit()
    _refused(rp.refresh(granted["refresh_token"]))


def test_missing_refresh_token_is_invalid_request(rp):
    headers, form = rp.auth()
    response = rp.http.post("/token", data={"grant_type": "refresh_token", **form}, headers=headers)
    _refused(response, "invalid_request")


def test_access_token_is_not_a_refresh_token(rp, granted):
    _refused(rp.refresh(granted["access_token"]))


def test_refreshed_id_token_keeps_the_authentication(rp, granted, clock):
    original = rp.verify(granted["id_token"])
    clock.advance(100)
    body = rp.refresh(granted["refresh_token"]).get_json()
    claims = rp.verify(body["id_token"])
    for name in ("iss", "sub", "aud", "auth_time", "acr", "amr", "sid"):
        assert claims[name] == original[name], name
    assert claims["iat"] == original["iat"] + 100
    assert claims["at_hash"] == at_hash(body["access_token"])
    assert "nonce" not in claims


def test_refresh_without_openid_gives_no_id_token(rp, granted):
    body = rp.refresh(granted["refresh_token"], scope="email offline_access").get_json()
    assert "id_token" not in body


def test_public_client_can_refresh_without_secret(client, factories, user, clock):
    registered, _ = factories.client(public=True)
    rp = RelyingParty(client, registered.client_id, None, clock=clock)
    body = rp.tokens(scope=OFFLINE)
    assert rp.refresh(body["refresh_token"]).status_code == 200
