""" "S'inscrire" in Chromium: from the sign-in page to a new account, by keyboard, with axe on
every page and screenshots at 375 px and on the desktop."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.recovery_steps import (
    NEW_PASSWORD,
    accessible,
    at,
    at_pattern,
    await_emails,
    expect_signed_in,
    heading,
    sign_in,
    t,
)
from tests.support.captcha import KnownPuzzles
from tests.support.outbox import text_part

pytestmark = pytest.mark.browser

CODE = re.compile(r"^(\d{4})$", re.MULTILINE)
MOBILE = {"width": 375, "height": 740}
DESKTOP = {"width": 1024, "height": 768}


@pytest.fixture
def settings_overrides() -> dict[str, dict[str, object]]:
    return {"registration": {"enabled": True}, "recovery": {"response_floor_ms": 5}}


@pytest.fixture
def live_idp_options(puzzles: KnownPuzzles) -> dict[str, Any]:
    return {"puzzles": puzzles}


@pytest.fixture
def both_widths(screenshot: Callable[[Page, str], Path]) -> Callable[[Page, str], None]:
    """Screenshots of the page at 375 px and on the desktop."""

    def take(page: Page, name: str) -> None:
        page.set_viewport_size(MOBILE)
        screenshot(page, f"{name}-375")
        page.set_viewport_size(DESKTOP)
        screenshot(page, name)

    return take


def submit_by_keyboard(page: Page, label: str, value: str) -> None:
    """Type `value` into the field named `label` and press Enter, as a keyboard user does."""
    field = page.get_by_label(label, exact=True)
    field.focus()
    page.keyboard.type(value)
    page.keyboard.press("Enter")


def test_register_from_the_sign_in_page(page: Page, live_idp, puzzles, axe, both_widths):
    live_idp.factories.user("marie", email="marie@example.org")
    url = live_idp.url
    page.goto(url + "/login")
    expect(page.get_by_text(t("login.register_intro"))).to_be_visible()
    accessible(page, axe)
    both_widths(page, "registration-sign-in")
    page.get_by_role("link", name=t("login.register_title")).press("Enter")

    # The form: identifier (taken, but nothing says so yet), address, captcha.
    at(page, url, "/register")
    heading(page, "registration.title")
    identifier = page.get_by_label(t("registration.identifier"))
    expect(identifier).to_have_accessible_description(t("registration.identifier_hint"))
    identifier.fill("marie")
    page.get_by_label(t("registration.email")).fill("jeanne@example.org")
    accessible(page, axe)
    both_widths(page, "registration-form")
    submit_by_keyboard(page, t("captcha.image_label"), puzzles.last.answer)

    # The same page for every address: the code is in the e-mail.
    at_pattern(page, url, r"/register/[^/]+/code")
    heading(page, "registration.code_title")
    sent = t("registration.code_sent", address="jeanne@example.org", digits=4, minutes=30)
    expect(page.get_by_text(sent)).to_be_visible()
    message = await_emails(live_idp.app, 1)[0]
    assert message["To"] == "jeanne@example.org"
    code = CODE.search(text_part(message)).group(1)
    accessible(page, axe)
    both_widths(page, "registration-code")
    submit_by_keyboard(page, t("contacts.code_label"), "0000" if code != "0000" else "1111")
    expect(page.get_by_role("alert")).to_have_text(t("registration.code_wrong", left=4))
    accessible(page, axe)
    submit_by_keyboard(page, t("contacts.code_label"), code)

    # The address is proven: now the taken identifier is said, on its field, and changed.
    at_pattern(page, url, r"/register/[^/]+/password")
    heading(page, "registration.password_title")
    identifier = page.get_by_label(t("registration.identifier"))
    expect(identifier).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#identifier-error")).to_have_text(t("registration.identifier_taken"))
    expect(page.locator("#password-rules")).to_be_visible()
    accessible(page, axe)
    both_widths(page, "registration-password")
    identifier.fill("jeanne")
    page.get_by_label(t("password.new"), exact=True).fill(NEW_PASSWORD)
    expect(page.locator("[data-gauge]")).to_be_visible()
    submit_by_keyboard(page, t("password.confirmation"), NEW_PASSWORD)

    # Created: the identifier to keep, and the way to sign in.
    heading(page, "registration.done_title")
    expect(page.get_by_role("status")).to_have_text(t("registration.done"))
    expect(page.locator("[data-identifier]")).to_have_text("jeanne")
    accessible(page, axe)
    both_widths(page, "registration-done")
    page.get_by_role("link", name=t("recovery.to_sign_in")).click()
    at(page, url, "/login")
    sign_in(page, url, identifier="jeanne", password=NEW_PASSWORD)
    expect_signed_in(page, url)


def test_form_errors_are_said_on_their_fields(page: Page, live_idp, puzzles, axe, both_widths):
    url = live_idp.url
    page.goto(url + "/register")
    page.get_by_label(t("registration.identifier")).fill("jeanne")
    page.get_by_label(t("registration.email")).fill("pas-une-adresse")
    submit_by_keyboard(page, t("captcha.image_label"), puzzles.last.answer)
    at(page, url, "/register")
    email = page.get_by_label(t("registration.email"))
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#email-error")).to_have_text(t("registration.email_invalid"))
    expect(page.get_by_role("alert")).to_have_text(t("registration.correct_fields"))
    accessible(page, axe)
    both_widths(page, "registration-form-error")
