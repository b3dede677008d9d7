"""The hardened sign-in page in Chromium: captcha (image, sound, renewal), errors, lock."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from idp.i18n import text
from tests.browser.a11y import describe
from tests.support.captcha import KnownPuzzles
from tests.support.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def settings_overrides() -> dict[str, dict[str, object]]:
    return {"captcha": {"mode": "always"}}


@pytest.fixture
def live_idp_options(puzzles: KnownPuzzles) -> dict[str, Any]:
    return {"puzzles": puzzles}


def _accessible(page: Page, axe) -> None:
    violations = axe(page)
    assert not violations, describe(violations)


def _attempt(page: Page, puzzles: KnownPuzzles, password: str, captcha: str | None = None):
    page.get_by_label("Identifiant").fill("marie")
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_label(text("captcha.image_label", "fr")).fill(
        captcha if captcha is not None else puzzles.last.answer
    )
    page.get_by_role("button", name="Se connecter").click()


def _summary_has_focus(page: Page, *texts: str) -> None:
    """The error summary says `texts` and holds the focus (RGAA 11.10, 11.11)."""
    alert = page.get_by_role("alert")
    expect(alert.locator("p")).to_have_text(list(texts))
    expect(alert).to_be_focused()
    assert page.evaluate("() => document.activeElement.id") == "form-error"


def test_captcha_sign_in_errors_and_lock(page: Page, live_idp, puzzles, axe, screenshot):
    live_idp.factories.user()
    page.goto(live_idp.url + "/login")
    image = page.get_by_role("img", name=text("captcha.image_alt", "fr", length=6))
    expect(image).to_be_visible()
    assert page.evaluate("(img) => img.naturalWidth", image.element_handle()) == 280
    _accessible(page, axe)
    screenshot(page, "sign-in-captcha")

    _attempt(page, puzzles, "not my password")
    _summary_has_focus(
        page, text("login.invalid_credentials", "fr"), text("login.tries_left", "fr", left=4)
    )
    expect(page.get_by_label("Identifiant")).to_have_value("marie")
    _accessible(page, axe)
    screenshot(page, "sign-in-error")

    for _ in range(6):  # misread images, the right password: no lock comes nearer
        _attempt(page, puzzles, DEFAULT_PASSWORD, captcha="WRONG9")
        _summary_has_focus(
            page, text("captcha.wrong", "fr"), text("login.password_not_checked", "fr")
        )
        expect(page.get_by_label("Mot de passe", exact=True)).to_have_value("")
    _accessible(page, axe)
    screenshot(page, "sign-in-captcha-misread")

    for left in (3, 2, 1):
        _attempt(page, puzzles, "still not it")
        _summary_has_focus(
            page,
            text("login.invalid_credentials", "fr"),
            text("login.tries_left", "fr", left=left),
        )
    expect(page.get_by_role("alert")).to_contain_text("Il vous reste 1 essai avant")
    _attempt(page, puzzles, "still not it")
    _summary_has_focus(page, text("login.locked", "fr", minutes=20))
    _accessible(page, axe)
    screenshot(page, "sign-in-locked")

    _attempt(page, puzzles, DEFAULT_PASSWORD)  # the right password, still locked
    expect(page.get_by_role("alert")).to_have_text(text("login.locked", "fr", minutes=20))


def test_a_misread_captcha_on_a_phone(browser: Browser, live_idp, puzzles, axe, screenshot):
    """At 375 px: the misread message, focused, then the way through by keyboard alone."""
    live_idp.factories.user()
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(live_idp.url + "/login")
        _attempt(page, puzzles, DEFAULT_PASSWORD, captcha="wrong9")
        _summary_has_focus(
            page, text("captcha.wrong", "fr"), text("login.password_not_checked", "fr")
        )
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
        _accessible(page, axe)
        screenshot(page, "sign-in-captcha-misread-375")
        # From the summary, Tab reaches the fields in order; the identifier is kept.
        page.keyboard.press("Tab")
        expect(page.get_by_label("Identifiant")).to_be_focused()
        expect(page.get_by_label("Identifiant")).to_have_value("marie")
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        expect(page.get_by_label("Mot de passe", exact=True)).to_be_focused()
        page.keyboard.type(DEFAULT_PASSWORD)
        page.get_by_label(text("captcha.image_label", "fr")).fill(puzzles.last.answer.lower())
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text(text("account.title", "fr"))
    finally:
        context.close()


def test_new_image_and_sound_without_reloading(page: Page, live_idp, puzzles):
    live_idp.factories.user()
    page.goto(live_idp.url + "/login")
    image = page.locator("[data-captcha-image]")
    first_src = image.get_attribute("src")
    issued = len(puzzles.issued)

    page.get_by_label("Identifiant").fill("marie")
    page.get_by_role("link", name=text("captcha.new", "fr")).click()
    expect(image).not_to_have_attribute("src", first_src or "")
    expect(page.locator("[data-captcha-status]")).to_have_text(text("captcha.renewed", "fr"))
    assert len(puzzles.issued) == issued + 1
    expect(page.get_by_label("Identifiant")).to_have_value("marie")  # nothing typed is lost

    page.get_by_role("link", name=text("captcha.listen", "fr")).click()
    audio = page.locator("audio")
    expect(audio).to_be_visible()
    expect(audio).to_have_attribute("src", image.get_attribute("src").replace("image", "audio"))

    page.get_by_label("Mot de passe", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_label(text("captcha.image_label", "fr")).fill(puzzles.last.answer.lower())
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(text("account.title", "fr"))


def test_keyboard_only_sign_in(page: Page, live_idp, puzzles):
    live_idp.factories.user()
    page.goto(live_idp.url + "/login")
    expect(page.get_by_label("Identifiant")).to_be_focused()
    page.keyboard.type("marie")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name=text("login.where_identifier", "fr"))).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.type(DEFAULT_PASSWORD)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name=text("login.forgot_password", "fr"))).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name=text("captcha.new", "fr"))).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name=text("captcha.listen", "fr"))).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.type(puzzles.last.answer)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(text("account.title", "fr"))


def test_works_without_javascript(browser: Browser, live_idp, puzzles):
    live_idp.factories.user()
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(live_idp.url + "/login")
        first = page.locator("[data-captcha-image]").get_attribute("src")
        page.get_by_role("link", name=text("captcha.new", "fr")).click()
        assert page.locator("[data-captcha-image]").get_attribute("src") != first
        page.get_by_role("link", name=text("captcha.listen", "fr")).click()
        assert "/audio" in (page.locator("audio").get_attribute("src") or "")
        _attempt(page, puzzles, DEFAULT_PASSWORD)
        expect(page.get_by_role("heading", level=1)).to_have_text(text("account.title", "fr"))
    finally:
        context.close()


def test_readable_at_200_percent_zoom(browser: Browser, live_idp, screenshot):
    # 200 % zoom of a 1280-pixel-wide window leaves 640 CSS pixels.
    context = browser.new_context(viewport={"width": 640, "height": 800}, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(live_idp.url + "/login")
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
        screenshot(page, "sign-in-zoom-200")
    finally:
        context.close()


def test_english_sign_in(browser: Browser, live_idp, puzzles):
    context = browser.new_context(locale="en-GB")
    try:
        page = context.new_page()
        page.goto(live_idp.url + "/login")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
        expect(page.get_by_label(text("captcha.image_label", "en"))).to_be_visible()
    finally:
        context.close()
