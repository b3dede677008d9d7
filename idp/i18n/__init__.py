"""One message catalogue: every user-facing text has a key, a French and an English text.

Flask-Babel chooses the locale (`ui_locales`, then the browser's languages, French by
default); `text(key)` returns the message in it. Tests assert keys, not copy.

A message chooses a word by a number's grammatical number: `{left:essai|essais}` gives the
singular or the plural form for `left`, by the locale's rule (French counts 0 and 1 as
singular, English only 1), so no message needs "essai(s)".
"""

from __future__ import annotations

import string
from typing import Any

from flask import has_request_context, request, session
from flask_babel import get_locale
from markupsafe import Markup, escape

from idp.i18n.catalog import MESSAGES

SUPPORTED_LOCALES = ("fr", "en")
DEFAULT_LOCALE = "fr"


def select_locale() -> str:
    """Flask-Babel's locale selector."""
    if not has_request_context():
        return DEFAULT_LOCALE
    for tag in str(request.args.get("ui_locales") or "").split():
        if tag.split("-")[0].lower() in SUPPORTED_LOCALES:
            return tag.split("-")[0].lower()
    chosen = session.get("locale")
    if chosen in SUPPORTED_LOCALES:
        return chosen
    return request.accept_languages.best_match(SUPPORTED_LOCALES) or DEFAULT_LOCALE


def current_locale() -> str:
    locale = get_locale() if has_request_context() else None
    return locale.language if locale is not None else DEFAULT_LOCALE


class _PluralFormatter(string.Formatter):
    """`str.format`, where a `singular|plural` format spec picks a word by the number."""

    def __init__(self, locale: str) -> None:
        self._locale = locale

    def format_field(self, value: Any, format_spec: str) -> str:
        if "|" not in format_spec:
            return super().format_field(value, format_spec)
        singular, plural = format_spec.split("|", 1)
        one = abs(int(value)) < 2 if self._locale == "fr" else abs(int(value)) == 1
        return singular if one else plural


def text(key: str, locale: str | None = None, **params: Any) -> str:
    """The message `key` in `locale` (the request's by default), with `params` filled in."""
    texts = MESSAGES[key]
    chosen = locale or current_locale()
    if chosen not in texts:
        chosen = DEFAULT_LOCALE
    message = texts[chosen]
    return _PluralFormatter(chosen).format(message, **params) if params else message


def markup(key: str, **params: Any) -> Markup:
    """For templates: the message with its parameters escaped."""
    # Markup.format escapes every parameter.
    return escape(text(key)).format(**params) if params else escape(text(key))
