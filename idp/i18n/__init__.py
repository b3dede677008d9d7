"""One message catalogue: every user-facing text has a key, a French and an English text.

Flask-Babel chooses the locale (`ui_locales`, then the browser's languages, French by
default); `text(key)` returns the message in it. Tests assert keys, not copy.
"""

from __future__ import annotations

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


def text(key: str, locale: str | None = None, **params: Any) -> str:
    """The message `key` in `locale` (the request's by default), with `params` filled in."""
    texts = MESSAGES[key]
    message = texts.get(locale or current_locale()) or texts[DEFAULT_LOCALE]
    return message.format(**params) if params else message


def markup(key: str, **params: Any) -> Markup:
    """For templates: the message with its parameters escaped."""
    # Markup.format escapes every parameter.
    return escape(text(key)).format(**params) if params else escape(text(key))
