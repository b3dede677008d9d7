"""The client_credentials grant (RFC 6749 §4.4): confidential clients only, no user scopes."""

from __future__ import annotations

import pytest

from tests.support.jose import ClientKey
from tests.support.oidc import RelyingParty

CC = ("client_credentials",)


@pytest.fixture
def service(client, factories, clock):
    def make(method: str) -> RelyingParty:
        if method == "private_key_jwt":
            key = ClientKey.rsa()
            registered, _ = factories.client(
                auth_method=method, jwks=key.public_jwks(), grant_types=CC, redirect_uris=()
            )
            return RelyingParty(client, registered.client_id, key=key, clock=clock)
        registered, secret = factories.client(auth_method=method, grant_types=CC, redirect_uris=())
        return RelyingParty(
            client,
            registered.client_id,
            secret,
            auth_method="post" if method == "client_secret_post" else "basic",
            clock=clock,
        )

    return make


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post", "private_key_jwt"])
def test_client_credentials_works_with_every_confidential_method(service, app, method):
    party = service(method)
    response = party.client_credentials()
    assert response.status_code == 200, response.get_json()
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["token_type"] == "Bearer"
    ttl = app.extensions["idp"].settings.tokens.client_credentials_ttl_seconds
    assert body["expires_in"] == ttl
    assert "refresh_token" not in body and "id_token" not in body
    introspection = party.introspect(body["access_token"]).get_json()
    assert introspection["active"] is True
    assert introspection["client_id"] == party.client_id
    assert introspection["sub"] == party.client_id


def test_token_carries_no_user_scope(service):
    party = service("client_secret_basic")
    body = party.client_credentials(scope="openid profile email offline_access").get_json()
    assert body["scope"] == ""
    assert "refresh_token" not in body
    info = party.userinfo(body["access_token"])
    assert info.status_code == 403
    assert info.get_json()["error"] == "insufficient_scope"


def test_unknown_scope_is_refused(service):
    response = service("client_secret_basic").client_credentials(scope="admin")
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_scope"


def test_token_expires(service, app, clock):
    party = service("client_secret_basic")
    token = party.client_credentials().get_json()["access_token"]
    clock.advance(app.extensions["idp"].settings.tokens.client_credentials_ttl_seconds)
    assert party.introspect(token).get_json() == {"active": False}


def test_public_client_is_refused(client, factories, clock):
    registered, _ = factories.client(public=True)
    party = RelyingParty(client, registered.client_id, None, clock=clock)
    response = party.client_credentials()
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_client"


def test_client_without_the_grant_type_is_refused(rp):
    response = rp.client_credentials()
    assert response.status_code == 400
    assert response.get_json()["error"] == "unauthorized_client"


def test_unauthenticated_request_is_refused(service):
    party = service("client_secret_basic")
    response = party.http.post(
        "/token", data={"grant_type": "client_credentials", "client_id": party.client_id}
    )
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_client"
