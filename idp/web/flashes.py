"""Flask's `flash`, typed as the pages use it."""

from __future__ import annotations

from typing import cast

import flask


def flash(message: object, category: str = "message") -> None:
    """Remember a notice for the next page. The pages flash a catalogue key with its parameters
    (a list or tuple, see templates/_notices.html), which the session stores as JSON; Flask
    types the message as a str only."""
    flask.flash(cast(str, message), category)
