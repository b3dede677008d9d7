"""Staff: the accounts that may open the operators' console, their second factor and their
console sessions (apart from the sign-in sessions of the hosted pages)."""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from idp.extensions import Model


class StaffMember(Model):
    __tablename__ = "staff_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True, index=True
    )
    # Role names (idp.services.staff.ROLES); what each allows is decided there, never here.
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The TOTP secret, sealed (AES-GCM under a key derived from the deployment's hash key).
    totp_sealed: Mapped[str | None] = mapped_column(String(255))
    # Set once the holder proved the authenticator app holds the secret; until then the
    # console asks for enrolment after the password.
    totp_confirmed_at: Mapped[int | None] = mapped_column(Integer)
    # The last time step a code was accepted for: a code is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str | None] = mapped_column(String(160))


class StaffRecoveryCode(Model):
    """A single-use code that stands in for the authenticator app (stored as a keyed hash)."""

    __tablename__ = "staff_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff_members.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[int | None] = mapped_column(Integer)


class AdminSession(Model):
    """A console session. Its cookie holds a random secret; this row holds only the hash."""

    __tablename__ = "admin_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff_members.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[int] = mapped_column(Integer)
    last_seen_at: Mapped[int] = mapped_column(Integer)
    # When the password and the second factor were last given (sign-in or re-authentication);
    # None while the second factor is still awaited.
    verified_at: Mapped[int | None] = mapped_column(Integer)
    # Wrong second-factor codes typed in this session (it ends at the limit).
    factor_failures: Mapped[int] = mapped_column(Integer, default=0)
    ended_at: Mapped[int | None] = mapped_column(Integer)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(255))
