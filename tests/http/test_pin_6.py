"""ASSU2000's "mot de passe à 6 chiffres": the "pin-6" preset, under a strict lockout."""

from __future__ import annotations

import json
import re

import pytest

from idp.i18n import text
from tests.support.cli import Operator
from tests.support.factories import DEFAULT_PASSWORD
from tests.support.oidc import csrf_token
from tests.support.signin import submit


@pytest.fixture
def settings_overrides() -> dict[str, dict[str, object]]:
    return {
        "captcha": {"mode": "always"},
        "password": {"policy": "pin-6"},
        "lockout": {"max_attempts": 3, "daily_max_failures": 10},
    }


def change(client, new: str, current: str = DEFAULT_PASSWORD):
    page = client.get("/account/password")
    data = {
        "csrf_token": csrf_token(page.get_data(as_text=True)),
        "current_password": current,
        "new_password": new,
        "confirmation": new,
    }
    return client.post("/account/password", data=data)


def test_the_new_password_page_asks_six_digits_on_the_numeric_keypad(
    app, client, factories, puzzles
):
    factories.user()
    assert submit(client, puzzles).status_code == 303
    page = client.get("/account/password").get_data(as_text=True)
    assert text("password.rules_pin-6", "fr").replace("'", "&#39;") in page
    assert len(re.findall(r'<input[^>]*inputmode="numeric"[^>]*type="password"', page)) == 2
    refused = change(client, "123456").get_data(as_text=True)
    assert text("password.too_weak", "fr") in refused
    assert change(client, "48031a").status_code == 200
    assert change(client, "480317").status_code == 303
    other_browser = app.test_client()
    assert submit(other_browser, puzzles, password="480317").status_code == 303


def test_three_wrong_pins_lock_and_the_page_counts_down(client, factories, puzzles):
    factories.user()
    form = client.get("/login").get_data(as_text=True)
    assert re.search(r'<input[^>]*inputmode="numeric"[^>]*name="password"', form)
    first = submit(client, puzzles, password="111111").get_data(as_text=True)
    assert "Il vous reste 2 essais avant" in first
    second = submit(client, puzzles, password="222222").get_data(as_text=True)
    assert "Il vous reste 1 essai avant" in second
    third = submit(client, puzzles, password="333333").get_data(as_text=True)
    assert text("login.locked", "fr", minutes=20).replace("'", "&#39;") in third


def test_a_temporary_password_is_six_digits(app, factories, tmp_path):
    factories.user()
    result = Operator(app, tmp_path)("users", "reset-password", "marie", "--json")
    assert result.exit_code == 0, result.output
    temporary = json.loads(result.output)["temporary_password"]
    assert re.fullmatch(r"[0-9]{6}", temporary)
