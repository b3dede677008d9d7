"""Captcha images and sounds, drawn with the captcha library (and Pillow).

Apart from idp.services.captcha so that a worker loads them (~4 MiB resident) only when it
draws its first challenge: with `[captcha] mode = "never"` or `"after_failures"`, or the
arithmetic kind, most workers never do.
"""

from __future__ import annotations

from typing import Any

from captcha.audio import AudioCaptcha
from captcha.image import ImageCaptcha
from PIL.Image import Image


class SpacedImageCaptcha(ImageCaptcha):
    """The library's image, with every glyph apart from the next: no glyph drawn over another.

    The library draws each glyph up to a quarter of its width over the one before and puts a
    space between glyphs only at random; here a space always comes before each glyph and
    glyphs never move back onto their neighbour, and they lean less.
    """

    word_space_probability = 0.0  # a space is added when a draw in [0, 1) exceeds this
    word_offset_dx = 0.0
    character_rotate = (-15, 15)

    def create_captcha_image(self, chars: str, color: Any, background: Any) -> Image:
        # The library starts a tenth of a glyph in and sizes the image to the glyphs alone:
        # a blank glyph at the end keeps the last character inside the image.
        return super().create_captcha_image(chars + " ", color, background)


class Drawing:
    """The image (PNG) and the sound (WAV) of an answer."""

    def __init__(self) -> None:
        self._image = SpacedImageCaptcha(width=280, height=90)
        self._audio = AudioCaptcha()

    def image(self, answer: str) -> bytes:
        return self._image.generate(answer).getvalue()

    def audio(self, answer: str) -> bytes:
        return bytes(self._audio.generate(answer))
