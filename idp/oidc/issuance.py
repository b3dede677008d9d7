"""What the token endpoint issues for each grant, in one place.

Authlib's grants (idp.oidc.grants) and the token endpoint's fast path (idp.oidc.fast_token)
both call these, so a token is generated, signed and stored the same way whichever answered.
"""

from __future__ import annotations

from typing import Any

from authlib.oidc.core.grants.util import is_openid_scope
from sqlalchemy import Row

from idp import metrics
from idp.models import Token
from idp.oidc import service_tokens, tokens
from idp.oidc.claims import USER_SCOPES, Subject, id_token_claims
from idp.oidc.id_token import Authentication, issue_id_token
from idp.oidc.tokens import Executor
from idp.runtime import runtime


def generate_token(
    grant_type: str,
    client: Any,
    user: Any = None,
    scope: str | None = None,
    expires_in: int | None = None,
    include_refresh_token: bool = True,
) -> dict[str, Any]:
    """Token generator for every grant: lifetimes from config, refresh tokens by policy."""
    ttl = runtime().settings.tokens
    allowed = client.get_allowed_scope(scope)
    if grant_type == "refresh_token":
        lifetime = ttl.access_token_ttl_seconds
        with_refresh = True
    else:
        lifetime = ttl.access_token_ttl_seconds
        with_refresh = tokens.wants_refresh_token(client, allowed, include_refresh_token)
    return tokens.generate(allowed, expires_in or lifetime, with_refresh).response()


def id_token_for(
    client: Any,
    user: Subject,
    authentication: Authentication,
    access_token: str,
    nonce: str | None,
    *,
    user_id: int,
    scope: str,
    upstream: str | None,
) -> str:
    """The ID token of a token response: `scope` (the token's) decides the scope claims;
    `upstream`: the provider the session was signed in through, if any (federated_accounts)."""
    rt = runtime()
    return issue_id_token(
        keys=rt.keys,
        issuer=rt.settings.issuer,
        client=client,
        user=user,
        authentication=authentication,
        now=rt.now(),
        ttl_seconds=rt.settings.tokens.id_token_ttl_seconds,
        hash_key=rt.hash_key,
        nonce=nonce,
        access_token=access_token,
        # `idp`: the upstream provider of a federated sign-in (which is not a scope's claim).
        scope_claims={
            **id_token_claims(user_id, scope, client, rt.hash_key),
            **({"idp": upstream} if upstream else {}),
        },
    )


def client_credentials_token(client: Any, scope: str | None) -> dict[str, Any]:
    """The answer to a client_credentials request: a self-contained token, nothing stored."""
    rt = runtime()
    allowed = client.get_allowed_scope(scope)
    service_scope = " ".join(s for s in allowed.split() if s not in USER_SCOPES)
    ttl = rt.settings.tokens.client_credentials_ttl_seconds
    access_token = service_tokens.issue(
        rt.keys,
        issuer=rt.settings.issuer,
        client_id=client.client_id,
        scope=service_scope,
        now=rt.now(),
        ttl_seconds=ttl,
    )
    metrics.token_issued("client_credentials")
    return {
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": ttl,
        "scope": service_scope,
    }


def rotate_refresh_token(
    conn: Executor,
    client: Any,
    old: Token | Row[Any],
    user: Subject,
    scope: str | None,
    *,
    upstream: str | None,
) -> dict[str, Any] | None:
    """Issue the tokens that replace `old` (a token of `user`, whose session was signed in
    through `upstream`) and consume it; None, with nothing written, when another request
    consumed it first.

    The ID token is signed before the writes, so that the database's write lock (SQLite has
    one for the whole file) is held for the rotation's statements, not through a signature.
    """
    token = generate_token(
        "refresh_token", client, scope=scope or old.granted_scope, include_refresh_token=True
    )
    authentication = tokens.authentication_of(old)
    if old.user_id is None:  # a refresh token is always a person's
        raise ValueError("a refresh token without its user")
    if is_openid_scope(token.get("scope")):
        token["id_token"] = id_token_for(
            client,
            user,
            authentication,
            token["access_token"],
            None,
            user_id=old.user_id,
            scope=token["scope"],
            upstream=upstream,
        )
    rotated = tokens.rotate(
        conn,
        old.id,
        token,
        now=runtime().now(),
        client_id=client.client_id,
        user_id=old.user_id,
        grant_id=old.grant_id,
        granted_scope=old.granted_scope,
        refresh_expires_at=old.refresh_expires_at,
        authentication=authentication,
    )
    if not rotated:
        return None
    metrics.token_issued("refresh_token")
    return token
