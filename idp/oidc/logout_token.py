"""Logout tokens (OpenID Connect Back-Channel Logout 1.0 §2.4): signed like the client's ID
tokens, and unmistakable for one (`typ`, `events`, never a `nonce`)."""

from __future__ import annotations

from joserfc import jwt

from idp.oidc.claims import Subject, subject_for
from idp.oidc.keys import KeyStore
from idp.services.clients import RegisteredClient
from idp.services.hashing import new_secret

EVENT = "http://schemas.openid.net/event/backchannel-logout"
TYPE = "logout+jwt"
# Short: a logout token is used at once; a retry signs a new one.
TTL_SECONDS = 120


def issue_logout_token(
    *,
    keys: KeyStore,
    issuer: str,
    client: RegisteredClient,
    user: Subject,
    sid: str,
    now: int,
    hash_key: str,
) -> str:
    """Sign a logout token for `client`: the `sub` it sees and the session's `sid`."""
    alg = client.id_token_signed_response_alg
    signing = keys.signing_key(alg)
    claims: dict[str, object] = {
        "iss": issuer,
        "aud": client.client_id,
        "iat": now,
        "exp": now + TTL_SECONDS,
        "jti": new_secret(16),
        "sub": subject_for(client, user, hash_key),
        "sid": sid,
        "events": {EVENT: {}},
    }
    header = {"alg": alg, "kid": signing.kid, "typ": TYPE}
    return jwt.encode(header, claims, signing.key, algorithms=[alg])
