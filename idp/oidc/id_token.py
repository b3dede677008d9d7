"""ID tokens: built in one place for the code exchange and the refresh."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from joserfc import jwt

from idp.oidc.claims import Subject, subject_for
from idp.oidc.keys import KeyStore
from idp.services.clients import RegisteredClient


@dataclass(frozen=True)
class Authentication:
    """How and when the user signed in: carried from the session to codes and tokens."""

    auth_time: int
    acr: str | None
    amr: tuple[str, ...]
    sid: str | None


def half_hash(value: str) -> str:
    """`at_hash`: left half of the SHA-256 digest (RS256 and ES256 both use SHA-256)."""
    digest = hashlib.sha256(value.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode()


def issue_id_token(
    *,
    keys: KeyStore,
    issuer: str,
    client: RegisteredClient,
    user: Subject,
    authentication: Authentication,
    now: int,
    ttl_seconds: int,
    hash_key: str,
    nonce: str | None = None,
    access_token: str | None = None,
    scope_claims: Mapping[str, Any] | None = None,
) -> str:
    """Sign an ID token; `scope_claims` (claims.id_token_claims) never replace the protocol's."""
    alg = client.id_token_signed_response_alg
    signing = keys.signing_key(alg)
    claims: dict[str, object] = {
        **(scope_claims or {}),
        "iss": issuer,
        "sub": subject_for(client, user, hash_key),
        "aud": client.client_id,
        "exp": now + ttl_seconds,
        "iat": now,
        "auth_time": authentication.auth_time,
    }
    if nonce:
        claims["nonce"] = nonce
    if authentication.acr:
        claims["acr"] = authentication.acr
    if authentication.amr:
        claims["amr"] = list(authentication.amr)
    if authentication.sid:
        claims["sid"] = authentication.sid
    if access_token:
        claims["at_hash"] = half_hash(access_token)
    header = {"alg": alg, "kid": signing.kid, "typ": "JWT"}
    return jwt.encode(header, claims, signing.key, algorithms=[alg])
