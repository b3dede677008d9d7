"""What a letter is made of, shared by the letter box (idp.notify.postal) and its PDF layout
(idp.notify.letter_pdf): the recipient's address, the letterhead and French typography.

Both import this module and neither imports the other at load time, so the PDF layout (and
fpdf2) loads only when a letter is written.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

# Where the letters' templates (and the fonts of their PDF) sit among the app's templates.
TEMPLATES = "messages/letter"


@dataclass(frozen=True)
class Letterhead:
    """What a letter's PDF prints besides its text: who sends it, and when it was made."""

    organisation: str
    name: str
    sender_address: str
    signature: str
    created_at: int


@dataclass(frozen=True)
class PostalAddress:
    """A recipient as the window shows it: name, delivery lines (street, building, BP...),
    postal code and town, and the country when it is not France."""

    name: str
    lines: tuple[str, ...] = ()
    postal_code: str = ""
    city: str = ""
    country: str = "France"

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", tuple(line.strip() for line in self.lines if line))
        values = [self.name, *self.lines, self.postal_code, self.city, self.country]
        if any(unicodedata.category(c).startswith("C") for value in values for c in value):
            raise ValueError("a postal address holds no control characters or line breaks")
        if not self.name.strip() or not self.city.strip():
            raise ValueError("a postal address needs a name and a town")
        if self.domestic and not re.fullmatch(r"[0-9]{5}", self.postal_code):
            raise ValueError("a French postal code has five digits")
        if len(self.block()) > 6:
            raise ValueError("a postal address has at most 6 lines (NF Z10-011)")

    @property
    def domestic(self) -> bool:
        return plain(self.country).upper() in {"FRANCE", "FR", ""}

    def block(self) -> list[str]:
        """The lines printed in the window: the last ones in capitals without accents, as
        La Poste's sorting machines read them best."""
        town = " ".join(p for p in (self.postal_code, plain(self.city).upper()) if p)
        country = [] if self.domestic else [plain(self.country).upper()]
        return [self.name.strip(), *self.lines, town, *country]

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "lines": list(self.lines),
            "postal_code": self.postal_code,
            "city": self.city,
            "country": self.country,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PostalAddress:
        return cls(
            name=data["name"],
            lines=tuple(data.get("lines", ())),
            postal_code=data.get("postal_code", ""),
            city=data["city"],
            country=data.get("country", "France"),
        )


def plain(text: str) -> str:
    """Without accents: "Boulogne-Billancourt" stays, "Évry" becomes "Evry"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def french_spaces(text: str) -> str:
    """No line may start with « : » or « ; »: the space before them does not break."""
    text = re.sub(r" ([:;!?»])", "\u00a0\\1", text)
    return re.sub(r"« ", "«\u00a0", text)
