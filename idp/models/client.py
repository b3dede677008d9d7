"""Registered relying applications."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from idp.extensions import Model


class Client(Model):
    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    # Keyed hash of the secret (HMAC-SHA256); the secret itself is shown once and never kept.
    secret_hash: Mapped[str | None] = mapped_column(String(128))
    token_endpoint_auth_method: Mapped[str] = mapped_column(String(32))
    redirect_uris: Mapped[list[str]] = mapped_column(JSON, default=list)
    post_logout_redirect_uris: Mapped[list[str]] = mapped_column(JSON, default=list)
    grant_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    scope: Mapped[str] = mapped_column(String(512))
    first_party: Mapped[bool] = mapped_column(Boolean, default=False)
    requires_habilitation: Mapped[bool] = mapped_column(Boolean, default=False)
    # Refresh tokens without the offline_access scope (trusted clients only).
    refresh_without_offline_access: Mapped[bool] = mapped_column(Boolean, default=False)
    subject_type: Mapped[str] = mapped_column(String(16), default="public")
    sector_identifier: Mapped[str | None] = mapped_column(String(255))
    id_token_signed_response_alg: Mapped[str] = mapped_column(String(16), default="RS256")
    # Public keys for private_key_jwt client authentication.
    jwks: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # OpenID Connect Back-Channel Logout 1.0: where logout tokens are POSTed (None: not told).
    backchannel_logout_uri: Mapped[str | None] = mapped_column(String(512))
    backchannel_logout_session_required: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[int] = mapped_column(Integer)
    # Refused everywhere while set (the console's "Désactiver"); its grants end when set.
    disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class RegistryGeneration(Model):
    """A counter bumped on every client change, so each worker knows when its cache is stale."""

    __tablename__ = "registry_generations"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=0)
