"""Password sign-in: the same work, message and time whether or not the account exists."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from idp.models import User
from idp.services import users
from idp.services.passwords import PasswordHashing

# Authentication context of a password sign-in, on the eIDAS scale FranceConnect uses.
PASSWORD_ACR = "eidas1"
PASSWORD_AMR = ["pwd"]


class Outcome(enum.Enum):
    SIGNED_IN = "signed_in"
    INVALID = "invalid"
    DISABLED = "disabled"


@dataclass(frozen=True)
class Attempt:
    outcome: Outcome
    user: User | None = None


def check_password(identifier: str, password: str, *, hashing: PasswordHashing) -> Attempt:
    """Verify a password; an unknown identifier costs one argon2 verification too."""
    user = users.find_by_identifier(identifier)
    matches = hashing.verify(user.password_hash if user else None, password)
    if user is None or not matches:
        return Attempt(Outcome.INVALID, user)
    # The account state is told only to someone who knows the password.
    if not user.is_active:
        return Attempt(Outcome.DISABLED, user)
    if user.password_hash and hashing.needs_rehash(user.password_hash):
        user.password_hash = hashing.hash(password)  # same password, today's cost
    return Attempt(Outcome.SIGNED_IN, user)
