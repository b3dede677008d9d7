"""The JWKS document: public keys only, one per algorithm, and key rotation seen over HTTP."""

from __future__ import annotations

import jwt
import pytest

from tests.support.jose import published_jwks, verify_id_token

PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}


def test_jwks_has_an_rs256_and_an_es256_signing_key_with_kid(client):
    keys = published_jwks(client)["keys"]
    by_alg = {k["alg"]: k for k in keys}
    assert set(by_alg) == {"RS256", "ES256"}
    assert by_alg["RS256"]["kty"] == "RSA"
    assert by_alg["ES256"]["kty"] == "EC" and by_alg["ES256"]["crv"] == "P-256"
    for key in keys:
        assert key["kid"] and key["use"] == "sig"
    assert len({k["kid"] for k in keys}) == len(keys)


def test_jwks_publishes_no_private_material(client):
    for key in published_jwks(client)["keys"]:
        assert not PRIVATE_MEMBERS & set(key), key["kid"]
        jwt.PyJWK.from_dict(key)  # a usable public key for an independent library


def test_jwks_response_headers(client):
    response = client.get("/jwks.json")
    assert response.mimetype == "application/json"
    assert "max-age" in response.headers["Cache-Control"]


@pytest.fixture
def keys(app):
    return app.extensions["idp"].keys


def _kid(token: str) -> str:
    return jwt.get_unverified_header(token)["kid"]


def test_rotation_publishes_old_and_new_and_signs_with_new(rp, keys, clock):
    before = rp.tokens()
    old_kids = {k["kid"] for k in published_jwks(rp.http)["keys"]}
    assert _kid(before["id_token"]) in old_kids

    clock.advance(5)
    created, _ = keys.rotate(clock.now())
    published = {k["kid"] for k in published_jwks(rp.http)["keys"]}
    assert published == old_kids | {k.kid for k in created}

    after = rp.tokens(prompt="login")
    assert _kid(after["id_token"]) in {k.kid for k in created}
    assert _kid(after["id_token"]) not in old_kids
    # A token signed before the rotation still verifies against the published set.
    assert verify_id_token(rp.http, before["id_token"], rp.client_id)["sub"]


def test_superseded_keys_leave_the_jwks_after_their_grace(app, client, keys, clock):
    old_kids = {k["kid"] for k in published_jwks(client)["keys"]}
    created, _ = keys.rotate(clock.now())
    new_kids = {k.kid for k in created}
    clock.advance(keys.grace_seconds - 1)
    assert {k["kid"] for k in published_jwks(client)["keys"]} == old_kids | new_kids
    clock.advance(1)
    assert {k["kid"] for k in published_jwks(client)["keys"]} == new_kids
