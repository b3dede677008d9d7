"""A puzzle source whose answers the tests know (handed to create_app; never configurable)."""

from __future__ import annotations

from idp.services.captcha import Puzzle


class KnownPuzzles:
    """Distinct, predictable puzzles; `issued` lists them in order."""

    def __init__(self) -> None:
        self.issued: list[Puzzle] = []

    def image(self, length: int) -> Puzzle:
        n = len(self.issued)
        answer = ("KNOWN" + "ABCDEFGHJKLMNPQRSTUVWXYZ"[n % 24] + "23456789" * 2)[:length]
        return self._remember(Puzzle(answer))

    def arithmetic(self) -> Puzzle:
        n = len(self.issued) % 8 + 1
        return self._remember(Puzzle(str(n + 3), f"{n} + 3"))

    def _remember(self, puzzle: Puzzle) -> Puzzle:
        self.issued.append(puzzle)
        return puzzle

    @property
    def last(self) -> Puzzle:
        return self.issued[-1]
