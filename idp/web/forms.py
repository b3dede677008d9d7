"""Form helpers: the base of every form, and validators whose messages come from the
catalogue at validation time."""

from __future__ import annotations

import functools
from typing import Any, ClassVar

from babel.support import NullTranslations, Translations
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path
from wtforms.validators import StopValidation

from idp.i18n import current_locale, text


@functools.cache
def _wtforms_catalogue(locale: str) -> NullTranslations:
    return Translations.load(messages_path(), [locale], domain="wtforms")


class _WTFormsTranslations:
    """WTForms' own texts (field labels, "Not a valid choice") in the request's language.

    Flask-WTF's translations parse WTForms' catalogue file again on every request that
    builds a form; this parses it once per language.
    """

    def gettext(self, string: str) -> str:
        return _wtforms_catalogue(current_locale()).ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _wtforms_catalogue(current_locale()).ungettext(singular, plural, n)


_TRANSLATIONS = _WTFormsTranslations()


class Form(FlaskForm):
    """Every form of the hosted pages: Flask-WTF's (CSRF), with WTForms' catalogue cached."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form: Any) -> _WTFormsTranslations:
            return _TRANSLATIONS


class Required:
    """Like DataRequired, with the catalogue's message in the request's language."""

    field_flags: ClassVar[dict[str, bool]] = {"required": True}

    def __init__(self, key: str = "login.required") -> None:
        self.key = key

    def __call__(self, form: Any, field: Any) -> None:
        if not field.data or (isinstance(field.data, str) and not field.data.strip()):
            field.errors[:] = []
            raise StopValidation(text(self.key))
