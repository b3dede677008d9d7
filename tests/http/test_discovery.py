"""Provider metadata (OpenID Connect Discovery 1.0, RFC 8414): complete, and true to behaviour."""

from __future__ import annotations

import pytest

from tests.support.factories import ISSUER, REDIRECT_URI
from tests.support.jose import ClientKey, assertion_form
from tests.support.oidc import RelyingParty, query

REQUIRED = (
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "userinfo_endpoint",
    "jwks_uri",
    "end_session_endpoint",
    "revocation_endpoint",
    "introspection_endpoint",
    "scopes_supported",
    "response_types_supported",
    "subject_types_supported",
    "id_token_signing_alg_values_supported",
    "token_endpoint_auth_methods_supported",
    "code_challenge_methods_supported",
    "grant_types_supported",
    "claims_supported",
)


@pytest.fixture
def meta(client):
    response = client.get("/.well-known/openid-configuration")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def _path(url: str) -> str:
    assert url.startswith(ISSUER + "/"), url
    return url[len(ISSUER) :]


def test_metadata_names_this_issuer_and_every_required_field(meta):
    assert meta["issuer"] == ISSUER
    missing = [name for name in REQUIRED if name not in meta]
    assert not missing
    for name, value in meta.items():
        if name.endswith("_endpoint") or name == "jwks_uri":
            assert value.startswith(ISSUER + "/"), (name, value)


def test_oauth_metadata_is_the_same_document(client, meta):
    other = client.get("/.well-known/oauth-authorization-server")
    assert other.status_code == 200
    assert other.get_json() == meta


def test_every_advertised_endpoint_answers(client, meta):
    """Each endpoint is routed: a bare request gets a protocol answer, never 404/405/500."""
    assert client.get(_path(meta["jwks_uri"])).status_code == 200
    authorize = client.get(_path(meta["authorization_endpoint"]))
    assert authorize.status_code == 400 and authorize.mimetype == "text/html"
    token = client.post(_path(meta["token_endpoint"]))
    assert token.status_code == 400
    assert token.get_json()["error"] == "unsupported_grant_type"
    for method in (client.get, client.post):
        info = method(_path(meta["userinfo_endpoint"]))
        assert info.status_code == 401
        assert info.headers["WWW-Authenticate"].lower().startswith("bearer")
    for name in ("revocation_endpoint", "introspection_endpoint"):
        answer = client.post(_path(meta[name]))
        assert answer.status_code in (400, 401), name
        assert answer.get_json()["error"] == "invalid_client", name
    logout = client.get(_path(meta["end_session_endpoint"]))
    assert logout.status_code == 200 and logout.mimetype == "text/html"


def test_published_values_are_the_supported_ones(meta):
    assert meta["response_types_supported"] == ["code"]
    assert meta["response_modes_supported"] == ["query"]
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert set(meta["subject_types_supported"]) == {"public", "pairwise"}
    assert set(meta["id_token_signing_alg_values_supported"]) == {"RS256", "ES256"}
    assert set(meta["grant_types_supported"]) == {
        "authorization_code",
        "refresh_token",
        "client_credentials",
    }
    assert set(meta["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic",
        "client_secret_post",
        "private_key_jwt",
        "none",
    }
    assert "none" not in meta["introspection_endpoint_auth_methods_supported"]
    assert "none" not in meta["token_endpoint_auth_signing_alg_values_supported"]
    assert meta["authorization_response_iss_parameter_supported"] is True
    assert meta["request_parameter_supported"] is False
    assert meta["request_uri_parameter_supported"] is False
    assert set(meta["prompt_values_supported"]) >= {"none", "login", "consent"}


def test_jwks_holds_a_key_for_every_advertised_algorithm(client, meta):
    keys = client.get(_path(meta["jwks_uri"])).get_json()["keys"]
    assert {k["alg"] for k in keys} >= set(meta["id_token_signing_alg_values_supported"])


def test_every_advertised_scope_is_accepted(client, factories, user, clock, meta):
    """A client registered for every scope gets every scope it asks for."""
    registered, secret = factories.client(scope=" ".join(meta["scopes_supported"]))
    rp = RelyingParty(client, registered.client_id, secret, clock=clock)
    body = rp.tokens(scope=" ".join(meta["scopes_supported"]))
    assert set(body["scope"].split()) == set(meta["scopes_supported"])


def test_claims_supported_cover_what_the_provider_releases(rp, meta):
    body = rp.tokens(scope="openid profile email phone address")
    claims = rp.verify(body["id_token"])
    info = rp.userinfo(body["access_token"]).get_json()
    released = set(claims) | set(info)
    assert released <= set(meta["claims_supported"]), released - set(meta["claims_supported"])
    assert claims["acr"] in meta["acr_values_supported"]


@pytest.mark.parametrize("alg", ["RS256", "ES256"])
def test_every_advertised_id_token_algorithm_is_used(client, factories, user, clock, alg):
    registered, secret = factories.client(id_token_alg=alg)
    rp = RelyingParty(client, registered.client_id, secret, clock=clock)
    body = rp.tokens()
    claims = rp.verify(body["id_token"])
    assert claims["sub"]


@pytest.mark.parametrize("alg", ["RS256", "PS256", "ES256"])
def test_every_advertised_assertion_algorithm_authenticates(client, factories, clock, meta, alg):
    assert alg in meta["token_endpoint_auth_signing_alg_values_supported"]
    key = ClientKey.ec() if alg == "ES256" else ClientKey.rsa()
    key.alg = alg
    registered, _ = factories.client(
        auth_method="private_key_jwt",
        jwks=key.public_jwks(),
        grant_types=("client_credentials",),
        redirect_uris=(),
    )
    response = client.post(
        "/token",
        data={
            "grant_type": "client_credentials",
            **assertion_form(key.assertion(registered.client_id, clock.now())),
        },
    )
    assert response.status_code == 200, response.get_json()


def test_advertised_response_mode_only(rp):
    response = rp.authorize(response_mode="fragment")
    assert response.status_code == 302
    assert response.location.startswith(REDIRECT_URI + "?")
    assert query(response.location)["error"] == "invalid_request"


def test_request_objects_are_refused_as_advertised(rp):
    for param, error in (
        ("request", "request_not_supported"),
        ("request_uri", "request_uri_not_supported"),
    ):
        response = rp.authorize(**{param: "eyJhbGciOiJub25lIn0.e30."})
        params = query(response.location)
        assert params["error"] == error
        assert params["iss"] == ISSUER


def test_discovery_is_cacheable_json(client):
    response = client.get("/.well-known/openid-configuration")
    assert "max-age" in response.headers["Cache-Control"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
