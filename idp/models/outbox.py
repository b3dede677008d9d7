"""The outbox of messages to account holders: e-mails, SMS and letters waiting to be sent."""

from __future__ import annotations

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from idp.extensions import Model


class OutboxMessage(Model):
    """One message, written in the transaction of the change it carries.

    `payload` is the sealed address and template values (a temporary password, a code may be
    among them); it is erased once the message is sent, the rest stays as its record.
    `recipient` is what an operator may see: the e-mail address, the number, the town.
    """

    __tablename__ = "outbox_messages"
    # The worker's question: which pending messages are due, oldest first.
    __table_args__ = (Index("ix_outbox_messages_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))
    recipient: Mapped[str] = mapped_column(String(255))
    template: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(8))
    payload: Mapped[str | None] = mapped_column(Text)
    # "pending", "sent" or "failed" (after the last attempt).
    state: Mapped[str] = mapped_column(String(8), default="pending")
    created_at: Mapped[int] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[int | None] = mapped_column(Integer)
    sent_at: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(255))
