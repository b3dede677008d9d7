"""Password rules: a policy preset, a blocklist, the history, and one strength verdict.

The verdict ("faible" / "moyen" / "fort") comes from zxcvbn, with the user's own identifier,
names and e-mail and a list of common French passwords counted against the password. The
page's gauge asks the server for it, so what the gauge shows is exactly what the server
enforces: "faible" is refused, "moyen" and "fort" are accepted.

Presets (`[password] policy`):
- "cnil-2022-case2" (default): at least 50 bits of entropy as CNIL délibération 2022-100
  computes it (length × log2 of the alphabet used), or 8 characters of 3 kinds — valid
  because the lockout and the captcha restrict attempts;
- "cnil-2022-case1": 80 bits: 12 characters of 4 kinds, 14 of 3, or a passphrase of 7 words;
- "msa": 8 characters with digits, upper case, lower case and special characters;
- "nist-800-63b": length only (15 recommended), no composition rule;
- "pin-6": exactly six digits (ASSU2000's "mot de passe à 6 chiffres"). Twenty bits, so the
  configuration accepts it only with a strict lockout (`idp.config.validate`); zxcvbn rates
  every six-digit string weak, so the verdict here refuses only the guessable ones (common
  codes, one repeated digit, runs such as 123456 or 987654).
"""

from __future__ import annotations

import enum
import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from itertools import pairwise

from idp.config import PasswordSettings

# zxcvbn's cost grows with length; beyond this many characters it sees only a prefix.
ZXCVBN_PREFIX = 72  # zxcvbn refuses longer input
# Alphabet sizes of CNIL's entropy computation.
CLASS_SIZES = {"digit": 10, "lower": 26, "upper": 26, "special": 33}
PRESET_MIN_LENGTH = {
    "cnil-2022-case2": 8,
    "cnil-2022-case1": 12,
    "msa": 8,
    "nist-800-63b": 15,
    "pin-6": 6,
}
PIN_LENGTH = 6


class Strength(enum.IntEnum):
    WEAK = 0
    MEDIUM = 1
    STRONG = 2

    @property
    def key(self) -> str:
        return f"password.strength.{self.name.lower()}"


@dataclass(frozen=True)
class Verdict:
    strength: Strength
    problems: list[str] = field(default_factory=list)

    @property
    def acceptable(self) -> bool:
        return not self.problems


def _fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("idp.services.data").joinpath("common_passwords_fr.txt").read_text()
    return frozenset(
        _fold(line.strip()) for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def _is_common(password: str) -> bool:
    folded = _fold(password)
    core = folded.rstrip("0123456789!?.*@#$%&+-_= ").lstrip("0123456789!?.*@#$%&+-_= ")
    return folded in common_passwords() or core in common_passwords()


def character_kinds(password: str) -> set[str]:
    kinds = set()
    for char in password:
        if char.isdigit():
            kinds.add("digit")
        elif char.islower():
            kinds.add("lower")
        elif char.isupper():
            kinds.add("upper")
        else:
            kinds.add("special")
    return kinds


def cnil_entropy_bits(password: str) -> float:
    """length × log2(size of the alphabet of the kinds used), CNIL's computation."""
    alphabet = sum(CLASS_SIZES[kind] for kind in character_kinds(password))
    return len(password) * math.log2(alphabet) if alphabet else 0.0


def _meets_preset(password: str, preset: str) -> bool:
    kinds = len(character_kinds(password))
    length = len(password)
    if preset == "cnil-2022-case2":
        return cnil_entropy_bits(password) >= 50 or (length >= 8 and kinds >= 3)
    if preset == "cnil-2022-case1":
        words = [w for w in password.split() if w]
        return (
            cnil_entropy_bits(password) >= 80
            or (length >= 12 and kinds == 4)
            or (length >= 14 and kinds >= 3)
            or len(words) >= 7
        )
    if preset == "msa":
        return length >= 8 and kinds == 4
    if preset == "pin-6":
        return is_pin(password)
    return True  # nist-800-63b: length only


def strength(password: str, user_inputs: Iterable[str] = ()) -> Strength:
    """zxcvbn's score, with the user's data and common French passwords as dictionaries."""
    from zxcvbn import zxcvbn  # 12 MB of dictionaries: loaded by the pages that need them

    if _is_common(password):
        return Strength.WEAK
    inputs = [value for value in user_inputs if value] + sorted(common_passwords())
    score = zxcvbn(password[:ZXCVBN_PREFIX], user_inputs=inputs)["score"]
    if score <= 1:
        return Strength.WEAK
    return Strength.MEDIUM if score == 2 else Strength.STRONG


def is_pin(password: str) -> bool:
    return len(password) == PIN_LENGTH and all(c in "0123456789" for c in password)


def _guessable_pin(pin: str) -> bool:
    """A common code, one digit repeated, or a run up or down (012345, 987654)."""
    steps = {(int(b) - int(a)) % 10 for a, b in pairwise(pin)}
    return _is_common(pin) or steps in ({0}, {1}, {9})


def minimum_length(settings: PasswordSettings) -> int:
    if settings.policy == "pin-6":
        return PIN_LENGTH
    return max(settings.min_length, PRESET_MIN_LENGTH[settings.policy])


def evaluate(
    password: str, settings: PasswordSettings, *, user_inputs: Iterable[str] = ()
) -> Verdict:
    """The verdict the gauge shows and the server enforces."""
    if settings.policy == "pin-6":
        if not is_pin(password):
            return Verdict(Strength.WEAK, ["password.policy.pin-6"])
        if _guessable_pin(password):
            return Verdict(Strength.WEAK, ["password.too_weak"])
        return Verdict(Strength.MEDIUM)
    problems = []
    if len(password) < minimum_length(settings):
        problems.append("password.too_short")
    if len(password) > settings.max_length:
        problems.append("password.too_long")
    if settings.forbid_spaces_and_accents and (
        any(c.isspace() for c in password) or not password.isascii()
    ):
        problems.append("password.spaces_or_accents")
    if not _meets_preset(password, settings.policy):
        problems.append(f"password.policy.{settings.policy}")
    verdict_strength = strength(password, user_inputs)
    if verdict_strength is Strength.WEAK:
        problems.append("password.too_weak")
    return Verdict(verdict_strength if not problems else Strength.WEAK, problems)
