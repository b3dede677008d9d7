"""Dynamic Client Registration (RFC 7591, 7592): initial access tokens, and the registration
access token of each client registered that way. Only keyed hashes of tokens are kept."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from idp.extensions import Model


class InitialAccessToken(Model):
    """Lets its holder register clients: `uses_left` times, until `expires_at`."""

    __tablename__ = "initial_access_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    uses_left: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(128))
    revoked_at: Mapped[int | None] = mapped_column(Integer)


class ClientRegistration(Model):
    """A client registered through the protocol, and the hash of the token that manages it.

    A table of its own rather than columns on `clients`: only these clients can be read,
    changed or deleted with a registration access token (never one an operator registered),
    and removing the client by any way (CLI, console) removes its token with it (cascade).
    """

    __tablename__ = "client_registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("clients.client_id", ondelete="CASCADE"), unique=True
    )
    access_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Which initial access token registered it (for the audit trail).
    initial_token_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[int] = mapped_column(Integer)
