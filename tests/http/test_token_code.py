"""Exchanging an authorization code (RFC 6749 §4.1.3, OIDC Core §3.1.3)."""

from __future__ import annotations

import pytest

from idp.extensions import db
from idp.models import User
from tests.support.factories import REDIRECT_URI
from tests.support.oidc import RelyingParty, basic


@pytest.fixture
def code_ttl(app) -> int:
    return app.extensions["idp"].settings.tokens.authorization_code_ttl_seconds


def _refused(response, error: str = "invalid_grant") -> None:
    assert response.status_code == 400, (response.status_code, response.get_json())
    body = response.get_json()
    assert body["error"] == error, body
    assert "access_token" not in body
    assert response.headers["Cache-Control"] == "no-store"


def test_exchange_returns_bearer_tokens(rp, app):
    code = rp.obtain_code(scope="openid profile email offline_access")
    response = rp.exchange(code)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Pragma"] == "no-cache"
    body = response.get_json()
    assert body["token_type"] == "Bearer"
    ttl = app.extensions["idp"].settings.tokens.access_token_ttl_seconds
    assert body["expires_in"] == ttl
    assert set(body["scope"].split()) == {"openid", "profile", "email", "offline_access"}
    assert body["access_token"] and body["refresh_token"] and body["id_token"]
    assert body["access_token"] != body["refresh_token"]


def test_code_is_single_use(rp):
    code = rp.obtain_code()
    assert rp.exchange(code).status_code == 200
    _refused(rp.exchange(code))


def test_code_replay_revokes_the_tokens_it_gave(rp):
    code = rp.obtain_code(scope="openid profile offline_access")
    first = rp.exchange(code).get_json()
    assert rp.userinfo(first["access_token"]).status_code == 200
    assert rp.introspect(first["access_token"]).get_json()["active"] is True

    _refused(rp.exchange(code))

    assert rp.userinfo(first["access_token"]).status_code == 401
    assert rp.introspect(first["access_token"]).get_json() == {"active": False}
    assert rp.introspect(first["refresh_token"]).get_json() == {"active": False}
    _refused(rp.refresh(first["refresh_token"]))


def test_code_replay_is_audited(rp, factories, user):
    code = rp.obtain_code()
    rp.exchange(code)
    rp.exchange(code)
    events = factories.audit("code_replayed")
    assert [(e.outcome, e.user_id, e.client_id) for e in events] == [
        ("refused", user.id, rp.client_id)
    ]
    assert events[0].detail == {"revoked_tokens": 1}


def test_code_replay_also_revokes_tokens_refreshed_since(rp):
    code = rp.obtain_code(scope="openid offline_access")
    first = rp.exchange(code).get_json()
    second = rp.refresh(first["refresh_token"]).get_json()
    _refused(rp.exchange(code))
    assert rp.userinfo(second["access_token"]).status_code == 401
    _refused(rp.refresh(second["refresh_token"]))


def test_code_replay_leaves_other_grants_alone(rp):
    other = rp.tokens()
    code = rp.obtain_code()
    rp.exchange(code)
    rp.exchange(code)
    assert rp.userinfo(other["access_token"]).status_code == 200


def test_expired_code_is_refused(rp, clock, code_ttl):
    code = rp.obtain_code()
    clock.advance(code_ttl)
    _refused(rp.exchange(code))


def test_code_is_valid_until_its_ttl(rp, clock, code_ttl):
    code = rp.obtain_code()
    clock.advance(code_ttl - 1)
    assert rp.exchange(code).status_code == 200


def test_code_is_bound_to_its_client(rp, client, factories, clock):
    other_client, other_secret = factories.client(name="Autre application")
    thief = RelyingParty(client, other_client.client_id, other_secret, clock=clock)
    code = rp.obtain_code()
    thief.verifier = rp.verifier
    _refused(thief.exchange(code))
    # The legitimate client can still use it.
    assert rp.exchange(code).status_code == 200


def test_code_is_bound_to_its_redirect_uri(client, factories, user, clock):
    second_uri = "https://rp.example/other-callback"
    registered, secret = factories.client(redirect_uris=(REDIRECT_URI, second_uri))
    rp = RelyingParty(client, registered.client_id, secret, clock=clock)
    code = rp.obtain_code()
    _refused(rp.exchange(code, redirect_uri=second_uri))
    _refused(rp.exchange(code, redirect_uri=None))
    assert rp.exchange(code).status_code == 200


def test_missing_code_is_invalid_request(rp):
    response = rp.http.post(
        "/token",
        data={"grant_type": "authorization_code", "redirect_uri": REDIRECT_URI},
        headers=basic(rp.client_id, rp.secret),
    )
    _refused(response, "invalid_request")


def test_unknown_code_is_refused(rp):
    rp.obtain_code()
    _refused(rp.exchange("made-up-code"))


def test_code_of_a_disabled_account_is_refused(rp, app, user):
    code = rp.obtain_code()
    with app.app_context():
        db.session.get(User, user.id).status = "disabled"
        db.session.commit()
    _refused(rp.exchange(code))


def test_removed_client_cannot_exchange_its_code(rp, app):
    code = rp.obtain_code()
    with app.app_context():
        app.extensions["idp"].clients.remove(rp.client_id, now=0, by="test")
        db.session.commit()
    response = rp.exchange(code)
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_client"


def test_unknown_grant_type_is_refused(rp):
    response = rp.http.post(
        "/token", data={"grant_type": "password"}, headers=basic(rp.client_id, rp.secret)
    )
    _refused(response, "unsupported_grant_type")


def test_token_endpoint_only_accepts_post(rp):
    response = rp.http.get("/token?grant_type=authorization_code")
    assert response.status_code == 405
    assert response.get_json()["error"] == "invalid_request"


def test_scope_of_the_tokens_is_the_scope_granted(rp):
    body = rp.tokens(scope="openid email")
    assert body["scope"].split() == ["openid", "email"]
    info = rp.userinfo(body["access_token"]).get_json()
    assert "email" in info and "name" not in info


def test_error_responses_are_not_cached(rp):
    response = rp.exchange("nothing")
    assert response.status_code == 400
    assert response.headers["Cache-Control"] == "no-store"
