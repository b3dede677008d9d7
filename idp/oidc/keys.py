"""Signing keys kept as JSON files in `[keys] dir`, one file per key.

A key is active until a rotation supersedes it; a superseded key stays in the JWKS for the
longest token lifetime, so tokens it signed remain verifiable, then it is retired (deleted).
Each worker caches the keys and reloads them when the folder changes; it looks at the folder
at most once a second (`RECHECK_SECONDS`), so another process's rotation (`idp keys rotate`)
reaches every worker within a second. Looking on every request cost more than the rest of a
JWKS answer: the `stat` system call releases the GIL, and taking it back under load costs
~16 us of a served answer (bench/README.md). Relying parties keep the JWKS for its max-age
(300 s) anyway, and fetch it again for a `kid` they do not know.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc.jwk import ECKey, KeySet, RSAKey

from idp.private_files import make_private_dir

ALGORITHMS = {"RS256": ("RSA", None), "ES256": ("EC", "P-256")}
RECHECK_SECONDS = 1.0


@dataclass(frozen=True)
class StoredKey:
    kid: str
    alg: str
    created_at: int
    superseded_at: int | None
    key: RSAKey | ECKey

    def public_jwk(self) -> dict[str, Any]:
        return {**self.key.as_dict(private=False), "kid": self.kid, "alg": self.alg, "use": "sig"}


@dataclass(frozen=True)
class _Snapshot:
    mtime_ns: int
    keys: tuple[StoredKey, ...]
    checked_at: float  # monotonic


class KeyStore:
    """Loads, generates, rotates and retires the provider's signing keys."""

    def __init__(
        self,
        directory: Path,
        *,
        grace_seconds: int,
        rsa_bits: int = 2048,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.directory = directory
        self.grace_seconds = grace_seconds
        self.rsa_bits = rsa_bits
        self._monotonic = monotonic
        self._snapshot: _Snapshot | None = None
        self._lock = threading.Lock()

    # -- reading -------------------------------------------------------------------------

    def _load(self) -> tuple[StoredKey, ...]:
        snapshot = self._snapshot
        now = self._monotonic()
        if snapshot is not None and now - snapshot.checked_at < RECHECK_SECONDS:
            return snapshot.keys
        try:
            mtime = self.directory.stat().st_mtime_ns
        except FileNotFoundError:
            return ()
        if snapshot is not None and snapshot.mtime_ns == mtime:
            self._snapshot = _Snapshot(mtime, snapshot.keys, now)
            return snapshot.keys
        with self._lock:
            keys = tuple(
                sorted(
                    (self._read(path) for path in self.directory.glob("*.json")),
                    key=lambda k: (k.created_at, k.kid),
                )
            )
            self._snapshot = _Snapshot(mtime, keys, now)
        return keys

    @staticmethod
    def _read(path: Path) -> StoredKey:
        data = json.loads(path.read_text())
        kty = data["jwk"]["kty"]
        key_cls = RSAKey if kty == "RSA" else ECKey
        return StoredKey(
            kid=data["kid"],
            alg=data["alg"],
            created_at=data["created_at"],
            superseded_at=data.get("superseded_at"),
            key=key_cls.import_key(data["jwk"]),
        )

    def all(self) -> tuple[StoredKey, ...]:
        return self._load()

    def published(self, now: int) -> list[StoredKey]:
        """Keys in the JWKS: active ones and superseded ones still within their grace."""
        return [
            k
            for k in self._load()
            if k.superseded_at is None or k.superseded_at + self.grace_seconds > now
        ]

    def signing_key(self, alg: str) -> StoredKey:
        """The newest active key of `alg`: tokens are signed with it alone."""
        for key in reversed(self._load()):
            if key.alg == alg and key.superseded_at is None:
                return key
        raise LookupError(f"no active {alg} signing key in {self.directory}: run `idp init`")

    def jwks(self, now: int) -> dict[str, Any]:
        return {"keys": [k.public_jwk() for k in self.published(now)]}

    def verification_keyset(self, now: int) -> KeySet:
        return KeySet([k.key for k in self.published(now)])

    def next_change(self, now: int) -> int | None:
        """When the published set changes by itself (a superseded key reaches retirement)."""
        ends = [
            k.superseded_at + self.grace_seconds
            for k in self._load()
            if k.superseded_at is not None and k.superseded_at + self.grace_seconds > now
        ]
        return min(ends) if ends else None

    # -- writing -------------------------------------------------------------------------

    def _generate(self, alg: str, now: int) -> StoredKey:
        kty, crv = ALGORITHMS[alg]
        key: RSAKey | ECKey
        if kty == "RSA":
            key = RSAKey.generate_key(self.rsa_bits, private=True)
        else:
            key = ECKey.generate_key(crv, private=True)
        stored = StoredKey(key.thumbprint(), alg, now, None, key)
        self._write(stored)
        return stored

    def _write(self, stored: StoredKey) -> None:
        make_private_dir(self.directory)
        payload = {
            "kid": stored.kid,
            "alg": stored.alg,
            "created_at": stored.created_at,
            "superseded_at": stored.superseded_at,
            "jwk": stored.key.as_dict(private=True),
        }
        target = self.directory / f"{stored.kid}.json"
        tmp = self.directory / f".{stored.kid}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(payload, fh)
        os.replace(tmp, target)
        self._snapshot = None  # this process sees its own change at once

    def ensure(self, now: int) -> list[StoredKey]:
        """Create an active key for each algorithm that has none; returns the new keys."""
        active = {k.alg for k in self._load() if k.superseded_at is None}
        return [self._generate(alg, now) for alg in ALGORITHMS if alg not in active]

    def rotate(self, now: int) -> tuple[list[StoredKey], list[str]]:
        """Add new active keys, supersede the previous ones, retire those past their grace.

        Returns the new keys and the kids that were retired.
        """
        previous = self._load()
        created = [self._generate(alg, now) for alg in ALGORITHMS]
        for key in previous:
            if key.superseded_at is None:
                self._write(
                    StoredKey(key.kid, key.alg, key.created_at, now, key.key),
                )
        retired = self.retire(now)
        return created, retired

    def retire(self, now: int) -> list[str]:
        """Delete superseded keys whose grace is over."""
        retired = []
        for key in self._load():
            if key.superseded_at is not None and key.superseded_at + self.grace_seconds <= now:
                (self.directory / f"{key.kid}.json").unlink(missing_ok=True)
                self._snapshot = None
                retired.append(key.kid)
        return retired
