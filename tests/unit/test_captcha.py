"""Captcha images a careful reader can read: no look-alike characters, no glyph over another."""

from __future__ import annotations

from idp.services.captcha import ALPHABET, normalise_answer
from idp.services.captcha_drawing import SpacedImageCaptcha

LOOK_ALIKES = "0O1IL6G2Z5S8B"


def test_the_alphabet_has_no_look_alikes_and_only_voiced_characters():
    assert not set(ALPHABET) & set(LOOK_ALIKES)
    assert set(ALPHABET) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")  # the audio's voices


def test_answers_are_compared_whatever_their_case_and_spaces():
    assert normalise_answer(" kn wx 7 ") == normalise_answer("KNWX7")


def _inked_columns_runs(image) -> int:
    """How many separate groups of columns hold ink (anything but the white background)."""
    grey = image.convert("L")
    width, height = grey.size
    pixels = grey.load()
    inked = [any(pixels[x, y] < 250 for y in range(height)) for x in range(width)]
    return sum(1 for x in range(width) if inked[x] and (x == 0 or not inked[x - 1]))


def test_each_glyph_stands_apart_from_the_next_and_inside_the_image():
    """Wide glyphs, twenty times: always six groups of ink with a gap between, none cut."""
    captcha = SpacedImageCaptcha(width=280, height=90)
    for _ in range(20):
        image = captcha.create_captcha_image("WMWMWM", (120, 120, 120), (255, 255, 255))
        assert _inked_columns_runs(image) == 6
        grey = image.convert("L")
        last_column = [grey.getpixel((image.width - 1, y)) for y in range(image.height)]
        assert min(last_column) >= 250  # the last glyph is not cut by the edge
