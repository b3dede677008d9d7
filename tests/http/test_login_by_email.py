"""impots.gouv's sign-in by e-mail address: `[login] identifier = "email" | "either"`."""

from __future__ import annotations

import re

import pytest

from idp.i18n import text
from tests.support.factories import DEFAULT_PASSWORD
from tests.support.outbox import emails, last_email
from tests.support.recovery import walk_to_code_page
from tests.support.signin import stable_body, submit


def page_text(key: str, **params: object) -> str:
    return text(key, "fr", **params).replace("'", "&#39;")


def login(mode: str) -> dict[str, dict[str, object]]:
    return {
        "captcha": {"mode": "always"},
        "login": {"identifier": mode},
        "password": {"forbid_spaces_and_accents": True},
        "recovery": {"response_floor_ms": 1},
    }


class TestByEmail:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, dict[str, object]]:
        return login("email")

    def test_the_address_signs_in_whatever_its_case_and_the_identifier_does_not(
        self, app, client, factories, puzzles
    ):
        factories.user()
        page = client.get("/login").get_data(as_text=True)
        assert page_text("login.identifier_email") in page
        assert re.search(r'<input[^>]*inputmode="email"[^>]*name="identifier"', page)
        refused = submit(client, puzzles, "marie")
        assert page_text("login.invalid_credentials") in refused.get_data(as_text=True)
        assert submit(client, puzzles, " Marie@Example.ORG ").status_code == 303

    def test_the_new_password_rules_say_no_spaces_nor_accents_before_typing(
        self, client, factories, puzzles
    ):
        factories.user()
        assert submit(client, puzzles, "marie@example.org").status_code == 303
        page = client.get("/account/password").get_data(as_text=True)
        rules = page.split('id="password-rules"', 1)[1].split("</p>", 1)[0]
        assert page_text("password.rules_no_spaces_or_accents") in rules

    def test_a_shared_address_signs_in_nobody_and_reads_as_unknown(
        self, app, client, factories, puzzles
    ):
        factories.user("marie", email="famille@example.org")
        factories.user("paul", email="Famille@example.org", password="Paul's own 4 words!")
        shared = submit(client, puzzles, "famille@example.org")
        other = app.test_client()
        unknown = submit(other, puzzles, "nobody@example.org")
        assert shared.status_code == unknown.status_code == 200
        assert stable_body(shared).replace("famille", "X") == stable_body(unknown).replace(
            "nobody", "X"
        )
        assert (
            submit(client, puzzles, "famille@example.org", "Paul's own 4 words!").status_code == 200
        )

    def test_forgotten_password_takes_the_address(self, app, client, factories, puzzles, clock):
        factories.user(last_login_at=clock.now() - 3600)
        sent = len(emails(app))
        walk_to_code_page(client, puzzles, "MARIE@example.org")
        assert len(emails(app)) == sent + 1
        assert last_email(app)["To"] == "marie@example.org"
        page = client.get("/recovery/password").get_data(as_text=True)
        assert page_text("login.identifier_email") in page


class TestEither:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, dict[str, object]]:
        return login("either")

    def test_identifier_or_address_both_sign_in(self, app, client, factories, puzzles):
        factories.user()
        assert page_text("login.identifier_either") in client.get("/login").get_data(as_text=True)
        assert submit(client, puzzles, "marie").status_code == 303
        assert submit(app.test_client(), puzzles, "marie@example.org").status_code == 303

    def test_an_identifier_that_is_another_accounts_address_signs_in_neither(
        self, client, factories, puzzles
    ):
        factories.user("marie@example.org", email="someone@example.org")
        factories.user("paul", email="marie@example.org")
        # Both accounts have this password: signing either in would be a guess.
        response = submit(client, puzzles, "marie@example.org", DEFAULT_PASSWORD)
        assert response.status_code == 200
        assert page_text("login.invalid_credentials") in response.get_data(as_text=True)


def test_an_unknown_login_setting_is_refused():
    from idp.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match=r"\[login\] identifier"):
        load_settings(None, overrides={"login": {"identifier": "phone"}}, environ={})


def test_by_default_the_address_does_not_sign_in(client, factories, puzzles):
    factories.user()
    response = submit(client, puzzles, "marie@example.org")
    assert page_text("login.invalid_credentials") in response.get_data(as_text=True)
