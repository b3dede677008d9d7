"""State of the defences of the sign-in: failure counters and captcha challenges."""

from __future__ import annotations

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from idp.extensions import Model


class SignInThrottle(Model):
    """Failures and locks per identifier typed, whether or not an account has it.

    Keyed by a keyed hash of the normalised identifier, so that an unknown identifier is
    counted, locked and answered exactly like a known one.
    """

    __tablename__ = "sign_in_throttles"

    id: Mapped[int] = mapped_column(primary_key=True)
    identifier_hash: Mapped[str] = mapped_column(String(64), unique=True)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[int | None] = mapped_column(Integer)
    # Locks so far since the last success: with growth "double" each lasts twice as long.
    lock_count: Mapped[int] = mapped_column(Integer, default=0)
    # Failures in the current 24-hour window (CNIL daily maximum).
    window_start: Mapped[int] = mapped_column(Integer, default=0)
    window_failures: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[int] = mapped_column(Integer)


class CaptchaChallenge(Model):
    """A challenge shown to one browser; its answer is kept only as a keyed hash."""

    __tablename__ = "captcha_challenges"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    browser_binding: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    answer_hash: Mapped[str] = mapped_column(String(64))
    # The arithmetic question ("7 + 5"), shown as text.
    question: Mapped[str | None] = mapped_column(String(32))
    # Rendered once at creation, since the answer itself is not kept.
    image: Mapped[bytes | None] = mapped_column(LargeBinary)
    audio: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[int] = mapped_column(Integer, index=True)
    used_at: Mapped[int | None] = mapped_column(Integer)
