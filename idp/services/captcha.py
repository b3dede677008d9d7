"""Captcha challenges: an image with an audio alternative, or a simple addition/subtraction.

The answer never leaves the server and is not even kept there: only its keyed hash is
stored, with the image (and the sound, when asked for) rendered once at creation. A
challenge belongs to one browser, expires, and is consumed by its first answer, right or
wrong.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import delete, select, update

from idp.config import CaptchaSettings
from idp.extensions import db, rowcount
from idp.models import CaptchaChallenge
from idp.services.hashing import hashes_equal, keyed_hash, new_secret

if TYPE_CHECKING:
    from idp.services.captcha_drawing import Drawing

# Capital letters and digits (the only ones the audio voices know), without those a careful
# reader mistakes for another once warped: 0/O, 1/I/L, 2/Z, 5/S, 6/G, 8/B, and the pairs
# readers misread most (T/Y, 4/A). Answers are compared case-insensitively.
ALPHABET = "ACDEFHJKMNPQRTUVWX379"


@dataclass(frozen=True)
class Puzzle:
    """What a challenge asks and its expected answer."""

    answer: str
    question: str | None = None  # arithmetic only


class PuzzleSource(Protocol):
    """Makes puzzles. Production draws them at random; tests hand in known ones."""

    def image(self, length: int) -> Puzzle: ...

    def arithmetic(self) -> Puzzle: ...


class RandomPuzzles:
    def image(self, length: int) -> Puzzle:
        return Puzzle("".join(secrets.choice(ALPHABET) for _ in range(length)))

    def arithmetic(self) -> Puzzle:
        a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
        if secrets.randbelow(2):
            a, b = max(a, b), min(a, b)
            return Puzzle(str(a - b), f"{a} − {b}")
        return Puzzle(str(a + b), f"{a} + {b}")


def normalise_answer(raw: str) -> str:
    return "".join(raw.split()).upper()


class Captchas:
    """Issues, renders and checks challenges."""

    def __init__(self, settings: CaptchaSettings, hash_key: str, source: PuzzleSource) -> None:
        self.settings = settings
        self._hash_key = hash_key
        self._source = source

    @cached_property
    def _drawing(self) -> Drawing:
        from idp.services.captcha_drawing import Drawing  # on first use: see that module

        return Drawing()

    def _hash(self, answer: str) -> str:
        return keyed_hash(self._hash_key, "captcha", normalise_answer(answer))

    def issue(
        self, kind: str, *, binding: str, now: int, with_audio: bool = False
    ) -> CaptchaChallenge:
        """A new challenge for this browser; expired challenges are purged on the way."""
        db.session.execute(delete(CaptchaChallenge).where(CaptchaChallenge.expires_at < now))
        if kind == "arithmetic":
            puzzle = self._source.arithmetic()
            image = audio = None
        else:
            puzzle = self._source.image(self.settings.length)
            image = self._drawing.image(puzzle.answer)
            audio = self._drawing.audio(puzzle.answer) if with_audio else None
        challenge = CaptchaChallenge(
            ref=new_secret(24),
            browser_binding=binding,
            kind=kind,
            answer_hash=self._hash(puzzle.answer),
            question=puzzle.question,
            image=image,
            audio=audio,
            created_at=now,
            expires_at=now + self.settings.ttl_seconds,
        )
        db.session.add(challenge)
        return challenge

    def find(self, ref: str | None, *, binding: str, now: int) -> CaptchaChallenge | None:
        """An unexpired, unused challenge of this browser."""
        if not ref or len(ref) > 64:
            return None
        challenge = db.session.scalar(select(CaptchaChallenge).where(CaptchaChallenge.ref == ref))
        if (
            challenge is None
            or challenge.used_at is not None
            or challenge.expires_at <= now
            or not hashes_equal(challenge.browser_binding, binding)
        ):
            return None
        return challenge

    def check(self, ref: str | None, answer: str | None, *, binding: str, now: int) -> bool:
        """True for the right answer; the challenge is consumed either way (single use)."""
        challenge = self.find(ref, binding=binding, now=now)
        if challenge is None:
            return False
        consumed = db.session.execute(
            update(CaptchaChallenge)
            .where(CaptchaChallenge.id == challenge.id, CaptchaChallenge.used_at.is_(None))
            .values(used_at=now)
        )
        if rowcount(consumed) != 1:
            return False
        return hashes_equal(challenge.answer_hash, self._hash(answer or ""))
