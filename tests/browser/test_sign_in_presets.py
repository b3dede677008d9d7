"""The seeds' sign-in variants in Chromium: impots.gouv's by e-mail address with its password
rule said up front, and ASSU2000's six-digit password on the numeric keypad."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from idp.i18n import text
from tests.browser.a11y import describe
from tests.support.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser


def t(key: str, **params: object) -> str:
    return text(key, "fr", **params)


def _accessible(page: Page, axe) -> None:
    violations = axe(page)
    assert not violations, describe(violations)


def _no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0


def _to_password_page(page: Page, url: str, login: str) -> None:
    """Sign in with the keyboard alone, then open "Modifier mon mot de passe"."""
    page.goto(url + "/login")
    first = page.locator("input:not([type=hidden])").first
    expect(first).to_be_focused()  # the identifier field, whatever its label
    page.keyboard.type(login)
    expect(first).to_have_value(login)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    password = page.get_by_label(t("login.password"), exact=True)
    expect(password).to_be_focused()
    page.keyboard.type(DEFAULT_PASSWORD)
    expect(password).to_have_value(DEFAULT_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("account.title"))
    page.get_by_role("link", name=t("account.change_password")).click()
    page.get_by_label(t("account.current_password")).fill(DEFAULT_PASSWORD)


class TestImpots:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, dict[str, object]]:
        return {
            "captcha": {"mode": "never"},
            "login": {"identifier": "email"},
            "password": {"forbid_spaces_and_accents": True},
        }

    def test_sign_in_by_address_and_the_rule_before_typing(
        self, page: Page, live_idp, axe, screenshot
    ):
        live_idp.factories.user()
        page.goto(live_idp.url + "/login")
        expect(page.get_by_label(t("login.identifier_email"))).to_be_focused()
        _accessible(page, axe)
        screenshot(page, "sign-in-by-email")
        _to_password_page(page, live_idp.url, "Marie@Example.org")
        rules = page.locator("#password-rules")
        expect(rules).to_contain_text(t("password.rules_no_spaces_or_accents"))
        expect(page.get_by_label(t("password.new"))).to_have_attribute(
            "aria-describedby", "password-rules password-gauge-text"
        )
        _accessible(page, axe)
        screenshot(page, "password-rules-no-accents")
        accented = "Quatre chevaux galopent à Nantes"
        page.get_by_label(t("password.new")).fill(accented)
        page.get_by_label(t("password.confirmation")).fill(accented)
        page.get_by_role("button", name=t("account.save_password")).click()
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text(t("password.spaces_or_accents"))
        expect(alert).to_be_focused()
        _accessible(page, axe)


class TestPin6:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, dict[str, object]]:
        return {
            "captcha": {"mode": "never"},
            "password": {"policy": "pin-6"},
            "lockout": {"max_attempts": 3, "daily_max_failures": 10},
        }

    def test_six_digits_on_a_phone(self, browser: Browser, live_idp, axe, screenshot):
        live_idp.factories.user()
        context = browser.new_context(viewport={"width": 375, "height": 740}, locale="fr-FR")
        try:
            page = context.new_page()
            page.goto(live_idp.url + "/login")
            page.get_by_label(t("login.identifier")).fill("marie")
            page.get_by_label(t("login.password"), exact=True).fill("111111")
            page.get_by_role("button", name=t("login.submit")).click()
            alert = page.get_by_role("alert")
            expect(alert).to_contain_text("Il vous reste 2 essais avant")
            expect(alert).to_be_focused()

            _to_password_page(page, live_idp.url, "marie")
            expect(page.locator("#password-rules")).to_have_text(t("password.rules_pin-6"))
            for label in ("password.new", "password.confirmation"):
                expect(page.get_by_label(t(label))).to_have_attribute("inputmode", "numeric")
            page.get_by_label(t("password.new")).fill("123456")
            page.get_by_label(t("password.confirmation")).fill("123456")
            page.get_by_role("button", name=t("account.save_password")).click()
            expect(page.get_by_role("alert")).to_have_text(t("password.too_weak"))
            expect(page.get_by_role("alert")).to_be_focused()
            _no_sideways_scroll(page)
            _accessible(page, axe)
            screenshot(page, "password-pin-6-375")

            page.get_by_label(t("account.current_password")).fill(DEFAULT_PASSWORD)
            page.get_by_label(t("password.new")).fill("480317")
            page.get_by_label(t("password.confirmation")).fill("480317")
            page.get_by_role("button", name=t("account.save_password")).click()
            expect(page).to_have_url(live_idp.url + "/account/password/done")
        finally:
            context.close()
