"""One-time links: invitations (first connection) and password resets (recovery).

A link carries the account id and a fingerprint of its password state, signed with
itsdangerous under a salt of its own purpose. Setting the password changes the fingerprint,
so a link works once; its age is checked against the app clock.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from idp.clock import SystemClock
from idp.extensions import db
from idp.models import User
from idp.services.hashing import keyed_hash


class LinkState(enum.Enum):
    VALID = "valid"
    EXPIRED = "expired"
    USED = "used"
    INVALID = "invalid"


@dataclass(frozen=True)
class Resolved:
    state: LinkState
    user: User | None = None


def _signer_on(clock: SystemClock) -> type[TimestampSigner]:
    class ClockSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return clock.now()

    return ClockSigner


class OneTimeLinks:
    def __init__(
        self,
        purpose: str,
        secret_key: str,
        hash_key: str,
        clock: SystemClock,
        max_age_seconds: int,
    ) -> None:
        self._serializer = URLSafeTimedSerializer(
            secret_key, salt=f"idp.{purpose}", signer=_signer_on(clock)
        )
        self._purpose = purpose
        self._hash_key = hash_key
        self.max_age_seconds = max_age_seconds

    def _fingerprint(self, user: User) -> str:
        state = f"{user.id}:{user.password_hash or '-'}:{user.status}"
        return keyed_hash(self._hash_key, self._purpose, state)[:24]

    def link_token(self, user: User) -> str:
        return self._serializer.dumps({"u": user.id, "f": self._fingerprint(user)})

    def resolve(self, token: str) -> Resolved:
        try:
            data = self._serializer.loads(token, max_age=self.max_age_seconds)
        except SignatureExpired:
            return Resolved(LinkState.EXPIRED)
        except BadSignature:
            return Resolved(LinkState.INVALID)
        if not isinstance(data, dict) or not isinstance(data.get("u"), int):
            return Resolved(LinkState.INVALID)
        user = db.session.get(User, data["u"])
        if user is None:
            return Resolved(LinkState.INVALID)
        if data.get("f") != self._fingerprint(user):
            return Resolved(LinkState.USED, user)
        return Resolved(LinkState.VALID, user)
