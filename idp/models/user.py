"""Accounts that sign in, and the applications they are granted (habilitations)."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from idp.extensions import Model

# The status of a usable account (the other one: "disabled" by an administrator).
ACTIVE = "active"


class User(Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Public subject identifier: random, stable, never the login identifier.
    subject: Mapped[str] = mapped_column(String(64), unique=True)
    # Login identifier, normalised (NFKC, lower case, trimmed).
    identifier: Mapped[str] = mapped_column(String(128), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    email_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    # Mobile phone, E.164 (the `phone_number` claim).
    phone: Mapped[str | None] = mapped_column(String(32))
    phone_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    landline: Mapped[str | None] = mapped_column(String(32))
    fax: Mapped[str | None] = mapped_column(String(32))
    # Set when the user confirmed their contact details (first connection).
    contacts_confirmed_at: Mapped[int | None] = mapped_column(Integer)
    # Secret question, and a keyed hash of the answer (case- and accent-insensitive).
    secret_question: Mapped[str | None] = mapped_column(String(64))
    secret_answer_hash: Mapped[str | None] = mapped_column(String(64))
    given_name: Mapped[str | None] = mapped_column(String(128))
    family_name: Mapped[str | None] = mapped_column(String(128))
    street_address: Mapped[str | None] = mapped_column(String(255))
    postal_code: Mapped[str | None] = mapped_column(String(16))
    locality: Mapped[str | None] = mapped_column(String(128))
    country: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(8))
    # What the organisation knows, for recovery ("particulier", "exploitant", "entreprise").
    category: Mapped[str | None] = mapped_column(String(16))
    birth_date: Mapped[str | None] = mapped_column(String(10))  # YYYY-MM-DD
    # The rest of a pivot identity (an account created from FranceConnect's): "male"/"female",
    # the INSEE code of the birthplace (French-born) and of the birth country.
    gender: Mapped[str | None] = mapped_column(String(16))
    birthplace: Mapped[str | None] = mapped_column(String(5))
    birthcountry: Mapped[str | None] = mapped_column(String(5))
    # Keyed hashes only: the social-security number, the IBAN and its last 6 characters.
    nir_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    iban_hash: Mapped[str | None] = mapped_column(String(64))
    iban_tail_hash: Mapped[str | None] = mapped_column(String(64))
    # A fact to check when the user never connected (the Carte Vitale serial number, an
    # amount paid or received) and its keyed hash.
    verification_kind: Mapped[str | None] = mapped_column(String(32))
    verification_value_hash: Mapped[str | None] = mapped_column(String(64))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_changed_at: Mapped[int | None] = mapped_column(Integer)
    # A temporary password must be personalised at the next sign-in.
    password_temporary: Mapped[bool] = mapped_column(Boolean, default=False)
    # What a recovery sent (a temporary password by e-mail, SMS or letter), beside the current
    # password until it is used (then it becomes the password) or expires: starting someone
    # else's recovery changes nothing for them.
    pending_password_hash: Mapped[str | None] = mapped_column(String(255))
    pending_password_expires_at: Mapped[int | None] = mapped_column(Integer)
    # "active" or "disabled" (by an administrator).
    status: Mapped[str] = mapped_column(String(16), default=ACTIVE)
    created_at: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[int] = mapped_column(Integer)
    last_login_at: Mapped[int | None] = mapped_column(Integer)

    @property
    def name(self) -> str | None:
        parts = [p for p in (self.given_name, self.family_name) if p]
        return " ".join(parts) or None

    @property
    def is_active(self) -> bool:
        return self.status == ACTIVE


class Habilitation(Model):
    """A user's authorisation to sign in to a client that requires one."""

    __tablename__ = "habilitations"
    __table_args__ = (UniqueConstraint("user_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(
        ForeignKey("clients.client_id", ondelete="CASCADE"), index=True
    )
    granted_at: Mapped[int] = mapped_column(Integer)
