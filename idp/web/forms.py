"""Form helpers: validators whose messages come from the catalogue at validation time."""

from __future__ import annotations

from typing import Any, ClassVar

from wtforms.validators import StopValidation

from idp.i18n import text


class Required:
    """Like DataRequired, with the catalogue's message in the request's language."""

    field_flags: ClassVar[dict[str, bool]] = {"required": True}

    def __init__(self, key: str = "login.required") -> None:
        self.key = key

    def __call__(self, form: Any, field: Any) -> None:
        if not field.data or (isinstance(field.data, str) and not field.data.strip()):
            field.errors[:] = []
            raise StopValidation(text(self.key))
