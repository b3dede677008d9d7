"""Data the organisation holds about a person: social-security number (NIR) and IBAN.

Both are kept only as keyed hashes (HMAC with the server's hash key): the NIR to find an
account from "n° de Sécurité Sociale, date de naissance, code postal", the IBAN's last six
characters to confirm it when no e-mail is known ("Obtenir son identifiant").
"""

from __future__ import annotations

from sqlalchemy import select
from stdnum import iban as iban_numbers
from stdnum.exceptions import ValidationError
from stdnum.fr import nir as nir_numbers

from idp.extensions import db
from idp.models import User
from idp.services.hashing import hashes_equal, keyed_hash

IBAN_TAIL = 6


class InvalidNumber(ValueError):
    """Not a valid NIR or IBAN (check digits included)."""


def normalise_nir(raw: str) -> str:
    try:
        return nir_numbers.validate(raw)
    except ValidationError:
        raise InvalidNumber("nir") from None


def normalise_iban(raw: str) -> str:
    try:
        return iban_numbers.validate(raw)
    except ValidationError:
        raise InvalidNumber("iban") from None


def nir_hash(nir: str, *, hash_key: str) -> str:
    return keyed_hash(hash_key, "nir", normalise_nir(nir))


def lookup_key(raw: str, *, hash_key: str) -> str:
    """The NIR typed as a keyed hash, the same however it is written (also when invalid):
    what rate limits and the audit count, never the number itself."""
    try:
        number = normalise_nir(raw)
    except InvalidNumber:
        number = "".join(raw.split()).upper()[:64]
    return keyed_hash(hash_key, "nir-lookup", number)


def set_nir(user: User, nir: str, *, hash_key: str) -> None:
    user.nir_hash = nir_hash(nir, hash_key=hash_key)


def set_iban(user: User, iban: str, *, hash_key: str) -> None:
    number = normalise_iban(iban)
    user.iban_hash = keyed_hash(hash_key, "iban", number)
    user.iban_tail_hash = keyed_hash(hash_key, "iban-tail", number[-IBAN_TAIL:])


def iban_tail_matches(user: User, tail: str, *, hash_key: str) -> bool:
    typed = "".join(tail.split()).upper()
    if len(typed) != IBAN_TAIL or not user.iban_tail_hash:
        return False
    return hashes_equal(keyed_hash(hash_key, "iban-tail", typed), user.iban_tail_hash)


def find_by_civil_data(
    nir: str, birth_date: str, postal_code: str, *, hash_key: str
) -> User | None:
    """The account with this NIR, birth date and postal code; raises InvalidNumber."""
    candidates = db.session.scalars(
        select(User).where(User.nir_hash == nir_hash(nir, hash_key=hash_key))
    ).all()
    code = postal_code.strip()
    for user in candidates:
        if user.birth_date == birth_date and (user.postal_code or "").strip() == code:
            return user
    return None
