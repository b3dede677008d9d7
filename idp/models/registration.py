"""A self-registration in progress ("S'inscrire"): one browser, one address to prove."""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from idp.extensions import Model


class PendingRegistration(Model):
    __tablename__ = "pending_registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    browser_binding: Mapped[str] = mapped_column(String(64))
    # The address typed; an account gets it only once the code sent there is typed back.
    email: Mapped[str] = mapped_column(String(254))
    # The identifier typed ([registration] identifier = "chosen"); checked only at the end.
    identifier: Mapped[str | None] = mapped_column(String(128))
    # Keyed hash of the code e-mailed; for an address already in use, of a code never sent.
    code_hash: Mapped[str] = mapped_column(String(64))
    code_expires_at: Mapped[int] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # When the right code was typed: the address is proven, the password page opens.
    used_at: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[int] = mapped_column(Integer, index=True)
