"""The secret question chosen at first connection, and its answer kept as a keyed hash.

Answers are compared ignoring case, accents, punctuation and spacing: "Saint-Étienne" and
"saint etienne" are the same answer.
"""

from __future__ import annotations

import unicodedata

from idp.models import User
from idp.services.hashing import hashes_equal, keyed_hash

# Keys of the questions offered; their texts are in the message catalogue.
QUESTIONS = ("first_pet", "birth_town", "grandmother", "primary_school", "first_car")
MIN_ANSWER_LENGTH = 2


def normalise_answer(raw: str) -> str:
    decomposed = unicodedata.normalize("NFKD", raw.casefold())
    letters = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(letters.split())


def set_secret(user: User, question: str, answer: str, *, hash_key: str) -> None:
    if question not in QUESTIONS:
        raise ValueError(f"unknown secret question {question!r}")
    user.secret_question = question
    user.secret_answer_hash = keyed_hash(hash_key, "secret-answer", normalise_answer(answer))


def answer_matches(user: User, answer: str, *, hash_key: str) -> bool:
    if not user.secret_answer_hash:
        return False
    candidate = keyed_hash(hash_key, "secret-answer", normalise_answer(answer))
    return hashes_equal(candidate, user.secret_answer_hash)
