"""A recovery in progress: the steps one browser walks for one identifier typed."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from idp.extensions import Model


class RecoveryAttempt(Model):
    __tablename__ = "recovery_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    browser_binding: Mapped[str] = mapped_column(String(64))
    # None when the identifier matches no account: the same pages, nothing ever sent.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Keyed hash of the identifier typed: the resend wait holds across attempts, known or not.
    identifier_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # The path chosen when the attempt began (see services.recovery.Path).
    path: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str | None] = mapped_column(String(8))
    # Tries of the step that takes answers: what the code page shows, known account or not.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # When the code this attempt waits for was sent (or would have been: unknown identifiers
    # wait as long), in this attempt or, within the resend wait, in another for the identifier.
    last_sent_at: Mapped[int | None] = mapped_column(Integer)
    # Set once the user may choose a new password (the postal code was right).
    verified_at: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[int] = mapped_column(Integer, index=True)
    finished_at: Mapped[int | None] = mapped_column(Integer)
