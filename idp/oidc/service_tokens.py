"""Self-contained access tokens for services: client_credentials tokens as JWTs (RFC 9068).

A service's token carries its claims and the IdP's signature, so issuing one writes nothing
(a service may ask for one per call) and a resource server can check it offline against the
JWKS. The IdP still answers for it: introspection checks the signature, the expiry, that the
client is still registered and that the token was not revoked; revocation puts its `jti` on
a deny-list until it expires. Tokens for users stay opaque and stored: they are tied to a
grant that a replayed code or a reused refresh token must be able to end at once.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from idp.extensions import db
from idp.models import RevokedServiceToken
from idp.oidc.keys import KeyStore
from idp.services.hashing import new_secret

# ES256: a signature costs ~50 us (RS256 ~300) and resource servers widely support it.
ALG = "ES256"
TYP = "at+jwt"


def issue(
    keys: KeyStore, *, issuer: str, client_id: str, scope: str, now: int, ttl_seconds: int
) -> str:
    """A signed token for `client_id`; its audience is the issuer (no resource indicators)."""
    signing = keys.signing_key(ALG)
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": client_id,
        "aud": issuer,
        "client_id": client_id,
        "iat": now,
        "exp": now + ttl_seconds,
        "jti": new_secret(16),
    }
    if scope:
        claims["scope"] = scope
    return jwt.encode({"alg": ALG, "kid": signing.kid, "typ": TYP}, claims, signing.key, [ALG])


def looks_like_one(value: str) -> bool:
    """True when `value` is a JWT whose header says it is an access token (unverified)."""
    if value.count(".") != 2:
        return False
    segment = value.split(".", 1)[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (binascii.Error, ValueError):
        return False
    return isinstance(header, dict) and header.get("typ") == TYP


@dataclass(frozen=True)
class ServiceToken:
    """A verified service token, as introspection, revocation and UserInfo see it."""

    jti: str
    client_id: str
    scope: str
    issued_at: int
    expires_at: int
    audience: str

    def check_client(self, client: Any) -> bool:
        return self.client_id == client.get_client_id()

    def is_active(self, now: int) -> bool:
        return now < self.expires_at and not revoked(self.jti)

    # Authlib's bearer-token interface (the UserInfo endpoint refuses it for its scope).
    def get_scope(self) -> str:
        return self.scope

    def is_expired(self) -> bool:
        return False  # checked against the app's clock in is_active

    def is_revoked(self) -> bool:
        return False  # likewise

    @property
    def user_id(self) -> None:
        """A service token is for no user."""
        return None


def verify(keys: KeyStore, value: str, *, issuer: str, now: int) -> ServiceToken | None:
    """The token if this IdP signed it as a service token; expiry is the caller's check."""
    if not looks_like_one(value):
        return None
    try:
        token = jwt.decode(value, keys.verification_keyset(now), algorithms=[ALG])
    except (JoseError, ValueError):
        return None
    claims = token.claims
    if token.header.get("typ") != TYP or claims.get("iss") != issuer:
        return None
    try:
        return ServiceToken(
            jti=str(claims["jti"]),
            client_id=str(claims["client_id"]),
            scope=str(claims.get("scope", "")),
            issued_at=int(claims["iat"]),
            expires_at=int(claims["exp"]),
            audience=str(claims["aud"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


def revoked(jti: str) -> bool:
    return (
        db.session.scalar(select(RevokedServiceToken.id).where(RevokedServiceToken.jti == jti))
        is not None
    )


def revoke(token: ServiceToken, now: int) -> None:
    """Deny the token until it expires (and forget the entries that have expired)."""
    db.session.execute(delete(RevokedServiceToken).where(RevokedServiceToken.expires_at <= now))
    try:
        with db.session.begin_nested():
            db.session.add(RevokedServiceToken(jti=token.jti, expires_at=token.expires_at))
    except IntegrityError:
        pass  # revoked already
