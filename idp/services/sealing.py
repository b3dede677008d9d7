"""Sealing: secrets the provider must read back (a TOTP seed, a message waiting to be sent) are
kept under AES-GCM, with a key derived from the deployment's hash key, so that a copy of the
database alone reveals none of them.

Each use names its purpose: the key is derived for it and the purpose is bound to the sealed
text, so a value sealed for one use cannot be opened as another's.
"""

from __future__ import annotations

import base64
import secrets

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE_BYTES = 12


def _aead(hash_key: str, info: bytes) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(hash_key.encode())
    return AESGCM(key)


def seal(secret: str, hash_key: str, *, info: bytes, aad: bytes) -> str:
    """`secret` encrypted and authenticated, as URL-safe text (a fresh nonce each time)."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = _aead(hash_key, info).encrypt(nonce, secret.encode(), aad)
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(sealed: str, hash_key: str, *, info: bytes, aad: bytes) -> str:
    """What `seal` sealed with the same key, info and aad; raises InvalidTag otherwise."""
    raw = base64.urlsafe_b64decode(sealed.encode())
    return _aead(hash_key, info).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad).decode()
