"""The pages' examples never give away the demo account's answers (the README may tell them:
a page shown to anyone must not)."""

from __future__ import annotations

import re

from idp.cli.demo import (
    DEMO_BIRTH_DATE,
    DEMO_IBAN,
    DEMO_NIR,
    DEMO_PASSWORD,
    DEMO_POSTAL_CODE,
    DEMO_PRESTATION,
    FIRST_CONNECTION_PASSWORD,
)
from idp.i18n.catalog import MESSAGES
from idp.resources import templates_dir

TEMPLATES = templates_dir()


# What the demo account answers in recovery (idp/cli/demo.py), as digits where it is a number.
def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


DEMO_DIGITS = {
    "nir": _digits(DEMO_NIR),
    "iban tail": _digits(DEMO_IBAN)[-6:],
    "prestation": _digits(DEMO_PRESTATION),
    "birth date": _digits(DEMO_BIRTH_DATE),
    "postal code": DEMO_POSTAL_CODE,
}


def test_no_message_gives_the_demo_accounts_answers():
    for key, texts in MESSAGES.items():
        for value in texts.values():
            for what, secret in DEMO_DIGITS.items():
                assert secret not in _digits(value), f"{key} gives the demo {what}"
            assert DEMO_PASSWORD not in value and FIRST_CONNECTION_PASSWORD not in value, key


def test_no_page_gives_the_demo_accounts_answers():
    for template in TEMPLATES.rglob("*.html"):
        if "messages" in template.parts:
            continue  # what is sent to the account itself
        page = template.read_text(encoding="utf-8")
        for what, secret in DEMO_DIGITS.items():
            assert secret not in _digits(page), f"{template.name} gives the demo {what}"
        assert DEMO_PASSWORD not in page and FIRST_CONNECTION_PASSWORD not in page
