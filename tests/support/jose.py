"""JOSE helpers built on PyJWT, a library independent of the provider's (joserfc, Authlib).

ID tokens are verified against the published JWKS only; client assertions are signed with
keys generated in the test.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from flask.testing import FlaskClient
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from tests.support.factories import ISSUER

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TOKEN_ENDPOINT = f"{ISSUER}/token"


def published_jwks(http: FlaskClient) -> dict[str, Any]:
    response = http.get("/jwks.json")
    assert response.status_code == 200
    return response.get_json()


def verify_id_token(
    http: FlaskClient,
    id_token: str,
    audience: str,
    *,
    now: int | None = None,
    issuer: str = ISSUER,
) -> dict[str, Any]:
    """Verify signature, iss, aud (PyJWT, the published JWKS), then iat and exp at `now`.

    `now` is the test clock's time (PyJWT would read the wall clock); None skips expiry.
    """
    header = jwt.get_unverified_header(id_token)
    assert header["alg"] in {"RS256", "ES256"}, header
    jwks = jwt.PyJWKSet.from_dict(published_jwks(http))
    key = jwks[header["kid"]]
    claims = jwt.decode(
        id_token,
        key=key,
        algorithms=[header["alg"]],
        audience=audience,
        issuer=issuer,
        options={
            "require": ["iss", "sub", "aud", "exp", "iat"],
            "verify_exp": False,
            "verify_iat": False,
            "verify_nbf": False,
        },
    )
    if now is not None:
        assert claims["iat"] <= now < claims["exp"], (claims["iat"], now, claims["exp"])
    return claims


def at_hash(access_token: str) -> str:
    """OIDC Core §3.1.3.6, recomputed here: left half of SHA-256, base64url."""
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


@dataclass
class ClientKey:
    """A client's own key pair for private_key_jwt."""

    private: Any
    alg: str
    kid: str

    @classmethod
    def rsa(cls) -> ClientKey:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return cls(key, "RS256", secrets.token_hex(8))

    @classmethod
    def ec(cls) -> ClientKey:
        return cls(ec.generate_private_key(ec.SECP256R1()), "ES256", secrets.token_hex(8))

    def public_jwks(self) -> dict[str, Any]:
        algorithm = RSAAlgorithm if isinstance(self.private, rsa.RSAPrivateKey) else ECAlgorithm
        jwk = json.loads(algorithm.to_jwk(self.private.public_key()))
        return {"keys": [{**jwk, "kid": self.kid, "alg": self.alg, "use": "sig"}]}

    def assertion(self, client_id: str, now: int, **claims: Any) -> str:
        """A client assertion (RFC 7523 §3); `claims` override or drop (None) the defaults."""
        body: dict[str, Any] = {
            "iss": client_id,
            "sub": client_id,
            "aud": TOKEN_ENDPOINT,
            "jti": secrets.token_urlsafe(16),
            "iat": now,
            "exp": now + 60,
        }
        body.update(claims)
        body = {k: v for k, v in body.items() if v is not None}
        return jwt.encode(body, self.private, algorithm=self.alg, headers={"kid": self.kid})


def assertion_form(assertion: str) -> dict[str, str]:
    return {"client_assertion_type": ASSERTION_TYPE, "client_assertion": assertion}
