"""Federated sign-in: links from an upstream subject to a local account, and the sessions
an upstream sign-in started."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from idp.extensions import Model


class FederatedIdentity(Model):
    __tablename__ = "federated_identities"
    # One upstream identity opens one account; an account may hold several.
    __table_args__ = (UniqueConstraint("provider", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The provider's `name` in `[[federation.providers]]`.
    provider: Mapped[str] = mapped_column(String(32))
    # The upstream `sub` (FranceConnect's is pairwise: one per relying party).
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[int] = mapped_column(Integer)
    last_used_at: Mapped[int | None] = mapped_column(Integer)


class FederatedSession(Model):
    """A browser session started by an upstream sign-in: the provider's name (the `idp` claim
    of our ID tokens) and its ID token, the `id_token_hint` that ends the upstream session."""

    __tablename__ = "federated_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    sid: Mapped[str] = mapped_column(
        ForeignKey("browser_sessions.sid", ondelete="CASCADE"), unique=True
    )
    provider: Mapped[str] = mapped_column(String(32))
    id_token: Mapped[str] = mapped_column(Text)
