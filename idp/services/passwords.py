"""Password hashing with argon2id; verification costs the same for unknown accounts."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from idp.config import PasswordSettings


class PasswordHashing:
    """argon2id with the configured cost; hashes made with older costs are flagged for upgrade.

    Also makes the temporary passwords, in the form the configured policy asks for.
    """

    def __init__(self, settings: PasswordSettings) -> None:
        self._policy = settings.policy
        self._hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
            type=Type.ID,
        )
        # Verified against when the account does not exist, so that both take the same time.
        self._dummy_hash = self._hasher.hash("dummy password for unknown accounts")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        """True when `password` matches; an absent hash still costs one verification."""
        try:
            return self._hasher.verify(password_hash or self._dummy_hash, password) and bool(
                password_hash
            )
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)

    def new_temporary(self) -> str:
        """A temporary password of the configured policy: six digits under "pin-6"."""
        if self._policy == "pin-6":
            return "".join(secrets.choice("0123456789") for _ in range(6))
        return generate_temporary()


# Unambiguous characters: a temporary password is read aloud or printed on a letter.
_LOWER = "abcdefghjkmnpqrstuvwxyz"
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_DIGITS = "23456789"
_SPECIAL = "!#%+-=?@"


def generate_temporary(length: int = 14) -> str:
    """A random password with every character class (satisfies every policy preset)."""
    pools = (_LOWER, _UPPER, _DIGITS, _SPECIAL)
    chars = [secrets.choice(pool) for pool in pools]
    everything = "".join(pools)
    chars += [secrets.choice(everything) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)
