"""The base form: WTForms' own texts in the request's language, whichever came first."""

from __future__ import annotations

from wtforms import RadioField
from wtforms.fields.choices import SelectChoice

from idp.web.forms import Form


class _Pick(Form):
    choice = RadioField(choices=[SelectChoice("a", "A")])


def _choice_error(app, language: str) -> str:
    with app.test_request_context(f"/?ui_locales={language}", method="POST", data={"choice": "z"}):
        form = _Pick(meta={"csrf": False})
        assert not form.validate()
        return form.choice.errors[0]


def test_wtforms_texts_follow_each_request_language(app):
    # Alternating: a catalogue kept for the first language would answer the second in it.
    assert _choice_error(app, "fr") == "N'est pas un choix valide."
    assert _choice_error(app, "en") == "Not a valid choice."
    assert _choice_error(app, "fr") == "N'est pas un choix valide."
