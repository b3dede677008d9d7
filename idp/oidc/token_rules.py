"""The token endpoint's rulebook: whether a client_credentials or refresh request is granted.

One check function per grant, pure (the parsed request, the client, the rows and the clock
in; an outcome or a refusal out), so that every place that answers these grants applies the
same rules in the same order: the Authlib grants (idp.oidc.grants) raise the refusal's
OAuth error, and the fast path (idp.oidc.fast_token) hands the request on to them upon any
refusal, so that the error response and a misuse's consequence come from the grants alone.
A rule added here holds for both.

Client authentication itself (the registered method, the secret) is the client's own check
(`RegisteredClient.check_endpoint_auth_method`, `check_client_secret`); the methods each grant
accepts are listed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from authlib.oauth2.rfc6749 import (
    InvalidGrantError,
    InvalidRequestError,
    InvalidScopeError,
    OAuth2Error,
    UnauthorizedClientError,
    scope_to_list,
)

from idp.models.user import ACTIVE
from idp.oidc.client_auth import ALL_METHODS, CONFIDENTIAL_METHODS
from idp.oidc.tokens import refresh_token_active
from idp.services.clients import SUPPORTED_SCOPES

# A service authenticates itself; a public client has no credentials to present.
CLIENT_CREDENTIALS_AUTH_METHODS = CONFIDENTIAL_METHODS
REFRESH_AUTH_METHODS = ALL_METHODS
NOT_HABILITATED = "The account may no longer use this application."


@dataclass(frozen=True)
class Refusal:
    """Why a request is refused: the OAuth error and its description. `reused`: the refresh
    token was already exchanged, so a copy of it leaked (the grants then end its grant)."""

    error: type[OAuth2Error]
    description: str | None = None
    reused: bool = False

    def exception(self) -> OAuth2Error:
        return self.error(self.description)


@dataclass(frozen=True)
class Granted:
    """An accepted request: the scope to issue the tokens for."""

    scope: str | None


def _grant_type_refused(client: Any, grant_type: str) -> Refusal | None:
    if client.check_grant_type(grant_type):
        return None
    return Refusal(
        UnauthorizedClientError, f"The client is not authorized to use 'grant_type={grant_type}'"
    )


def _unsupported(scope: str | None) -> bool:
    return bool(scope) and not set(scope_to_list(scope)).issubset(SUPPORTED_SCOPES)


def check_client_credentials(client: Any, scope: str | None) -> Granted | Refusal:
    """A service's token request, once the client is authenticated."""
    refused = _grant_type_refused(client, "client_credentials")
    if refused is not None:
        return refused
    if _unsupported(scope):
        return Refusal(InvalidScopeError)
    return Granted(scope or None)


def check_refresh(
    client: Any,
    token: Any,
    *,
    presented: bool,
    user_status: str | None,
    habilitated: bool,
    scope: str | None,
    now: int,
) -> Granted | Refusal:
    """A refresh, once the client is authenticated. `presented`: whether the request has a
    refresh_token; `token`: its row (None: unknown); `user_status`: its user's status (None:
    no such user); `habilitated`: whether that user may use this client
    (idp.services.subscriptions); `scope`: the requested one (None: the granted one again).

    The order is Authlib's: the grant type, the token (a used one first, whoever presents
    it: a thief's attempt ends the grant too), then the scope, then the account. The
    habilitation is the code exchange's rule, held at every refresh too: a client that starts
    requiring one leaves no token refreshing for an account without it.
    """
    refused = _grant_type_refused(client, "refresh_token")
    if refused is not None:
        return refused
    if not presented:
        return Refusal(InvalidRequestError, "Missing 'refresh_token' in request.")
    if token is None:
        return Refusal(InvalidGrantError)
    if not refresh_token_active(token, now):
        reused = token.refresh_used_at is not None and not token.revoked
        return Refusal(InvalidGrantError, reused=reused)
    if token.client_id != client.client_id:
        return Refusal(InvalidGrantError)
    if scope and not set(scope_to_list(scope)).issubset(scope_to_list(token.granted_scope) or []):
        return Refusal(InvalidScopeError)
    if user_status != ACTIVE:
        return Refusal(InvalidGrantError, "The account is no longer active.")
    if not habilitated:
        return Refusal(InvalidGrantError, NOT_HABILITATED)
    return Granted(scope or token.granted_scope)
