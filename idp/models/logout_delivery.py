"""Back-channel logout deliveries: the durable outbox of logout tokens to relying applications."""

from __future__ import annotations

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from idp.extensions import Model


class LogoutDelivery(Model):
    """One client to tell that one session ended.

    The token itself is not kept: it lives two minutes and a retry may come an hour later,
    so each attempt signs a new one from what is here. `next_attempt_at` is None once the
    delivery is done (delivered, or given up).
    """

    __tablename__ = "logout_deliveries"
    __table_args__ = (UniqueConstraint("client_id", "sid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64))
    sid: Mapped[str] = mapped_column(String(64))
    # The account's public subject: the token's `sub` is computed from it for this client
    # (pairwise clients see their own).
    user_subject: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[int] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[int | None] = mapped_column(Integer, index=True)
    delivered_at: Mapped[int | None] = mapped_column(Integer)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(255))
