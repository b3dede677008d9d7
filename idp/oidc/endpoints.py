"""Token introspection (RFC 7662), revocation (RFC 7009), UserInfo and RP-initiated logout."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from authlib.oauth2.rfc6749 import InvalidRequestError
from authlib.oauth2.rfc6750 import BearerTokenValidator, InvalidTokenError
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from authlib.oidc.core import UserInfo, UserInfoEndpoint
from authlib.oidc.rpinitiated import EndSessionEndpoint, EndSessionRequest
from joserfc.jwk import KeySet

from idp import browser
from idp.extensions import db
from idp.models import Token, User
from idp.oidc import service_tokens, tokens
from idp.oidc.claims import subject_for, user_claims
from idp.oidc.client_auth import ALL_METHODS, CONFIDENTIAL_METHODS
from idp.oidc.service_tokens import ServiceToken
from idp.runtime import runtime
from idp.services import sessions


@dataclass(frozen=True)
class FoundToken:
    """A stored token as presented: the row and which of its two values was given."""

    row: Token
    kind: str  # "access_token" or "refresh_token"

    def check_client(self, client: Any) -> bool:
        return self.row.client_id == client.get_client_id()

    def is_active(self, now: int) -> bool:
        if self.kind == "access_token":
            return tokens.access_token_active(self.row, now)
        return tokens.refresh_token_active(self.row, now)


def find_token(value: str, hint: str | None) -> FoundToken | ServiceToken | None:
    """A service token by its signature, or a stored token by value, trying the hinted type
    first (RFC 7009 §2.1)."""
    service = _service_token(value)
    if service is not None:
        return service
    order = ["access_token", "refresh_token"]
    if hint == "refresh_token":
        order.reverse()
    for kind in order:
        finder = tokens.by_access_token if kind == "access_token" else tokens.by_refresh_token
        row = finder(value)
        if row is not None:
            return FoundToken(row, kind)
    return None


def _service_token(value: str) -> ServiceToken | None:
    rt = runtime()
    return service_tokens.verify(rt.keys, value, issuer=rt.settings.issuer, now=rt.now())


def _service_token_payload(token: ServiceToken, now: int) -> dict[str, Any]:
    """Active while unexpired, unrevoked, and its client still the one that got it."""
    rt = runtime()
    client = rt.clients.lookup(token.client_id)
    if client is None or token.issued_at < client.created_at or not token.is_active(now):
        return {"active": False}
    return {
        "active": True,
        "iss": rt.settings.issuer,
        "client_id": token.client_id,
        "sub": token.client_id,
        "aud": token.audience,
        "scope": token.scope,
        "iat": token.issued_at,
        "exp": token.expires_at,
        "token_type": "Bearer",
    }


def require_token_param(request: Any) -> None:
    """`token` is required; the hint only orders the search, so an unknown one is ignored
    (RFC 7009 §2.1, RFC 7662 §2.1) instead of Authlib's 401 without a challenge."""
    if "token" not in request.form:
        raise InvalidRequestError("Missing 'token' in request.")


class Introspection(IntrospectionEndpoint):
    """A client may introspect the tokens issued to it; any other token reads as inactive."""

    CLIENT_AUTH_METHODS = CONFIDENTIAL_METHODS

    def check_params(self, request: Any, client: Any) -> None:
        require_token_param(request)

    def query_token(
        self, token_string: str, token_type_hint: str | None
    ) -> FoundToken | ServiceToken | None:
        return find_token(token_string, token_type_hint)

    def check_permission(self, token: FoundToken | ServiceToken, client: Any, request: Any) -> bool:
        return token.check_client(client)

    def create_introspection_payload(
        self, token: FoundToken | ServiceToken | None
    ) -> dict[str, Any]:
        rt = runtime()
        now = rt.now()
        if isinstance(token, ServiceToken):
            return _service_token_payload(token, now)
        if token is None or not token.is_active(now):
            return {"active": False}
        row = token.row
        payload: dict[str, Any] = {
            "active": True,
            "iss": rt.settings.issuer,
            "client_id": row.client_id,
            "aud": row.client_id,
            "scope": row.scope if token.kind == "access_token" else row.granted_scope,
            "iat": row.issued_at,
            "exp": row.expires_at if token.kind == "access_token" else row.refresh_expires_at,
            "token_type": "Bearer" if token.kind == "access_token" else "refresh_token",
        }
        if row.user_id is not None:
            user = db.session.get(User, row.user_id)
            client = rt.clients.lookup(row.client_id)
            if user is None or client is None or not user.is_active:
                return {"active": False}
            payload["sub"] = subject_for(client, user, rt.hash_key)
        if row.auth_time:
            payload["auth_time"] = row.auth_time
        return payload


class Revocation(RevocationEndpoint):
    """Revoking a refresh token ends its whole grant; an access token ends alone."""

    CLIENT_AUTH_METHODS = ALL_METHODS

    def check_params(self, request: Any, client: Any) -> None:
        require_token_param(request)

    def query_token(
        self, token_string: str, token_type_hint: str | None
    ) -> FoundToken | ServiceToken | None:
        return find_token(token_string, token_type_hint)

    def revoke_token(self, token: FoundToken | ServiceToken, request: Any) -> None:
        if isinstance(token, ServiceToken):
            service_tokens.revoke(token, runtime().now())
        elif token.kind == "refresh_token":
            tokens.revoke_family(token.row.grant_id)
        else:
            # The row holds the refresh token too: `revoked` would end it as well, so the
            # access token alone is ended by expiring it now.
            token.row.expires_at = min(token.row.expires_at, runtime().now())
        db.session.commit()


class AccessTokenValidator(BearerTokenValidator):
    """Bearer access tokens, checked against the app clock and the account state."""

    def authenticate_token(self, token_string: str) -> Token | ServiceToken | None:
        return _service_token(token_string) or tokens.by_access_token(token_string)

    def validate_token(self, token: Token | ServiceToken | None, scopes: Any, request: Any) -> None:
        now = runtime().now()
        if isinstance(token, ServiceToken):
            active = token.is_active(now)
        else:
            active = tokens.access_token_active(token, now)
        if not active:
            raise InvalidTokenError(realm=self.realm, extra_attributes=self.extra_attributes)
        super().validate_token(token, scopes, request)


class UserInfoResponder(UserInfoEndpoint):
    def __call__(self, request: Any) -> Any:
        token: Token = self.resource_protector.acquire_token("openid")
        rt = runtime()
        user = db.session.get(User, token.user_id) if token.user_id is not None else None
        client = rt.clients.lookup(token.client_id)
        if user is None or client is None or not user.is_active:
            raise InvalidTokenError()
        return (
            200,
            UserInfo(user_claims(client, user, token.scope, rt.hash_key)),
            [
                ("Content-Type", "application/json"),
                ("Cache-Control", "no-store"),
            ],
        )


class EndSession(EndSessionEndpoint):
    """RP-initiated logout 1.0: ends the session named by the ID token hint."""

    def get_server_jwks(self) -> KeySet:
        rt = runtime()
        return rt.keys.verification_keyset(rt.now())

    def get_algorithms(self) -> list[str]:
        return ["RS256", "ES256"]

    def is_post_logout_redirect_uri_legitimate(
        self, request: Any, post_logout_redirect_uri: str, client: Any, logout_hint: Any
    ) -> bool:
        # Without a hint the user confirms on our page first, and the URI is registered
        # exactly for the client named by client_id: that confirms the target (§3).
        return client is not None and request.payload.data.get("client_id") == client.client_id

    def validate_request(self, request: Any) -> EndSessionRequest:
        hint = request.payload.data.get("id_token_hint")
        if isinstance(hint, str) and service_tokens.looks_like_one(hint):
            raise InvalidRequestError("The hint is an access token, not an ID token.")
        validated = super().validate_request(request)
        claims = validated.id_token_claims
        if claims is not None and claims.get("iss") != runtime().settings.issuer:
            raise InvalidRequestError("The ID token hint was not issued here.")
        return validated

    def end_session(self, end_session_request: EndSessionRequest) -> None:
        """End the hinted session, and this browser's when it is the same user's.

        Without a hint the user has confirmed on our page, so this browser's session ends.
        """
        rt = runtime()
        now = rt.now()
        claims = end_session_request.id_token_claims
        current = browser.current()
        ends_current = current is not None
        if claims is not None:
            if claims.get("sid"):
                sessions.end(claims["sid"], now=now)
            ends_current = current is not None and (
                current.sid == claims.get("sid")
                or self._same_user(current.user_id, claims, end_session_request.client)
            )
        if ends_current and current is not None:
            sessions.end(current.sid, now=now)
            browser.forget()
        db.session.commit()

    @staticmethod
    def _same_user(user_id: int, claims: dict[str, Any], client: Any) -> bool:
        user = db.session.get(User, user_id)
        if user is None or client is None:
            return False
        return subject_for(client, user, runtime().hash_key) == claims.get("sub")
