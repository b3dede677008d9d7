"""The PDF of a letter: a French administrative letter laid out for a window envelope.

Kept apart from idp.notify.postal so that fpdf2 (and its fonts) load only when a letter is
actually written, not in every worker at start.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import cast

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from idp.notify.letter_parts import TEMPLATES, Letterhead, PostalAddress, french_spaces
from idp.resources import templates_dir

FONTS = templates_dir() / TEMPLATES / "fonts"
SANS, MONO = "DejaVuSans", "DejaVuSansMono"

# Layout, in millimetres on A4 (210 x 297).
MARGIN = 20
TEXT_WIDTH = 210 - 2 * MARGIN
SENDER_TOP = 15
# The address window of DL and C5 envelopes: about 100 mm from the left, 45 mm from the top.
WINDOW_LEFT = 100
WINDOW_TOP = 45
ADDRESS_TOP = WINDOW_TOP + 5
ADDRESS_WIDTH = 210 - MARGIN - WINDOW_LEFT
DATE_TOP = 95
SUBJECT_TOP = 108
# Folding in three for a DL envelope.
FOLDS = (99, 198)
LINE = 5.0
FOOTER_TOP = 297 - 15


class _Document(FPDF):
    """fpdf2 calls `footer` as each page ends: the small print goes on every page."""

    footer_text = ""

    def footer(self) -> None:
        if not self.footer_text:
            return
        self.set_xy(MARGIN, FOOTER_TOP)
        self.set_font(SANS, "", 7.5)
        self.set_text_color(90, 90, 90)
        self.multi_cell(TEXT_WIDTH, 3.5, self.footer_text, align="C")
        self.set_text_color(0, 0, 0)


class _Layout:
    def __init__(
        self, head: Letterhead, locale: str, parts: dict[str, str], address: PostalAddress
    ) -> None:
        self.head = head
        self.locale = locale
        self.parts = parts
        self.address = address
        self.doc = _Document(orientation="portrait", unit="mm", format="A4")
        self.doc.footer_text = parts["footer"]

    def pdf(self) -> bytes:
        doc = self.doc
        doc.add_font(SANS, "", FONTS / "DejaVuSans.ttf")
        doc.add_font(SANS, "B", FONTS / "DejaVuSans-Bold.ttf")
        doc.add_font(MONO, "", FONTS / "DejaVuSansMono.ttf")
        doc.set_title(self.parts["subject"])
        doc.set_author(self.head.organisation)
        doc.set_creator(self.head.name)
        doc.set_lang(self.locale)
        doc.set_creation_date(datetime.fromtimestamp(self.head.created_at, UTC))
        doc.set_margins(MARGIN, SENDER_TOP, MARGIN)
        doc.set_auto_page_break(True, margin=25)
        doc.set_text_color(0, 0, 0)
        doc.add_page()
        self._folds()
        self._sender()
        self._recipient()
        self._heading()
        self._text(self.parts["salutation"], after=3)
        self._text(self.parts["body"], after=4)
        if self.parts["secret"]:
            self._secret()
        self._text(self.parts["usage"], after=4)
        # The closing formula and the signature stay together.
        signature = self._signature_lines()
        if doc.will_page_break(self._height(self.parts["closing"]) + 8 + LINE * len(signature)):
            doc.add_page()
        self._text(self.parts["closing"], after=8)
        self._signature(signature)
        return bytes(doc.output())

    def _folds(self) -> None:
        self.doc.set_draw_color(170, 170, 170)
        self.doc.set_line_width(0.2)
        for y in FOLDS:
            self.doc.line(4, y, 9, y)

    def _sender(self) -> None:
        doc = self.doc
        doc.set_xy(MARGIN, SENDER_TOP)
        for i, line in enumerate(self.head.sender_address.strip().splitlines()):
            doc.set_font(SANS, "B" if i == 0 else "", 10)
            doc.cell(
                WINDOW_LEFT - MARGIN - 5, 4.5, line.strip(), new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
        if self.parts["reference"]:
            doc.set_y(doc.get_y() + 6)
            doc.set_font(SANS, "", 8.5)
            doc.cell(WINDOW_LEFT - MARGIN - 5, 4, self.parts["reference"])

    def _recipient(self) -> None:
        doc = self.doc
        for i, line in enumerate(self.address.block()):
            size = 10.5
            doc.set_font(SANS, "", size)
            while doc.get_string_width(line) > ADDRESS_WIDTH and size > 7:
                size -= 0.5
                doc.set_font(SANS, "", size)
            doc.set_xy(WINDOW_LEFT, ADDRESS_TOP + i * 4.8)
            doc.cell(ADDRESS_WIDTH, 4.8, line)

    def _heading(self) -> None:
        doc = self.doc
        doc.set_font(SANS, "", 10)
        doc.set_xy(WINDOW_LEFT, DATE_TOP)
        doc.cell(ADDRESS_WIDTH, LINE, self.parts["dateline"])
        doc.set_xy(MARGIN, SUBJECT_TOP)
        doc.set_font(SANS, "B", 10)
        label = self.parts["subject_label"] + " "
        doc.cell(doc.get_string_width(label), LINE, label)
        doc.set_font(SANS, "", 10)
        doc.multi_cell(
            TEXT_WIDTH - doc.get_string_width(label),
            LINE,
            french_spaces(self.parts["subject"]),
            align="L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        doc.ln(8)

    def _text(self, text: str, *, after: float) -> None:
        if not text:
            return
        doc = self.doc
        doc.set_font(SANS, "", 10)
        for paragraph in re.split(r"\n\s*\n", text):
            doc.multi_cell(
                TEXT_WIDTH,
                LINE,
                french_spaces(paragraph.strip()),
                align="L",
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
            doc.ln(2)
        doc.ln(after - 2)

    def _height(self, text: str) -> float:
        """What `_text` would take, in millimetres, before `after`."""
        self.doc.set_font(SANS, "", 10)
        # output="HEIGHT" makes multi_cell return the height alone (fpdf2 types every output).
        return sum(
            cast(
                float,
                self.doc.multi_cell(
                    TEXT_WIDTH,
                    LINE,
                    french_spaces(paragraph.strip()),
                    dry_run=True,
                    output="HEIGHT",
                ),
            )
            + 2
            for paragraph in re.split(r"\n\s*\n", text)
            if text
        )

    def _secret(self) -> None:
        """The code or password, alone in a box, in a monospace face where 0/O and 1/l differ."""
        doc = self.doc
        secret = self.parts["secret"]
        size = 18.0
        doc.set_font(MONO, "", size)
        while doc.get_string_width(secret) > TEXT_WIDTH - 20 and size > 9:
            size -= 1
            doc.set_font(MONO, "", size)
        height = 26
        if doc.will_page_break(height + 4):
            doc.add_page()
        top = doc.get_y()
        doc.set_draw_color(60, 60, 60)
        doc.set_fill_color(242, 242, 242)
        doc.set_line_width(0.4)
        doc.rect(MARGIN, top, TEXT_WIDTH, height, style="DF")
        doc.set_xy(MARGIN, top + 3)
        doc.set_font(SANS, "", 9)
        doc.cell(TEXT_WIDTH, 5, self.parts["secret_label"], align="C")
        doc.set_xy(MARGIN, top + 10)
        doc.set_font(MONO, "", size)
        doc.cell(TEXT_WIDTH, 12, secret, align="C")
        doc.set_xy(MARGIN, top + height + 6)

    def _signature_lines(self) -> list[str]:
        signature = self.head.signature or self.head.sender_address.splitlines()[0]
        return [line.strip() for line in signature.splitlines() if line.strip()]

    def _signature(self, lines: list[str]) -> None:
        doc = self.doc
        doc.set_font(SANS, "B", 10)
        for line in lines:
            doc.set_x(WINDOW_LEFT)
            doc.cell(ADDRESS_WIDTH, LINE, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render(head: Letterhead, locale: str, parts: dict[str, str], address: PostalAddress) -> bytes:
    return _Layout(head, locale, parts, address).pdf()
