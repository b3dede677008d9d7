"""client_credentials tokens are self-contained JWTs (RFC 9068): checked here with PyJWT
against the published JWKS, and attacked (forged, altered, revoked, expired, of a removed
client, presented as something else) at introspection, UserInfo, revocation and logout."""

from __future__ import annotations

import base64
import json
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from tests.support.factories import ISSUER
from tests.support.jose import published_jwks
from tests.support.oidc import RelyingParty

CC = ("client_credentials",)


@pytest.fixture
def service(client, factories, clock) -> RelyingParty:
    registered, secret = factories.client(grant_types=CC, redirect_uris=())
    return RelyingParty(client, registered.client_id, secret, clock=clock)


def _token(party: RelyingParty) -> str:
    response = party.client_credentials()
    assert response.status_code == 200, response.get_json()
    return response.get_json()["access_token"]


def _segments(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    def part(segment: str) -> dict[str, Any]:
        return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))

    header, payload, _ = token.split(".")
    return part(header), part(payload)


def _encode(part: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


def test_token_is_an_rfc9068_jwt_signed_with_a_published_key(service, clock):
    token = _token(service)
    header = jwt.get_unverified_header(token)
    assert header["typ"] == "at+jwt" and header["alg"] == "ES256"
    key = jwt.PyJWKSet.from_dict(published_jwks(service.http))[header["kid"]]
    claims = jwt.decode(
        token,
        key=key,
        algorithms=["ES256"],
        audience=ISSUER,
        issuer=ISSUER,
        options={"verify_exp": False, "verify_iat": False},
    )
    assert claims["sub"] == claims["client_id"] == service.client_id
    assert claims["iat"] == clock.now()
    assert claims["exp"] - claims["iat"] == service_ttl(service)
    assert len(claims["jti"]) >= 22
    assert "scope" not in claims  # no user scope is granted to a service


def service_ttl(party: RelyingParty) -> int:
    return party.http.application.extensions["idp"].settings.tokens.client_credentials_ttl_seconds


def test_each_token_has_its_own_jti(service):
    assert _segments(_token(service))[1]["jti"] != _segments(_token(service))[1]["jti"]


def test_nothing_is_stored_for_a_service_token(service, app):
    from idp.extensions import db
    from idp.models import Token

    _token(service)
    with app.app_context():
        assert db.session.query(Token).count() == 0


def test_altered_token_is_inactive(service):
    token = _token(service)
    header, payload = _segments(token)
    payload["exp"] += 3600
    altered = ".".join([_encode(header), _encode(payload), token.split(".")[2]])
    assert service.introspect(altered).get_json() == {"active": False}
    assert service.userinfo(altered).status_code == 401


def test_token_forged_with_another_key_is_inactive(service):
    header, payload = _segments(_token(service))
    forged = jwt.encode(payload, ec.generate_private_key(ec.SECP256R1()), "ES256", headers=header)
    assert service.introspect(forged).get_json() == {"active": False}


def test_unsigned_token_is_inactive(service):
    header, payload = _segments(_token(service))
    unsigned = ".".join([_encode({**header, "alg": "none"}), _encode(payload), ""])
    assert service.introspect(unsigned).get_json() == {"active": False}


def test_revoked_token_is_inactive_and_revoking_again_is_harmless(service):
    token = _token(service)
    assert service.revoke(token).status_code == 200
    assert service.introspect(token).get_json() == {"active": False}
    assert service.revoke(token).status_code == 200
    assert service.introspect(_token(service)).get_json()["active"] is True


def test_another_client_can_neither_revoke_nor_introspect_it(service, client, factories, clock):
    token = _token(service)
    registered, secret = factories.client(grant_types=CC, redirect_uris=())
    other = RelyingParty(client, registered.client_id, secret, clock=clock)
    refused = other.revoke(token)
    assert refused.status_code == 400 and refused.get_json()["error"] == "invalid_grant"
    assert other.introspect(token).get_json() == {"active": False}
    assert service.introspect(token).get_json()["active"] is True


def test_token_expires_and_its_revocation_entry_is_then_forgotten(service, app, clock):
    from idp.extensions import db
    from idp.models import RevokedServiceToken

    revoked = _token(service)
    service.revoke(revoked)
    clock.advance(service_ttl(service))
    assert service.introspect(revoked).get_json() == {"active": False}
    service.revoke(_token(service))  # a revocation sweeps the expired entries
    with app.app_context():
        assert db.session.query(RevokedServiceToken).count() == 1


def test_token_of_a_removed_client_stays_inactive_if_its_id_is_registered_again(
    service, app, client, clock
):
    """Introspection checks the client that got the token still exists, not only the
    signature: a new registration under the same id does not revive the old tokens."""
    from idp.extensions import db
    from idp.services.clients import ClientSpec

    token = _token(service)
    clock.advance(1)
    with app.app_context():
        registry = app.extensions["idp"].clients
        registry.remove(service.client_id, now=clock.now(), by="test")
        _, secret = registry.register(
            ClientSpec(name="Successor", redirect_uris=(), grant_types=CC),
            now=clock.now(),
            by="test",
            client_id=service.client_id,
        )
        db.session.commit()
    successor = RelyingParty(client, service.client_id, secret, clock=clock)
    assert successor.introspect(token).get_json() == {"active": False}
    assert successor.introspect(_token(successor)).get_json()["active"] is True


def test_userinfo_refuses_a_service_token_for_its_scope(service):
    response = service.userinfo(_token(service))
    assert response.status_code == 403
    assert response.get_json()["error"] == "insufficient_scope"


def test_id_token_is_not_accepted_as_an_access_token(rp):
    id_token = rp.tokens()["id_token"]
    assert rp.userinfo(id_token).status_code == 401
    assert rp.introspect(id_token).get_json() == {"active": False}


def test_access_token_is_refused_as_an_id_token_hint(service):
    response = service.http.get("/logout", query_string={"id_token_hint": _token(service)})
    assert response.status_code == 400


class TestLongLivedServiceTokens:
    """Service tokens outliving ID tokens keep their key published until they expire."""

    @pytest.fixture
    def settings_overrides(self):
        return {"tokens": {"client_credentials_ttl_seconds": 3600}}

    def test_key_rotation_keeps_the_signing_key_while_the_token_lives(self, service, app, clock):
        token = _token(service)
        app.extensions["idp"].keys.rotate(clock.now())
        clock.advance(3599)
        assert service.introspect(token).get_json()["active"] is True
        kid = jwt.get_unverified_header(token)["kid"]
        assert kid in {k["kid"] for k in published_jwks(service.http)["keys"]}
        clock.advance(1)
        assert service.introspect(token).get_json() == {"active": False}
