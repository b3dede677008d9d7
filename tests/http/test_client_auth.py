"""Client authentication at the token endpoint (RFC 6749 §2.3, OIDC Core §9, RFC 7523)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from cryptography.hazmat.primitives import serialization

from idp.extensions import db
from idp.models import Client
from tests.support.factories import ISSUER
from tests.support.jose import TOKEN_ENDPOINT, ClientKey, assertion_form
from tests.support.oidc import RelyingParty, basic

CC = ("client_credentials",)


def _cc(http, data: dict, headers: dict | None = None):
    return http.post("/token", data={"grant_type": "client_credentials", **data}, headers=headers)


def _invalid_client(response, status: int | None = None) -> None:
    if status is not None:
        assert response.status_code == status, response.status_code
    else:
        assert response.status_code in (400, 401), response.status_code
    body = response.get_json()
    assert body["error"] == "invalid_client", body
    assert "access_token" not in body


# -- secrets ---------------------------------------------------------------------------------


@pytest.fixture
def basic_client(factories):
    return factories.client(auth_method="client_secret_basic", grant_types=CC, redirect_uris=())


@pytest.fixture
def post_client(factories):
    return factories.client(auth_method="client_secret_post", grant_types=CC, redirect_uris=())


def test_client_secret_basic(client, basic_client):
    registered, secret = basic_client
    assert _cc(client, {}, basic(registered.client_id, secret)).status_code == 200


def test_client_secret_post(client, post_client):
    registered, secret = post_client
    data = {"client_id": registered.client_id, "client_secret": secret}
    assert _cc(client, data).status_code == 200


def test_wrong_secret_is_401_with_www_authenticate(client, basic_client):
    registered, secret = basic_client
    response = _cc(client, {}, basic(registered.client_id, secret + "x"))
    _invalid_client(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_wrong_secret_by_post_is_refused(client, post_client):
    registered, secret = post_client
    data = {"client_id": registered.client_id, "client_secret": secret[:-1]}
    _invalid_client(_cc(client, data), 401)


def test_unknown_client_is_refused(client, basic_client):
    _, secret = basic_client
    _invalid_client(_cc(client, {}, basic("nobody", secret)), 401)


def test_registered_method_only(client, basic_client, post_client):
    """A client registered for basic cannot use post, and the other way round."""
    registered, secret = basic_client
    data = {"client_id": registered.client_id, "client_secret": secret}
    _invalid_client(_cc(client, data), 401)
    registered, secret = post_client
    _invalid_client(_cc(client, {}, basic(registered.client_id, secret)), 401)


def test_multiple_methods_are_refused(client, basic_client):
    registered, secret = basic_client
    data = {"client_id": registered.client_id, "client_secret": secret}
    response = _cc(client, data, basic(registered.client_id, secret))
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_request"


def test_secret_and_assertion_together_are_refused(client, post_client, clock):
    registered, secret = post_client
    key = ClientKey.rsa()
    data = {
        "client_id": registered.client_id,
        "client_secret": secret,
        **assertion_form(key.assertion(registered.client_id, clock.now())),
    }
    response = _cc(client, data)
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_request"


def test_confidential_client_without_credentials_is_refused(client, basic_client):
    registered, _ = basic_client
    _invalid_client(_cc(client, {"client_id": registered.client_id}), 401)


def test_secret_is_not_stored_in_clear(app, basic_client):
    registered, secret = basic_client
    with app.app_context():
        row = db.session.query(Client).filter_by(client_id=registered.client_id).one()
        assert secret not in (row.secret_hash or "")


# -- none: public clients -------------------------------------------------------------------


@pytest.fixture
def public_rp(client, factories, user, clock) -> RelyingParty:
    registered, _ = factories.client(public=True)
    return RelyingParty(client, registered.client_id, None, clock=clock)


def test_public_client_authenticates_with_client_id_only(public_rp):
    code = public_rp.obtain_code()
    assert public_rp.exchange(code).status_code == 200


def test_public_client_with_a_made_up_secret_is_refused(public_rp):
    code = public_rp.obtain_code()
    _invalid_client(public_rp.exchange(code, client_secret="guess"))


def test_confidential_client_cannot_pass_as_public(rp):
    code = rp.obtain_code()
    response = rp.http.post(
        "/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": rp.redirect_uri,
            "code_verifier": rp.verifier,
            "client_id": rp.client_id,
        },
    )
    _invalid_client(response, 401)
    # And the code was not consumed by the refused attempt.
    assert rp.exchange(code).status_code == 200


# -- private_key_jwt ----------------------------------------------------------------------


@pytest.fixture
def jwt_client(factories):
    key = ClientKey.rsa()
    registered, secret = factories.client(
        auth_method="private_key_jwt", jwks=key.public_jwks(), grant_types=CC, redirect_uris=()
    )
    assert secret is None
    return registered, key


def test_private_key_jwt(client, jwt_client, clock):
    registered, key = jwt_client
    assertion = key.assertion(registered.client_id, clock.now())
    assert _cc(client, assertion_form(assertion)).status_code == 200


@pytest.mark.parametrize("aud", [ISSUER, TOKEN_ENDPOINT, [TOKEN_ENDPOINT, "https://other"]])
def test_accepted_audiences(client, jwt_client, clock, aud):
    registered, key = jwt_client
    assertion = key.assertion(registered.client_id, clock.now(), aud=aud)
    assert _cc(client, assertion_form(assertion)).status_code == 200


def test_jti_replay_is_refused(client, jwt_client, clock):
    registered, key = jwt_client
    assertion = key.assertion(registered.client_id, clock.now())
    assert _cc(client, assertion_form(assertion)).status_code == 200
    clock.advance(5)
    _invalid_client(_cc(client, assertion_form(assertion)))


def test_jti_replay_is_refused_within_the_expiry_leeway(client, jwt_client, clock):
    """The jti is remembered for as long as the assertion can be accepted, leeway included."""
    registered, key = jwt_client
    assertion = key.assertion(registered.client_id, clock.now(), exp=clock.now() + 60)
    assert _cc(client, assertion_form(assertion)).status_code == 200
    clock.advance(70)  # past exp, within the accepted clock skew
    _invalid_client(_cc(client, assertion_form(assertion)))


def test_jti_of_a_failed_request_cannot_be_replayed(client, jwt_client, clock):
    """An assertion seen once is spent, even when the request it came with failed."""
    registered, key = jwt_client
    assertion = key.assertion(registered.client_id, clock.now())
    failed = _cc(client, {"scope": "admin", **assertion_form(assertion)})
    assert failed.get_json()["error"] == "invalid_scope"
    _invalid_client(_cc(client, assertion_form(assertion)))


def test_jti_replay_is_refused_at_introspection(client, jwt_client, clock):
    registered, key = jwt_client
    token = _cc(client, assertion_form(key.assertion(registered.client_id, clock.now())))
    access_token = token.get_json()["access_token"]
    assertion = key.assertion(registered.client_id, clock.now())
    first = client.post("/introspect", data={"token": access_token, **assertion_form(assertion)})
    assert first.get_json()["active"] is True
    second = client.post("/introspect", data={"token": access_token, **assertion_form(assertion)})
    _invalid_client(second)


def test_jti_is_required(client, jwt_client, clock):
    registered, key = jwt_client
    assertion = key.assertion(registered.client_id, clock.now(), jti=None)
    _invalid_client(_cc(client, assertion_form(assertion)))


@pytest.mark.parametrize("aud", ["https://other.example/token", f"{ISSUER}/userinfo", None])
def test_wrong_audience_is_refused(client, jwt_client, clock, aud):
    registered, key = jwt_client
    assertion = key.assertion(registered.client_id, clock.now(), aud=aud)
    _invalid_client(_cc(client, assertion_form(assertion)))


def test_expired_assertion_is_refused(client, jwt_client, clock):
    registered, key = jwt_client
    now = clock.now()
    assertion = key.assertion(registered.client_id, now - 300, iat=now - 300, exp=now - 120)
    _invalid_client(_cc(client, assertion_form(assertion)))


def test_assertion_without_exp_is_refused(client, jwt_client, clock):
    registered, key = jwt_client
    assertion = key.assertion(registered.client_id, clock.now(), exp=None)
    _invalid_client(_cc(client, assertion_form(assertion)))


def test_long_lived_assertion_is_refused(client, jwt_client, clock):
    registered, key = jwt_client
    assertion = key.assertion(registered.client_id, clock.now(), exp=clock.now() + 3600)
    _invalid_client(_cc(client, assertion_form(assertion)))


def test_issuer_must_be_the_client(client, jwt_client, clock):
    registered, key = jwt_client
    assertion = key.assertion(registered.client_id, clock.now(), iss="someone-else")
    _invalid_client(_cc(client, assertion_form(assertion)))


def test_assertion_signed_by_another_key_is_refused(client, jwt_client, clock):
    registered, _ = jwt_client
    stranger = ClientKey.rsa()
    assertion = stranger.assertion(registered.client_id, clock.now())
    _invalid_client(_cc(client, assertion_form(assertion)))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _hs256(claims: dict, secret: bytes) -> str:
    """Signed by hand: PyJWT rightly refuses public keys as HMAC secrets."""
    signing_input = _b64(b'{"alg":"HS256"}') + "." + _b64(json.dumps(claims).encode())
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(mac)}"


def test_hs256_with_a_guessed_key_is_refused(client, jwt_client, clock):
    """Algorithm confusion: the public key (or the client_id) used as an HMAC secret."""
    registered, key = jwt_client
    public = key.public_jwks()["keys"][0]
    der = key.private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    pem = key.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    guesses = (registered.client_id.encode(), public["n"].encode(), der, pem)
    for number, guess in enumerate(guesses):
        claims = {
            "iss": registered.client_id,
            "sub": registered.client_id,
            "aud": TOKEN_ENDPOINT,
            "jti": f"guess-{number}",
            "exp": clock.now() + 60,
        }
        _invalid_client(_cc(client, assertion_form(_hs256(claims, guess))))


def test_unsigned_assertion_is_refused(client, jwt_client, clock):
    registered, _ = jwt_client

    claims = {
        "iss": registered.client_id,
        "sub": registered.client_id,
        "aud": TOKEN_ENDPOINT,
        "jti": "unsigned",
        "exp": clock.now() + 60,
    }
    assertion = _b64(b'{"alg":"none"}') + "." + _b64(json.dumps(claims).encode()) + "."
    _invalid_client(_cc(client, assertion_form(assertion)))


def test_assertion_for_a_secret_client_is_refused(client, basic_client, clock):
    registered, _ = basic_client
    assertion = ClientKey.rsa().assertion(registered.client_id, clock.now())
    _invalid_client(_cc(client, assertion_form(assertion)))


def test_wrong_assertion_type_is_refused(client, jwt_client, clock):
    registered, key = jwt_client
    data = assertion_form(key.assertion(registered.client_id, clock.now()))
    data["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:saml2-bearer"
    _invalid_client(_cc(client, data))


def test_ec_key_client(client, factories, clock):
    key = ClientKey.ec()
    registered, _ = factories.client(
        auth_method="private_key_jwt", jwks=key.public_jwks(), grant_types=CC, redirect_uris=()
    )
    assertion = key.assertion(registered.client_id, clock.now())
    assert _cc(client, assertion_form(assertion)).status_code == 200


def test_private_key_jwt_code_flow(client, factories, user, clock):
    key = ClientKey.ec()
    registered, _ = factories.client(auth_method="private_key_jwt", jwks=key.public_jwks())
    rp = RelyingParty(client, registered.client_id, key=key, clock=clock)
    body = rp.tokens(scope="openid offline_access")
    assert rp.refresh(body["refresh_token"]).status_code == 200
    assert rp.revoke(body["access_token"]).status_code == 200
