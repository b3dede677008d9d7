"""Protocol state: codes, tokens, consents and sign-ins in progress.

Codes and tokens are stored as SHA-256 hashes of their values: they are 256-bit random
strings, so a plain hash suffices and a database leak yields nothing usable.
"""

from __future__ import annotations

from typing import Any

from authlib.oauth2.rfc6749 import AuthorizationCodeMixin, TokenMixin
from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from idp.extensions import Model


class AuthorizationCode(Model, AuthorizationCodeMixin):
    __tablename__ = "authorization_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    redirect_uri: Mapped[str] = mapped_column(String(2048))
    scope: Mapped[str] = mapped_column(String(512))
    nonce: Mapped[str | None] = mapped_column(String(512))
    code_challenge: Mapped[str | None] = mapped_column(String(128))
    code_challenge_method: Mapped[str | None] = mapped_column(String(8))
    auth_time: Mapped[int] = mapped_column(Integer)
    acr: Mapped[str | None] = mapped_column(String(64))
    amr: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Indexed: a session's end looks up the clients it served (back-channel logout).
    sid: Mapped[str | None] = mapped_column(String(64), index=True)
    # Every token issued from this code (and its refreshes) shares this grant id.
    grant_id: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[int] = mapped_column(Integer, index=True)
    used_at: Mapped[int | None] = mapped_column(Integer)

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> str | None:
        return self.acr

    def get_amr(self) -> list[str]:
        return list(self.amr or [])


class Token(Model, TokenMixin):
    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    access_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    refresh_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    client_id: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    # Scope of the access token (a refresh may narrow it) ...
    scope: Mapped[str] = mapped_column(String(512))
    # ... and of the grant, which the refresh token keeps (RFC 6749 §6).
    granted_scope: Mapped[str] = mapped_column(String(512))
    grant_id: Mapped[str] = mapped_column(String(64), index=True)
    issued_at: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[int] = mapped_column(Integer, index=True)
    refresh_expires_at: Mapped[int | None] = mapped_column(Integer)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when the refresh token was exchanged: presenting it again is a reuse.
    refresh_used_at: Mapped[int | None] = mapped_column(Integer)
    auth_time: Mapped[int | None] = mapped_column(Integer)
    acr: Mapped[str | None] = mapped_column(String(64))
    amr: Mapped[list[str] | None] = mapped_column(JSON)
    # Indexed: a session's end looks up the clients it served (back-channel logout).
    sid: Mapped[str | None] = mapped_column(String(64), index=True)

    def check_client(self, client: Any) -> bool:
        return self.client_id == client.get_client_id()

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_at - self.issued_at

    def is_revoked(self) -> bool:
        return self.revoked

    # Expiry depends on the app clock: the validators check it, not this mixin method.
    def is_expired(self) -> bool:
        return False


class Consent(Model):
    """Scopes a user has agreed to give a client; asked again only for new scopes."""

    __tablename__ = "consents"
    __table_args__ = (UniqueConstraint("user_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(512))
    granted_at: Mapped[int] = mapped_column(Integer)


class PendingAuthorization(Model):
    """An authorization request waiting for the user (sign-in, consent, required actions)."""

    __tablename__ = "pending_authorizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random reference carried in the hosted pages' URLs.
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict[str, str]] = mapped_column(JSON)
    # Hash of a random value kept in this browser's cookie: only that browser may resume.
    browser_binding: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[int] = mapped_column(Integer, index=True)
    # The session that signed in for this very request (satisfies prompt=login, max_age).
    authenticated_sid: Mapped[str | None] = mapped_column(String(64))
    # The session that gave consent for this very request (satisfies prompt=consent).
    consented_sid: Mapped[str | None] = mapped_column(String(64))


class UsedAssertion(Model):
    """`jti` of private_key_jwt assertions already seen, kept until they expire."""

    __tablename__ = "used_assertions"
    __table_args__ = (UniqueConstraint("client_id", "jti"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64))
    jti: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[int] = mapped_column(Integer, index=True)


class RevokedServiceToken(Model):
    """`jti` of revoked service tokens (self-contained JWTs), kept until they expire."""

    __tablename__ = "revoked_service_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    jti: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[int] = mapped_column(Integer, index=True)
