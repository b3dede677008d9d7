"""Grants and their extensions, stricter than Authlib's defaults.

- PKCE accepts S256 only, is required from public clients, and is verified whenever sent.
- An authorization code is consumed atomically; presenting it again revokes its tokens.
- Refresh tokens rotate; presenting a used one revokes the whole family.
"""

from __future__ import annotations

from typing import Any, ClassVar

from authlib.oauth2.rfc6749 import (
    InvalidGrantError,
    InvalidRequestError,
    grants,
)
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.grants.util import is_openid_scope
from sqlalchemy import bindparam, update

from idp.extensions import db, find_one, rowcount
from idp.models import AuthorizationCode, Token, User
from idp.oidc import token_rules, tokens
from idp.oidc.client_auth import ALL_METHODS
from idp.oidc.id_token import Authentication
from idp.oidc.issuance import (
    client_credentials_token,
    id_token_for,
    rotate_refresh_token,
)
from idp.runtime import runtime
from idp.services import audit, federated_accounts, subscriptions
from idp.services.hashing import new_secret, token_hash

# Length of the `nonce` column of authorization codes.
NONCE_MAX_LENGTH = 512

# `authenticate_user`'s, built once (building a statement costs more than running it); no
# loaded row needs it mirrored.
_CONSUME_CODE = (
    update(AuthorizationCode)
    .where(AuthorizationCode.id == bindparam("code_id"), AuthorizationCode.used_at.is_(None))
    .values(used_at=bindparam("now"))
    .execution_options(synchronize_session=False)
)


class SignedInUser:
    """The user granting an authorization request, with how they signed in."""

    def __init__(self, user: User, authentication: Authentication) -> None:
        self.user = user
        self.authentication = authentication

    def __bool__(self) -> bool:
        return True


def _end_grant_after_misuse(row: AuthorizationCode | Token, event: str) -> None:
    """Revoke every token of the grant and record why, even though the request fails."""
    db.session.rollback()
    revoked = tokens.revoke_family(row.grant_id)
    audit.record(
        event,
        "refused",
        at=runtime().now(),
        user_id=row.user_id,
        client_id=row.client_id,
        revoked_tokens=revoked,
    )
    db.session.commit()


def _active_user(user_id: int | None) -> User:
    """The user a grant was made for, if their account can still be used."""
    user = db.session.get(User, user_id) if user_id is not None else None
    if user is None or not user.is_active:
        raise InvalidGrantError("The account is no longer active.")
    return user


def habilitated(user_id: int, client: Any) -> bool:
    """Whether the account may use the client (the authorization endpoint's rule)."""
    return not subscriptions.refused(
        user_id, client.client_id, requires_habilitation=client.requires_habilitation
    )


class StrictPKCE(CodeChallenge):
    """RFC 7636 with S256 only (RFC 9700 §2.1.1)."""

    DEFAULT_CODE_CHALLENGE_METHOD = "S256"
    SUPPORTED_CODE_CHALLENGE_METHOD: ClassVar[list[str]] = ["S256"]
    CODE_CHALLENGE_METHODS: ClassVar[dict[str, Any]] = {
        "S256": CodeChallenge.CODE_CHALLENGE_METHODS["S256"]
    }

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        challenge = data.get("code_challenge")
        if challenge and data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("'code_challenge_method' must be S256.")
        if not challenge and grant.request.client.is_public:
            raise InvalidRequestError("Public clients must use PKCE (code_challenge, S256).")
        super().validate_code_challenge(grant, redirect_uri)

    def validate_code_verifier(self, grant: Any, result: Any) -> None:
        code = grant.request.authorization_code
        if grant.request.client.is_public and not code.code_challenge:
            raise InvalidGrantError("The code was issued without PKCE.")
        super().validate_code_verifier(grant, result)


class OpenIDCodeExtension(OpenIDCode):
    """Adds the ID token to the code exchange."""

    def exists_nonce(self, nonce: str, request: Any) -> bool:
        # Nonce replay is the relying party's check (OIDC Core §3.1.3.7); codes are single use.
        return False

    def process_token(self, grant: Any, response: Any) -> Any:
        _, token, _ = response
        if not is_openid_scope(token.get("scope")):
            return token
        request = grant.request
        code: AuthorizationCode = request.authorization_code
        authentication = Authentication(code.auth_time, code.acr, tuple(code.amr or ()), code.sid)
        token["id_token"] = id_token_for(
            request.client,
            request.user,
            authentication,
            token["access_token"],
            code.nonce,
            user_id=request.user.id,
            scope=token["scope"],
            upstream=federated_accounts.upstream_provider(code.sid),
        )
        return token


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ALL_METHODS

    def validate_authorization_request(self) -> str:
        """Authlib's checks, and a nonce that fits its column."""
        redirect_uri = super().validate_authorization_request()
        nonce = self.request.payload.data.get("nonce")
        if nonce is not None and len(nonce) > NONCE_MAX_LENGTH:
            raise InvalidRequestError("Invalid 'nonce'.", redirect_uri=redirect_uri)
        return redirect_uri

    @staticmethod
    def validate_authorization_redirect_uri(request: Any, client: Any) -> str:
        """Authlib's check, without quoting the URI: its error text must be printable ASCII."""
        redirect_uri = request.payload.redirect_uri
        if redirect_uri and not client.check_redirect_uri(redirect_uri):
            raise InvalidRequestError("The 'redirect_uri' is not registered for this client.")
        return grants.AuthorizationCodeGrant.validate_authorization_redirect_uri(request, client)

    def generate_authorization_code(self) -> str:
        return new_secret(32)

    def save_authorization_code(self, code: str, request: Any) -> None:
        rt = runtime()
        now = rt.now()
        data = request.payload.data
        signed_in: SignedInUser = request.user
        authentication = signed_in.authentication
        challenge = data.get("code_challenge")
        db.session.add(
            AuthorizationCode(
                code_hash=token_hash(code),
                client_id=request.client.client_id,
                user_id=signed_in.user.id,
                redirect_uri=request.payload.redirect_uri,
                scope=request.scope,
                nonce=data.get("nonce"),
                code_challenge=challenge,
                code_challenge_method="S256" if challenge else None,
                auth_time=authentication.auth_time,
                acr=authentication.acr,
                amr=list(authentication.amr),
                sid=authentication.sid,
                grant_id=tokens.new_grant_id(),
                created_at=now,
                expires_at=now + rt.settings.tokens.authorization_code_ttl_seconds,
            )
        )

    def query_authorization_code(self, code: str, client: Any) -> AuthorizationCode | None:
        row = find_one(AuthorizationCode, code_hash=token_hash(code))
        if row is None or row.client_id != client.client_id:
            return None
        if row.used_at is not None:
            self._replayed(row)
            return None
        if runtime().now() >= row.expires_at:
            return None
        return row

    def _replayed(self, row: AuthorizationCode) -> None:
        """RFC 6749 §4.1.2: a code used twice revokes the tokens issued from it."""
        _end_grant_after_misuse(row, "code_replayed")

    def authenticate_user(self, authorization_code: AuthorizationCode) -> User:
        """Consume the code (once, even under concurrent requests), then load its user."""
        consumed = db.session.execute(
            _CONSUME_CODE, {"code_id": authorization_code.id, "now": runtime().now()}
        )
        if rowcount(consumed) != 1:
            self._replayed(authorization_code)
            raise InvalidGrantError("Invalid 'code' in request.")
        user = _active_user(authorization_code.user_id)
        client = self.request.client
        # Again at the exchange: a right withdrawn after the code was issued (the withdrawal
        # deletes unexchanged codes, but one issued at that very moment escapes it).
        if not habilitated(user.id, client):
            raise InvalidGrantError(token_rules.NOT_HABILITATED)
        return user

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        """Used codes are kept (marked) until they expire, to recognise a replay."""


class RefreshTokenGrant(grants.RefreshTokenGrant):
    """Refresh, rotating: the rules are token_rules.check_refresh (the fast path's too)."""

    TOKEN_ENDPOINT_AUTH_METHODS = token_rules.REFRESH_AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = True

    def validate_token_request(self) -> None:
        client = self.authenticate_token_endpoint_client()
        self.request.client = client
        value = self.request.form.get("refresh_token")
        row = tokens.by_refresh_token(value) if value is not None else None
        user = db.session.get(User, row.user_id) if row and row.user_id is not None else None
        outcome = token_rules.check_refresh(
            client,
            row,
            presented=value is not None,
            user_status=user.status if user else None,
            habilitated=user is not None and habilitated(user.id, client),
            scope=self.request.payload.scope,
            now=runtime().now(),
        )
        if isinstance(outcome, token_rules.Refusal):
            if outcome.reused and row is not None:
                self._reused(row)
            raise outcome.exception()
        self.request.refresh_token = row
        self.request.user = user
        self.request.granted = outcome

    def _reused(self, row: Token) -> None:
        """A refresh token presented twice means one copy leaked: end the whole grant."""
        _end_grant_after_misuse(row, "refresh_token_reused")

    def create_token_response(self) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        old: Token = self.request.refresh_token
        token = rotate_refresh_token(
            db.session,
            self.request.client,
            old,
            self.request.user,
            self.request.granted.scope,
            upstream=federated_accounts.upstream_provider(old.sid),
        )
        if token is None:
            self._reused(old)
            raise InvalidGrantError()
        return 200, token, self.TOKEN_RESPONSE_HEADER


class ClientCredentialsGrant(grants.ClientCredentialsGrant):
    """A service's token: the rules are token_rules.check_client_credentials (the fast
    path's too)."""

    TOKEN_ENDPOINT_AUTH_METHODS = token_rules.CLIENT_CREDENTIALS_AUTH_METHODS

    def validate_token_request(self) -> None:
        client = self.authenticate_token_endpoint_client()
        self.request.client = client
        outcome = token_rules.check_client_credentials(client, self.request.payload.scope)
        if isinstance(outcome, token_rules.Refusal):
            raise outcome.exception()
        self.request.granted = outcome

    def create_token_response(self) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        token = client_credentials_token(self.request.client, self.request.granted.scope)
        return 200, token, self.TOKEN_RESPONSE_HEADER
