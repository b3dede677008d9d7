"""Accounts: creation, lookup by identifier, passwords and habilitations."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select

from idp.extensions import db, find_one
from idp.models import Habilitation, User
from idp.models.user import ACTIVE
from idp.services import audit, sessions
from idp.services.hashing import new_secret
from idp.services.passwords import PasswordHashing


class AccountError(ValueError):
    """A request about an account that cannot be carried out; the message says why."""


def normalise_identifier(raw: str) -> str:
    """Identifiers compare case-insensitively and ignore surrounding blanks."""
    return unicodedata.normalize("NFKC", raw).strip().lower()


def normalise_email(raw: str, *, allow_reserved: bool = False) -> str:
    # Imported on first use: its modules and regexes cost every worker ~0.3 MiB, and only
    # registration, contacts, organisations and imports read an e-mail address.
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(
            raw, check_deliverability=False, test_environment=allow_reserved
        ).normalized
    except EmailNotValidError as exc:
        raise AccountError(f"invalid e-mail address: {exc}") from None


@dataclass(frozen=True)
class NewAccount:
    identifier: str
    email: str | None = None
    phone: str | None = None
    given_name: str | None = None
    family_name: str | None = None


def find_by_identifier(identifier: str) -> User | None:
    return find_one(User, identifier=normalise_identifier(identifier))


def find_for_sign_in(typed: str, accepts: str) -> User | None:
    """The one account `typed` names under `[login] identifier` (`accepts`), or None.

    An e-mail address compares without regard to case. Whatever names two accounts (an
    address they share, or one account's identifier that is another's address) names none:
    refusing is the only answer that never signs in the wrong person, and it reads exactly
    as an unknown identifier does.
    """
    found: dict[int, User] = {}
    if accepts in ("identifier", "either"):
        by_identifier = find_by_identifier(typed)
        if by_identifier is not None:
            found[by_identifier.id] = by_identifier
    if accepts in ("email", "either"):
        address = normalise_identifier(typed)
        if address:
            query = select(User).where(func.lower(User.email) == address).limit(2)
            found.update((user.id, user) for user in db.session.scalars(query))
    return next(iter(found.values())) if len(found) == 1 else None


def get(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def create(
    account: NewAccount,
    *,
    now: int,
    hashing: PasswordHashing,
    password: str | None = None,
    temporary: bool = False,
) -> User:
    """Create an account, with a password or none yet (an invitation sets it later)."""
    identifier = normalise_identifier(account.identifier)
    if not identifier or len(identifier) > 128:
        raise AccountError("the identifier must have 1 to 128 characters")
    if find_by_identifier(identifier) is not None:
        raise AccountError(f"an account with identifier {identifier!r} already exists")
    user = User(
        subject=new_secret(16),
        identifier=identifier,
        email=account.email,
        phone=account.phone,
        given_name=account.given_name,
        family_name=account.family_name,
        status=ACTIVE,
        created_at=now,
        updated_at=now,
    )
    if password is not None:
        set_password(user, password, now=now, hashing=hashing, temporary=temporary)
    db.session.add(user)
    db.session.flush()
    return user


def set_password(
    user: User, password: str, *, now: int, hashing: PasswordHashing, temporary: bool = False
) -> None:
    user.password_hash = hashing.hash(password)
    user.password_changed_at = now
    user.password_temporary = temporary
    user.updated_at = now


def mark_contacts_verified(user: User, *, now: int) -> None:
    """An agent checked the contact details: the first sign-in does not ask to confirm them."""
    user.email_verified = bool(user.email)
    user.phone_verified = bool(user.phone)
    user.contacts_confirmed_at = now


def grant(user: User, client_id: str, *, now: int, by: str) -> bool:
    """Habilitate `user` for `client_id`; False when it already was."""
    existing = db.session.scalar(
        select(Habilitation).where(
            Habilitation.user_id == user.id, Habilitation.client_id == client_id
        )
    )
    if existing is not None:
        return False
    db.session.add(Habilitation(user_id=user.id, client_id=client_id, granted_at=now))
    audit.record(
        "habilitation_granted", "success", at=now, user_id=user.id, client_id=client_id, by=by
    )
    return True


def disable(user: User, *, now: int, by: str) -> None:
    """Disable an account: its sessions end and its tokens stop working at once."""
    user.status = "disabled"
    user.updated_at = now
    sessions.end_access(user.id, now=now)
    audit.record("account_disabled", "success", at=now, user_id=user.id, by=by)


def enable(user: User, *, now: int, by: str) -> None:
    user.status = ACTIVE
    user.updated_at = now
    audit.record("account_enabled", "success", at=now, user_id=user.id, by=by)


def state(user: User, *, locked_until: int | None, now: int, password_expired: bool = False) -> str:
    """One of: disabled, locked, never_connected, password_expired, active (in that order of
    precedence). `password_expired`: `required_actions.password_expired`, which asks the
    configuration."""
    if not user.is_active:
        return "disabled"
    if locked_until is not None and now < locked_until:
        return "locked"
    if user.last_login_at is None:
        return "never_connected"
    if password_expired:
        return "password_expired"
    return "active"
