""" "S'inscrire": people create their own account, once they have proven their e-mail address.

Nothing a page says depends on whether the address or the identifier is already in use until
the code e-mailed to the address has been typed back: an address already in use gets a
message saying someone tried to register with it (and how to recover the account) instead of
a code, and a taken identifier is reported only on the password page, to a person who has
just proven an address. Pending registrations live in the database and expire.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select

from idp.extensions import db, rowcount
from idp.models import PendingRegistration, User
from idp.services import audit, credentials, organisations, users
from idp.services.codes import Check, CheckResult, draw, spend_try
from idp.services.contacts import email_code_rules
from idp.services.hashing import hashes_equal, keyed_hash, new_secret
from idp.services.recovery import Delivery

if TYPE_CHECKING:
    from idp.runtime import Runtime

# Letters, digits and . _ - after normalisation (lower case): 3 to 64 characters.
CHOSEN_IDENTIFIER = re.compile(r"[a-z0-9][a-z0-9._-]{2,63}")
GIVEN_IDENTIFIER_DIGITS = 10
# New accounts are private persons unless an agent says otherwise.
DEFAULT_CATEGORY = "particulier"


class Spent(Exception):
    """The registration was used meanwhile (another submission created its account)."""


@dataclass(frozen=True)
class Created:
    """The outcome of the password page: the account, or what to correct (catalogue keys)."""

    user: User | None
    # Field name -> catalogue key ("email", "identifier").
    problems: dict[str, str]
    password_problems: list[str]
    delivery: Delivery | None = None


def clean_email(raw: str, *, allow_reserved: bool) -> str | None:
    """The address normalised, or None when it is not an address (says nothing of its use)."""
    try:
        return users.normalise_email(raw.strip()[:254], allow_reserved=allow_reserved)
    except users.AccountError:
        return None


def email_owner(email: str) -> User | None:
    """The account that already uses this address, whatever its case."""
    return db.session.scalar(select(User).where(func.lower(User.email) == email.lower()).limit(1))


def _code_hash(hash_key: str, ref: str, code: str) -> str:
    return keyed_hash(hash_key, "code:registration", f"{ref}:{code}")


def start(
    email: str, identifier: str | None, *, binding: str, locale: str, rt: Runtime
) -> tuple[PendingRegistration, Delivery]:
    """Begin a registration for `email`; returns it and what to send (a code, or, for an
    address already in use, a warning with the way to recover: never both, never neither)."""
    now = rt.now()
    db.session.execute(delete(PendingRegistration).where(PendingRegistration.expires_at <= now))
    rules = email_code_rules(rt.settings.contacts)
    ref = new_secret(24)
    owner = email_owner(email)
    code = draw(rules.digits)
    pending = PendingRegistration(
        ref=ref,
        browser_binding=binding,
        email=email,
        identifier=users.normalise_identifier(identifier)[:128] if identifier else None,
        # A taken address gets no code: the one stored is never sent, so no try can match.
        code_hash=_code_hash(rt.hash_key, ref, new_secret() if owner else code),
        code_expires_at=now + rules.ttl_seconds,
        attempts=0,
        created_at=now,
        expires_at=now + rt.settings.registration.pending_minutes * 60,
    )
    db.session.add(pending)
    audit.record(
        "registration_started",
        "address_in_use" if owner else "new_address",
        at=now,
        user_id=owner.id if owner else None,
    )
    locale = (owner.locale if owner else None) or locale
    minutes = rt.settings.contacts.email_code_minutes
    if owner is not None:
        return pending, _send(email, "registration_address_in_use", locale)
    return pending, _send(email, "email_code", locale, code=code, minutes=minutes)


def _send(to: str, template: str, locale: str, **context: object) -> Delivery:
    def deliver(rt: Runtime) -> None:
        issuer = rt.settings.issuer
        rt.deliveries.enqueue(
            "email",
            to,
            template,
            locale=locale,
            sign_in_url=f"{issuer}/login",
            recovery_url=f"{issuer}/recovery/password",
            **context,
        )

    return deliver


def load(ref: str | None, *, binding: str, now: int) -> PendingRegistration | None:
    """This browser's unexpired registration `ref`."""
    if not ref or len(ref) > 64:
        return None
    pending = db.session.scalar(select(PendingRegistration).where(PendingRegistration.ref == ref))
    if (
        pending is None
        or pending.expires_at <= now
        or not hashes_equal(pending.browser_binding, binding)
    ):
        return None
    return pending


def check_code(pending: PendingRegistration, code: str, *, rt: Runtime) -> CheckResult:
    """Spend one try on `code` (the rules of [contacts]); the right one proves the address."""
    now = rt.now()
    if pending.used_at is not None:
        return CheckResult(Check.NONE)
    if now >= pending.code_expires_at:
        return CheckResult(Check.EXPIRED)
    candidate = _code_hash(rt.hash_key, pending.ref, "".join(str(code).split()))
    result = spend_try(pending, candidate, email_code_rules(rt.settings.contacts), now=now)
    audit.record("registration_code", result.outcome.value, at=now)
    return result


def identifier_format_problem(identifier: str) -> str | None:
    """Why a chosen identifier is not well formed (a catalogue key), or None: this says
    nothing about accounts, so the first step may tell it."""
    if not identifier:
        return "login.required"
    if not CHOSEN_IDENTIFIER.fullmatch(users.normalise_identifier(identifier)):
        return "registration.identifier_invalid"
    return None


def identifier_problem(identifier: str) -> str | None:
    """Why a chosen identifier cannot be used, in use included: only once the address is
    proven."""
    if problem := identifier_format_problem(identifier):
        return problem
    if users.find_by_identifier(identifier) is not None:
        return "registration.identifier_taken"
    if organisations.reserved_for_a_secondary(identifier):
        return "registration.identifier_reserved"
    return None


def _given_identifier() -> str:
    """A free identifier of random digits."""
    while True:
        candidate = "".join(secrets.choice("0123456789") for _ in range(GIVEN_IDENTIFIER_DIGITS))
        if users.find_by_identifier(candidate) is None:
            return candidate


def create_account(
    pending: PendingRegistration,
    chosen: str | None,
    password: str,
    confirmation: str,
    *,
    ip: str | None,
    locale: str,
    rt: Runtime,
) -> Created:
    """Create the account of a proven address; the registration is then spent."""
    now = rt.now()
    if pending.used_at is None:
        raise ValueError("the address of this registration is not proven")
    if email_owner(pending.email) is not None:  # registered meanwhile, in another browser
        return Created(None, {"email": "registration.address_in_use"}, [])
    given = rt.settings.registration.identifier == "given"
    identifier = _given_identifier() if given else users.normalise_identifier(chosen or "")
    problems: dict[str, str] = {}
    if not given and (problem := identifier_problem(identifier)):
        problems["identifier"] = problem
    candidate = User(identifier=identifier, email=pending.email)
    password_problems = credentials.check_new_password(
        candidate, password, confirmation, hashing=rt.passwords, settings=rt.settings.password
    )
    if problems or password_problems:
        return Created(None, problems, password_problems)
    email = pending.email
    # Spent in one statement: two submissions at once create one account.
    spent = db.session.execute(
        delete(PendingRegistration).where(
            PendingRegistration.id == pending.id, PendingRegistration.used_at.is_not(None)
        )
    )
    if rowcount(spent) != 1:
        raise Spent
    user = users.create(
        users.NewAccount(identifier=identifier, email=email),
        now=now,
        hashing=rt.passwords,
        password=password,
    )
    user.email_verified = True
    user.contacts_confirmed_at = now
    user.category = DEFAULT_CATEGORY
    user.locale = locale
    kind = "given" if given else "chosen"
    audit.record("registered", "success", at=now, user_id=user.id, ip=ip, identifier_kind=kind)
    delivery = _send(email, "registration_done", locale, identifier=identifier)
    return Created(user, {}, [], delivery if given else None)
