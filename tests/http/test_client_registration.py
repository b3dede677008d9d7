"""Dynamic Client Registration (RFC 7591) and management (RFC 7592) behind initial access
tokens: the happy path to a signed-in user, least privilege, and every refusal."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from idp.extensions import db
from idp.models import Client, ClientRegistration, InitialAccessToken
from idp.services import users
from idp.services.client_registration import DynamicRegistration
from tests.support.client_registration import (
    ENDPOINT,
    METADATA,
    assert_invalid_token,
    bearer,
    initial_token,
    register,
)
from tests.support.factories import ISSUER, REDIRECT_URI
from tests.support.jose import ClientKey
from tests.support.oidc import RelyingParty


@pytest.fixture
def settings_overrides() -> dict[str, dict[str, object]]:
    return {"client_registration": {"enabled": True}}


def count(app: Flask, model: Any) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def put(http: FlaskClient, registered: dict[str, Any], update: dict[str, Any]) -> Any:
    """RFC 7592 §2.2: replace the registration, as its holder."""
    return http.put(
        registered["registration_client_uri"],
        json=update,
        headers=bearer(registered["registration_access_token"]),
    )


def refusal_reasons(factories) -> list[str]:
    return [e.detail["reason"] for e in factories.audit("client_registration_refused")]


# -- registration -----------------------------------------------------------------------


def test_registered_client_completes_a_code_flow_with_pkce(app, client, factories, user, clock):
    response = register(client, initial_token(app))
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    client_id = body["client_id"]
    assert body["client_secret"] and body["client_secret_expires_at"] == 0
    assert body["client_id_issued_at"] == clock.now()
    assert body["registration_access_token"]
    assert body["registration_client_uri"] == f"{ISSUER}{ENDPOINT}/{client_id}"
    assert body["redirect_uris"] == [REDIRECT_URI]
    assert body["token_endpoint_auth_method"] == "client_secret_basic"
    assert body["scope"] == "email openid phone profile"
    # Least privilege: a habilitation is needed (configured), so Marie is granted first.
    with app.app_context():
        users.grant(users.get(user.id), client_id, now=clock.now(), by="test")
        db.session.commit()
    rp = RelyingParty(client, client_id, body["client_secret"], clock=clock)
    tokens = rp.tokens()
    assert rp.verify(tokens["id_token"])["aud"] == client_id
    assert rp.userinfo(tokens["access_token"]).get_json()["email"] == "marie@example.org"
    (event,) = factories.audit("client_registered")
    assert event.client_id == client_id
    assert event.detail["by"] == "dcr" and event.detail["initial_token_id"]


def test_registered_clients_get_least_privilege(app, client):
    body = register(client, initial_token(app)).get_json()
    stored = app.extensions["idp"].clients
    with app.app_context():
        registered = stored.lookup(body["client_id"])
    assert not registered.first_party
    assert registered.requires_habilitation
    assert not registered.refresh_without_offline_access
    assert registered.grant_types == {"authorization_code", "refresh_token"}
    assert registered.scopes == {"openid", "profile", "email", "phone"}


def test_ungranted_users_are_refused_by_a_registered_client(app, client, user, clock):
    body = register(client, initial_token(app)).get_json()
    rp = RelyingParty(client, body["client_id"], body["client_secret"], clock=clock)
    signed_in = rp.sign_in(rp.authorize().location)
    assert signed_in.location.startswith("/login/habilitation/")


def test_a_public_client_gets_no_secret_and_loopback_http_is_allowed(app, client):
    response = register(
        client,
        initial_token(app),
        token_endpoint_auth_method="none",
        redirect_uris=["http://127.0.0.1:8765/callback"],
        post_logout_redirect_uris=[],
    )
    assert response.status_code == 201, response.get_json()
    assert "client_secret" not in response.get_json()
    assert "client_secret_expires_at" not in response.get_json()


def test_a_back_channel_logout_uri_is_kept(app, client):
    uri = "https://rp.example/backchannel"
    response = register(client, initial_token(app), backchannel_logout_uri=uri)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["backchannel_logout_uri"] == uri
    assert response.get_json()["backchannel_logout_session_required"] is True


def test_private_key_jwt_client_registers_its_public_keys(app, client):
    key = ClientKey.rsa()
    response = register(
        client,
        initial_token(app),
        token_endpoint_auth_method="private_key_jwt",
        jwks=key.public_jwks(),
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["jwks"] == key.public_jwks()
    assert "client_secret" not in response.get_json()


def test_a_counted_token_registers_that_many_clients(app, client, factories):
    token = initial_token(app, uses=2)
    assert register(client, token).status_code == 201
    assert register(client, token).status_code == 201
    assert_invalid_token(register(client, token))
    assert count(app, Client) == 2
    assert refusal_reasons(factories) == ["used"]


# -- refused tokens --------------------------------------------------------------------


def test_no_token_is_refused(client, app, factories):
    assert_invalid_token(register(client, None))
    assert_invalid_token(client.post(ENDPOINT, json=METADATA, headers={"Authorization": "Basic x"}))
    assert count(app, Client) == 0
    assert refusal_reasons(factories) == ["missing", "missing"]


def test_unknown_token_is_refused(client, app, factories):
    assert_invalid_token(register(client, "not-a-token"))
    assert count(app, Client) == 0
    (event,) = factories.audit("client_registration_refused")
    assert event.detail["by"] == "dcr" and event.detail["reason"] == "unknown"


def test_used_token_is_refused(client, app, factories):
    token = initial_token(app)
    assert register(client, token).status_code == 201
    assert_invalid_token(register(client, token))
    assert count(app, Client) == 1
    (event,) = factories.audit("client_registration_refused")
    assert event.detail["reason"] == "used" and event.detail["token_id"]


def test_expired_token_is_refused(client, app, clock, factories):
    token = initial_token(app, hours=1)
    clock.advance(3600)
    assert_invalid_token(register(client, token))
    assert count(app, Client) == 0
    assert refusal_reasons(factories) == ["expired"]


def test_revoked_token_is_refused(client, app, clock, factories):
    token = initial_token(app, uses=5)
    rt = app.extensions["idp"]
    with app.app_context():
        service = DynamicRegistration.from_settings(rt.settings, rt.clients, rt.hash_key)
        service.revoke_token(service.tokens()[0].id, now=clock.now(), by="test")
        db.session.commit()
    assert_invalid_token(register(client, token))
    assert refusal_reasons(factories) == ["revoked"]


def test_tokens_are_stored_as_hashes_only(app, client):
    token = initial_token(app)
    body = register(client, token).get_json()
    with app.app_context():
        stored = db.session.scalars(select(InitialAccessToken.token_hash)).all()
        managed = db.session.scalars(select(ClientRegistration.access_token_hash)).all()
    assert token not in stored and len(stored) == 1
    assert body["registration_access_token"] not in managed and len(managed) == 1


# -- refused metadata ------------------------------------------------------------------

BAD_REDIRECTS = [
    pytest.param({"redirect_uris": ["https://rp.example/cb#frag"]}, id="fragment"),
    pytest.param({"redirect_uris": ["http://rp.example/cb"]}, id="http-not-loopback"),
    pytest.param({"redirect_uris": ["javascript:alert(1)"]}, id="javascript"),
    pytest.param({"redirect_uris": []}, id="none"),
    pytest.param({"post_logout_redirect_uris": ["http://rp.example/bye"]}, id="post-logout-http"),
]

BAD_METADATA = [
    pytest.param({"grant_types": ["client_credentials"]}, id="client-credentials"),
    pytest.param({"grant_types": ["authorization_code", "client_credentials"]}, id="with-cc"),
    pytest.param({"grant_types": ["implicit"]}, id="implicit"),
    pytest.param({"grant_types": ["refresh_token"]}, id="no-code-grant"),
    pytest.param({"response_types": ["token"]}, id="response-type-token"),
    pytest.param({"scope": "openid offline_access"}, id="scope-not-allowed"),
    pytest.param({"scope": "openid organisation"}, id="privileged-scope"),
    pytest.param({"token_endpoint_auth_method": "tls_client_auth"}, id="auth-method"),
    pytest.param({"token_endpoint_auth_method": "private_key_jwt"}, id="jwt-without-keys"),
    pytest.param({"subject_type": "secret"}, id="subject-type"),
    pytest.param({"id_token_signed_response_alg": "none"}, id="alg-none"),
    pytest.param({"id_token_signed_response_alg": "HS256"}, id="alg-hs256"),
    pytest.param({"jwks_uri": "https://rp.example/jwks"}, id="jwks-uri"),
    pytest.param({"sector_identifier_uri": "https://rp.example/s.json"}, id="sector-uri"),
    pytest.param({"client_name": ""}, id="empty-name"),
    pytest.param({"client_name": "x" * 129}, id="long-name"),
    pytest.param({"client_name": "nul\x00"}, id="nul-in-name"),
    pytest.param({"client_name": 42}, id="name-number"),
    pytest.param({"redirect_uris": REDIRECT_URI}, id="uris-string"),
    pytest.param({"redirect_uris": [REDIRECT_URI, 3]}, id="uris-number"),
    pytest.param({"redirect_uris": [f"{REDIRECT_URI}/{i}" for i in range(21)]}, id="huge-list"),
    pytest.param({"redirect_uris": [REDIRECT_URI + "x" * 600]}, id="long-uri"),
    pytest.param({"backchannel_logout_uri": "http://rp.example/bc"}, id="backchannel-http"),
    pytest.param({"backchannel_logout_uri": "http://127.0.0.1:6379/"}, id="backchannel-loopback"),
    pytest.param({"backchannel_logout_uri": "https://localhost/bc"}, id="backchannel-localhost"),
    pytest.param({"backchannel_logout_uri": "https://10.0.0.8/bc"}, id="backchannel-private"),
    pytest.param({"backchannel_logout_uri": "https://[::1]/bc"}, id="backchannel-ipv6-loopback"),
    pytest.param({"backchannel_logout_uri": "https://169.254.169.254/"}, id="backchannel-metadata"),
    pytest.param({"backchannel_logout_session_required": "yes"}, id="flag-string"),
    pytest.param({"jwks": {"keys": "no"}}, id="jwks-not-a-set"),
    pytest.param({"jwks": {"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}}, id="jwks-secret-key"),
    pytest.param({"jwks": {"keys": [{"kty": "RSA", "n": "x"}]}}, id="jwks-unreadable"),
    pytest.param(
        {"subject_type": "pairwise", "redirect_uris": [REDIRECT_URI, "https://b.example/cb"]},
        id="pairwise-two-hosts",
    ),
]


@pytest.mark.parametrize("changes", BAD_REDIRECTS)
def test_bad_redirect_uris_are_refused(app, client, factories, changes):
    token = initial_token(app)
    response = register(client, token, **changes)
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_redirect_uri"
    assert response.get_json()["error_description"]
    assert count(app, Client) == 0
    assert refusal_reasons(factories) == ["invalid_redirect_uri"]
    # A refusal does not spend the token.
    assert register(client, token).status_code == 201


@pytest.mark.parametrize("changes", BAD_METADATA)
def test_bad_metadata_is_refused(app, client, changes):
    token = initial_token(app)
    response = register(client, token, **changes)
    assert response.status_code == 400, response.get_json()
    assert response.mimetype == "application/json"
    assert response.get_json()["error"] == "invalid_client_metadata"
    assert response.get_json()["error_description"]
    assert count(app, Client) == 0
    assert register(client, token).status_code == 201


@pytest.mark.parametrize(
    "data", [b"not json", b"[1, 2]", b'"text"', b"null", b"", b"{", b"\xff\xfe"]
)
def test_a_body_that_is_not_a_json_object_is_refused(app, client, data):
    response = client.post(
        ENDPOINT,
        data=data,
        headers={**bearer(initial_token(app)), "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_client_metadata"


def test_the_token_is_checked_before_the_metadata(client):
    assert_invalid_token(client.post(ENDPOINT, data=b"[]"))


def test_errors_are_json_never_html(app, client):
    too_big = client.post(ENDPOINT, data=b"x" * 70_000, headers=bearer(initial_token(app)))
    assert too_big.status_code == 413 and too_big.get_json()["error"] == "invalid_request"
    other_method = client.patch(f"{ENDPOINT}/abc")
    assert other_method.status_code == 405 and other_method.get_json()["error"] == "invalid_request"


# -- RFC 7592: read, update, delete ----------------------------------------------------


@pytest.fixture
def registered_dynamically(app, client) -> dict[str, Any]:
    response = register(client, initial_token(app))
    assert response.status_code == 201
    return response.get_json()


def test_read_answers_the_registered_metadata(client, registered_dynamically):
    body = registered_dynamically
    response = client.get(
        body["registration_client_uri"], headers=bearer(body["registration_access_token"])
    )
    assert response.status_code == 200
    read = response.get_json()
    expected = {k: v for k, v in body.items() if k != "client_secret"}
    assert read == expected


def test_update_replaces_the_metadata_and_every_worker_sees_it(
    app, client, factories, registered_dynamically
):
    body = registered_dynamically
    new_uri = "https://rp.example/other"
    update = {
        **METADATA,
        "client_id": body["client_id"],
        "client_name": "Renamed",
        "redirect_uris": [new_uri],
    }
    response = put(client, body, update)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["redirect_uris"] == [new_uri]
    assert response.get_json()["client_name"] == "Renamed"
    with app.app_context():
        stored = app.extensions["idp"].clients.lookup(body["client_id"])
    assert stored.redirect_uris == (new_uri,) and stored.name == "Renamed"
    assert not stored.first_party and stored.requires_habilitation
    # The secret is unchanged: the client keeps authenticating with it.
    assert stored.check_client_secret(body["client_secret"])
    (event,) = factories.audit("client_updated")
    assert event.client_id == body["client_id"] and event.detail["by"] == "dcr"
    assert (
        event.detail["initial_token_id"]
        == factories.audit("client_registered")[0].detail["initial_token_id"]
    )


@pytest.mark.parametrize(
    "settings_overrides",
    [{"client_registration": {"enabled": True, "requires_habilitation": False}}],
)
def test_update_never_lifts_a_habilitation_an_operator_required(app, client, factories):
    body = register(client, initial_token(app)).get_json()
    stored = app.extensions["idp"].clients
    with app.app_context():
        assert not stored.lookup(body["client_id"]).requires_habilitation
    factories.service("DPAE", body["client_id"])
    update = {**METADATA, "client_id": body["client_id"]}
    response = put(client, body, update)
    assert response.status_code == 200
    with app.app_context():
        assert stored.lookup(body["client_id"]).requires_habilitation


def test_update_to_a_secret_method_issues_a_secret(app, client):
    body = register(client, initial_token(app), token_endpoint_auth_method="none").get_json()
    update = {
        **METADATA,
        "client_id": body["client_id"],
        "token_endpoint_auth_method": "client_secret_post",
    }
    response = put(client, body, update)
    assert response.status_code == 200
    secret = response.get_json()["client_secret"]
    with app.app_context():
        assert app.extensions["idp"].clients.lookup(body["client_id"]).check_client_secret(secret)


@pytest.mark.parametrize(
    "changes, error",
    [
        ({"grant_types": ["client_credentials"]}, "invalid_client_metadata"),
        ({"redirect_uris": ["https://rp.example/cb#x"]}, "invalid_redirect_uri"),
        ({"client_id": None}, "invalid_request"),
        ({"client_id": "someone-else"}, "invalid_request"),
        ({"registration_access_token": "x"}, "invalid_request"),
        ({"client_id_issued_at": 1}, "invalid_request"),
        ({"client_secret": "not-the-secret"}, "invalid_request"),
    ],
)
def test_update_refusals(app, client, registered_dynamically, changes, error):
    body = registered_dynamically
    update = {**METADATA, "client_id": body["client_id"], **changes}
    update = {k: v for k, v in update.items() if v is not None}
    response = put(client, body, update)
    assert response.status_code == 400
    assert response.get_json()["error"] == error
    with app.app_context():
        stored = app.extensions["idp"].clients.lookup(body["client_id"])
    assert stored.redirect_uris == (REDIRECT_URI,) and stored.grant_types == {
        "authorization_code",
        "refresh_token",
    }


def test_delete_removes_the_client_and_its_tokens(
    app, client, factories, user, clock, registered_dynamically
):
    body = registered_dynamically
    with app.app_context():
        users.grant(users.get(user.id), body["client_id"], now=clock.now(), by="test")
        db.session.commit()
    rp = RelyingParty(client, body["client_id"], body["client_secret"], clock=clock)
    tokens = rp.tokens()
    headers = bearer(body["registration_access_token"])
    response = client.delete(body["registration_client_uri"], headers=headers)
    assert response.status_code == 204
    assert rp.userinfo(tokens["access_token"]).status_code == 401
    assert_invalid_token(client.get(body["registration_client_uri"], headers=headers))
    assert count(app, Client) == 0 and count(app, ClientRegistration) == 0
    (event,) = factories.audit("client_removed")
    assert event.client_id == body["client_id"] and event.detail["by"] == "dcr"
    assert (
        event.detail["initial_token_id"]
        == factories.audit("client_registered")[0].detail["initial_token_id"]
    )


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_management_refuses_a_wrong_or_missing_token(app, client, registered_dynamically, method):
    body = registered_dynamically
    uri = body["registration_client_uri"]
    send = getattr(client, method)
    update = {**METADATA, "client_id": body["client_id"]}
    assert_invalid_token(send(uri, json=update))
    assert_invalid_token(send(uri, json=update, headers=bearer("wrong")))
    assert count(app, Client) == 1


def test_a_token_for_another_client_is_refused(app, client, registered_dynamically):
    """No IDOR: one client's registration access token manages that client only."""
    other = register(client, initial_token(app)).get_json()
    mine = bearer(registered_dynamically["registration_access_token"])
    target = other["registration_client_uri"]
    assert_invalid_token(client.get(target, headers=mine))
    assert_invalid_token(
        client.put(target, json={**METADATA, "client_id": other["client_id"]}, headers=mine)
    )
    assert_invalid_token(client.delete(target, headers=mine))
    assert count(app, Client) == 2


def test_operator_clients_cannot_be_managed_through_the_protocol(
    app, client, factories, registered_dynamically
):
    operator_client, _ = factories.client()
    token = registered_dynamically["registration_access_token"]
    uri = f"{ENDPOINT}/{operator_client.client_id}"
    assert_invalid_token(client.delete(uri, headers=bearer(token)))
    assert_invalid_token(client.get(uri, headers=bearer(initial_token(app))))
    assert count(app, Client) == 2


# -- off by default, discovery, rate limit ---------------------------------------------


@pytest.mark.parametrize("settings_overrides", [{}])
def test_off_by_default_no_endpoint_and_not_advertised(app, client, settings_overrides):
    token = initial_token(app)
    response = register(client, token)
    assert response.status_code == 404 and response.mimetype == "application/json"
    assert client.get(f"{ENDPOINT}/x").status_code == 404
    assert "registration_endpoint" not in client.get("/.well-known/openid-configuration").get_json()
    assert count(app, Client) == 0


def test_discovery_names_the_registration_endpoint(client):
    meta = client.get("/.well-known/openid-configuration").get_json()
    assert meta["registration_endpoint"] == f"{ISSUER}{ENDPOINT}"


@pytest.mark.parametrize(
    "settings_overrides",
    [{"client_registration": {"enabled": True, "requests_per_ip": "2/minute"}}],
)
def test_registration_is_rate_limited_per_ip(client, settings_overrides):
    for _ in range(2):
        assert_invalid_token(register(client, "x"))
    limited = register(client, "x")
    assert limited.status_code == 429
    assert limited.get_json()["error"] == "temporarily_unavailable"
    assert limited.headers["Retry-After"]
