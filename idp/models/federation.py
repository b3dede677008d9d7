"""Links from an upstream provider's subject to a local account (federated sign-in)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from idp.extensions import db


class FederatedIdentity(db.Model):
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
