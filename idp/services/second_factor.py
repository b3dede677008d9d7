"""The console's second factor: TOTP (RFC 6238) and single-use recovery codes.

The TOTP secret must be read back to check a code, so it is sealed (AES-GCM under a key
derived from the deployment's hash key) rather than hashed: a copy of the database alone
yields no code. Recovery codes are only ever compared, so only their keyed hashes are kept.

Wrong codes count on a lockout of their own (keyed by the account's identifier, with the
sign-in's limits): a right password, which clears the sign-in's count, does not clear it, so
a stolen password does not buy unlimited guesses at six digits.
"""

from __future__ import annotations

import enum
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

import pyotp
from sqlalchemy import delete, func, select, update

from idp.extensions import db
from idp.models import StaffMember, StaffRecoveryCode, User
from idp.services import audit, sealing
from idp.services.hashing import keyed_hash
from idp.services.lockout import Lockout

STEP_SECONDS = 30
DIGITS = 6
# A code of the step before or after is accepted too (clocks drift by a few seconds).
DRIFT_STEPS = 1
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
_RECOVERY_PURPOSE = "staff-recovery-code"


class Outcome(enum.Enum):
    ACCEPTED = "success"
    INVALID = "invalid_code"
    LOCKED = "locked"


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    locked_until: int | None = None
    # A recovery code stood in for the app: the page says how many are left.
    recovery_code_used: bool = False


# The TOTP seed's sealing (idp.services.sealing): these values open the seeds already stored.
_SEAL = {"info": b"idp staff totp seal", "aad": b"totp"}


def _seal(secret: str, hash_key: str) -> str:
    return sealing.seal(secret, hash_key, **_SEAL)


def _unseal(sealed: str, hash_key: str) -> str:
    return sealing.unseal(sealed, hash_key, **_SEAL)


def begin_enrolment(member: StaffMember, *, hash_key: str) -> str:
    """A new secret for the authenticator app, returned once to be shown once. Until a code
    confirms it, the member has no second factor and the console asks again."""
    secret = pyotp.random_base32(32)
    member.totp_sealed = _seal(secret, hash_key)
    member.totp_confirmed_at = None
    member.totp_last_step = None
    return secret


def enrol_known_secret(member: StaffMember, secret: str, *, now: int, hash_key: str) -> None:
    """Enrol a secret chosen elsewhere (the demo's published one; tests), confirmed at once."""
    member.totp_sealed = _seal(secret, hash_key)
    member.totp_confirmed_at = now
    member.totp_last_step = None


def pending_secret(member: StaffMember, *, hash_key: str) -> str | None:
    """The secret being enrolled, to show again after a mistyped first code (never once
    the enrolment is confirmed)."""
    if member.totp_confirmed_at is not None or member.totp_sealed is None:
        return None
    return _unseal(member.totp_sealed, hash_key)


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """The otpauth:// URI the QR code carries (Key Uri Format of Google Authenticator)."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=account, issuer_name=issuer
    )


def _matching_step(member: StaffMember, code: str, *, now: int, hash_key: str) -> int | None:
    """The time step `code` is valid for, if any later than the last one used."""
    if member.totp_sealed is None or not (code.isdigit() and len(code) == DIGITS):
        return None
    totp = pyotp.TOTP(_unseal(member.totp_sealed, hash_key), digits=DIGITS, interval=STEP_SECONDS)
    current = now // STEP_SECONDS
    last = member.totp_last_step if member.totp_last_step is not None else -1
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if step > last and hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _use_totp(member: StaffMember, code: str, *, now: int, hash_key: str) -> bool:
    step = _matching_step(member, code, now=now, hash_key=hash_key)
    if step is None:
        return False
    # Conditional on the last step still being older: two requests racing with one code
    # cannot both pass.
    used = db.session.execute(
        update(StaffMember)
        .where(
            StaffMember.id == member.id,
            (StaffMember.totp_last_step.is_(None)) | (StaffMember.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .returning(StaffMember.id)
        .execution_options(synchronize_session="fetch")
    ).first()
    return used is not None


def _normalised_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _use_recovery_code(member: StaffMember, code: str, *, now: int, hash_key: str) -> bool:
    digest = keyed_hash(hash_key, _RECOVERY_PURPOSE, _normalised_recovery_code(code))
    used = db.session.execute(
        update(StaffRecoveryCode)
        .where(
            StaffRecoveryCode.staff_id == member.id,
            StaffRecoveryCode.code_hash == digest,
            StaffRecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
        .returning(StaffRecoveryCode.id)
        .execution_options(synchronize_session="fetch")
    ).first()
    return used is not None


def new_recovery_codes(member: StaffMember, *, now: int, hash_key: str) -> list[str]:
    """Replace the member's recovery codes; the new ones are returned once, to be shown once."""
    db.session.execute(
        delete(StaffRecoveryCode)
        .where(StaffRecoveryCode.staff_id == member.id)
        .execution_options(synchronize_session=False)
    )
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(
            StaffRecoveryCode(
                staff_id=member.id,
                code_hash=keyed_hash(hash_key, _RECOVERY_PURPOSE, raw),
            )
        )
    return codes


def recovery_codes_left(member: StaffMember) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(StaffRecoveryCode)
            .where(StaffRecoveryCode.staff_id == member.id, StaffRecoveryCode.used_at.is_(None))
        )
        or 0
    )


def confirm_enrolment(
    member: StaffMember,
    user: User,
    code: str,
    *,
    now: int,
    hash_key: str,
    lockout: Lockout,
    ip: str | None = None,
) -> Result:
    """The first code from the app proves it holds the secret: the factor is then on."""
    result = _attempt(
        member, user, code, now=now, hash_key=hash_key, lockout=lockout, ip=ip, enrol=True
    )
    if result.outcome is Outcome.ACCEPTED:
        member.totp_confirmed_at = now
    return result


def verify(
    member: StaffMember,
    user: User,
    code: str,
    *,
    now: int,
    hash_key: str,
    lockout: Lockout,
    ip: str | None = None,
) -> Result:
    """A code from the app, or one of the recovery codes (each works once)."""
    return _attempt(
        member, user, code, now=now, hash_key=hash_key, lockout=lockout, ip=ip, enrol=False
    )


def _attempt(
    member: StaffMember,
    user: User,
    code: str,
    *,
    now: int,
    hash_key: str,
    lockout: Lockout,
    ip: str | None,
    enrol: bool,
) -> Result:
    typed = code.strip().replace(" ", "")[:64]
    reservation = lockout.reserve(user.identifier, now=now)
    if reservation.refusal is not None:
        _audit(user, Outcome.LOCKED, now=now, ip=ip, enrol=enrol)
        return Result(Outcome.LOCKED, reservation.refusal.locked_until)
    recovery = False
    accepted = _use_totp(member, typed, now=now, hash_key=hash_key)
    if not accepted and not enrol and member.totp_confirmed_at is not None:
        recovery = accepted = _use_recovery_code(member, typed, now=now, hash_key=hash_key)
    if not accepted:
        status = lockout.fail(reservation, now=now)
        outcome = Outcome.LOCKED if status.locked(now) else Outcome.INVALID
        _audit(user, outcome, now=now, ip=ip, enrol=enrol)
        return Result(outcome, status.locked_until if status.locked(now) else None)
    if not lockout.succeed(reservation, now=now):
        status = lockout.status(user.identifier, now=now)
        return Result(Outcome.LOCKED, status.locked_until)
    _audit(user, Outcome.ACCEPTED, now=now, ip=ip, enrol=enrol, recovery_code=recovery)
    return Result(Outcome.ACCEPTED, recovery_code_used=recovery)


def _audit(
    user: User, outcome: Outcome, *, now: int, ip: str | None, enrol: bool, **detail: Any
) -> None:
    event = "staff_totp_enrolment" if enrol else "staff_second_factor"
    audit.record(event, outcome.value, at=now, user_id=user.id, ip=ip, **detail)
