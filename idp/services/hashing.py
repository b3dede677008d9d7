"""Random secrets and their hashes (constant-time comparisons only)."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_secret(nbytes: int = 32) -> str:
    """A URL-safe random string of `nbytes` of entropy (256 bits by default)."""
    return secrets.token_urlsafe(nbytes)


def token_hash(value: str) -> str:
    """Hash of a high-entropy token for storage and lookup."""
    return hashlib.sha256(value.encode()).hexdigest()


def keyed_hash(key: str, purpose: str, value: str) -> str:
    """HMAC-SHA256 of `value`, separated by `purpose` so one hash never stands for another."""
    message = purpose.encode() + b"\x00" + value.encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def hashes_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
