"""Data the organisation holds about a person: social-security number (NIR) and IBAN.

Both are kept only as keyed hashes (HMAC with the server's hash key): the NIR to find an
account from "n° de Sécurité Sociale, date de naissance, code postal", the IBAN's last six
characters to confirm it when no e-mail is known ("Obtenir son identifiant").
"""

from __future__ import annotations

from sqlalchemy import select

from idp.extensions import db
from idp.models import User
from idp.services.hashing import hashes_equal, keyed_hash

IBAN_TAIL = 6
# The pivot identity's `gender` as a NIR's first digit, and its `birthcountry` for France.
NIR_SEX = {"male": "1", "female": "2"}
FRANCE = "99100"


class InvalidNumber(ValueError):
    """Not a valid NIR or IBAN (check digits included)."""


def normalise_nir(raw: str) -> str:
    # python-stdnum here and below (~1 MiB a worker): only recovery, imports and federation
    # read these numbers.
    from stdnum.exceptions import ValidationError
    from stdnum.fr import nir as nir_numbers

    try:
        return nir_numbers.validate(raw)
    except ValidationError:
        raise InvalidNumber("nir") from None


def normalise_iban(raw: str) -> str:
    from stdnum import iban as iban_numbers
    from stdnum.exceptions import ValidationError

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


def nir_agrees(
    user: User, *, gender: str, birthdate: str, birthplace: str, birthcountry: str, hash_key: str
) -> bool:
    """Whether the account's NIR, where the organisation holds one, is a person's of this sex,
    born in this month and place: a pivot identity carries no NIR, but a NIR's first ten
    characters are these (born abroad: 99 and the country), so the 999 birth orders are tried
    against its hash. True when no NIR is held; False when the identity cannot say."""
    if not user.nir_hash:
        return True
    place = birthplace if birthcountry in (FRANCE, "") else f"99{birthcountry[-3:]}"
    sex = NIR_SEX.get(gender)
    if sex is None or len(birthdate) != 10 or len(place) != 5:
        return False
    from stdnum.fr import nir as nir_numbers

    prefix = f"{sex}{birthdate[2:4]}{birthdate[5:7]}{place.upper()}"
    for order in range(1, 1000):
        number = f"{prefix}{order:03d}"
        try:
            number += nir_numbers.calc_check_digits(number)
        except ValueError:
            return False  # not a NIR's place (letters other than Corsica's 2A and 2B)
        if hashes_equal(keyed_hash(hash_key, "nir", number), user.nir_hash):
            return True
    return False


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
