"""ID tokens, verified with PyJWT (independent of the provider's JOSE stack) against the JWKS."""

from __future__ import annotations

import json
import zlib

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from itsdangerous import base64_decode

from idp.services.hashing import token_hash
from tests.support.factories import ISSUER
from tests.support.jose import at_hash, published_jwks
from tests.support.oidc import RelyingParty


def _secret_in_cookie(http) -> str:
    """The session secret the IdP put in its (signed, not encrypted) session cookie."""
    value = http.get_cookie("idp_session").value
    compressed = value.startswith(".")
    payload = value.lstrip(".").split(".")[0]
    raw = base64_decode(payload)
    if compressed:
        raw = zlib.decompress(raw)
    return json.loads(raw)["sid"]


def test_id_token_claims(rp, app, clock):
    signed_in_at = clock.now()
    rp.tokens()
    clock.advance(3)
    body = rp.tokens()
    claims = rp.verify(body["id_token"])
    ttl = app.extensions["idp"].settings.tokens.id_token_ttl_seconds
    assert claims["iss"] == ISSUER
    assert claims["aud"] == rp.client_id
    assert claims["iat"] == clock.now()
    assert claims["exp"] == clock.now() + ttl
    assert claims["auth_time"] == signed_in_at
    assert claims["nonce"] == rp.nonce
    assert claims["acr"] == "eidas1"
    assert claims["amr"] == ["pwd"]
    assert claims["at_hash"] == at_hash(body["access_token"])
    # The session's id is the hash of the cookie's secret: the token never carries the secret.
    assert claims["sid"] == token_hash(_secret_in_cookie(rp.http))


def test_sub_is_stable_opaque_and_the_userinfo_sub(rp, user):
    first = rp.tokens()
    second = rp.tokens()
    sub = rp.verify(first["id_token"])["sub"]
    assert rp.verify(second["id_token"])["sub"] == sub
    assert sub == user.subject
    assert user.identifier not in sub and (user.email or "@") not in sub
    assert rp.userinfo(first["access_token"]).get_json()["sub"] == sub


def test_header_names_a_published_key_of_the_right_type(rp):
    body = rp.tokens()
    header = jwt.get_unverified_header(body["id_token"])
    assert header["alg"] == "RS256"
    published = {k["kid"]: k for k in published_jwks(rp.http)["keys"]}
    assert published[header["kid"]]["alg"] == "RS256"


def test_es256_client_gets_an_es256_token(client, factories, user, clock):
    registered, secret = factories.client(id_token_alg="ES256")
    rp = RelyingParty(client, registered.client_id, secret, clock=clock)
    body = rp.tokens()
    header = jwt.get_unverified_header(body["id_token"])
    assert header["alg"] == "ES256"
    key = jwt.PyJWKSet.from_dict(published_jwks(client))[header["kid"]]
    assert isinstance(key.key, ec.EllipticCurvePublicKey)
    claims = rp.verify(body["id_token"])
    assert claims["at_hash"] == at_hash(body["access_token"])


def test_token_signed_by_another_key_does_not_verify(rp):
    """The verification above is real: a token with a foreign signature fails it."""
    body = rp.tokens()
    claims = jwt.decode(body["id_token"], options={"verify_signature": False})
    forged_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    header = jwt.get_unverified_header(body["id_token"])
    forged = jwt.encode(claims, forged_key, algorithm="RS256", headers={"kid": header["kid"]})
    with pytest.raises(jwt.InvalidTokenError):
        rp.verify(forged)


def test_no_nonce_requested_none_returned(rp):
    body = rp.tokens(nonce=None)
    assert "nonce" not in rp.verify(body["id_token"])


def test_id_token_only_with_openid_scope(rp):
    body = rp.tokens(scope="profile email")
    assert "id_token" not in body
    assert "openid" not in body["scope"].split()


def test_signed_in_again_gives_a_new_sid_and_auth_time(rp, clock):
    first = rp.verify(rp.tokens()["id_token"])
    clock.advance(60)
    second = rp.verify(rp.tokens(prompt="login")["id_token"])
    assert second["sid"] != first["sid"]
    assert second["auth_time"] == first["auth_time"] + 60


def test_same_session_same_sid_and_auth_time(rp, clock):
    first = rp.verify(rp.tokens()["id_token"])
    clock.advance(30)
    second = rp.verify(rp.tokens()["id_token"])
    assert second["sid"] == first["sid"]
    assert second["auth_time"] == first["auth_time"]
    assert second["iat"] == first["iat"] + 30


def test_id_token_expires_after_its_ttl(rp, app, clock):
    body = rp.tokens()
    ttl = app.extensions["idp"].settings.tokens.id_token_ttl_seconds
    clock.advance(ttl - 1)
    assert rp.verify(body["id_token"])
    clock.advance(1)
    with pytest.raises(AssertionError):
        rp.verify(body["id_token"])
