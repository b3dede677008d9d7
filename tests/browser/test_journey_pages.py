"""The way back in Chromium: the demo application sends Marie to sign in, she has forgotten her
password, recovers it by e-mail code and ends in the application; "Abandonner" returns her to
the application too. Keyboard only where a person would use it; axe on every page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.recovery_steps import (
    CODE,
    NEW_PASSWORD,
    TEMPORARY,
    accessible,
    at,
    at_pattern,
    await_email_matching,
    await_emails,
    choose_channel,
    connected_user,
    expect_done,
    expect_personalisation,
    fill_identity,
    heading,
    next_step,
    t,
    type_code,
)
from tests.support.captcha import KnownPuzzles
from tests.support.outbox import text_part

pytestmark = pytest.mark.browser

DEMO = "Application de démonstration"
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1024, "height": 768}


@pytest.fixture
def settings_overrides() -> dict[str, dict[str, object]]:
    return {"recovery": {"response_floor_ms": 5}}


@pytest.fixture
def live_idp_options(puzzles: KnownPuzzles) -> dict[str, Any]:
    return {"puzzles": puzzles}


def start_in_the_demo(page: Page, live_idp, live_demo_rp) -> None:
    page.goto(live_demo_rp.url + "/")
    page.get_by_role("button", name="Se connecter").click()
    at(page, live_idp.url, "/login?ref=")


def press(page: Page, locator) -> None:
    """Reach `locator` with the Tab key and activate it with Enter, as a keyboard user does."""
    locator.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    expect(locator).to_be_focused()
    page.keyboard.press("Enter")


def both_widths(page: Page, screenshot, name: str) -> None:
    page.set_viewport_size(PHONE)
    screenshot(page, f"{name}-375")
    page.set_viewport_size(DESKTOP)
    screenshot(page, name)


def test_forgotten_password_ends_in_the_application(
    page: Page, live_idp, live_demo_rp, puzzles, axe, screenshot
):
    connected_user(live_idp)
    url = live_idp.url
    start_in_the_demo(page, live_idp, live_demo_rp)
    press(page, page.get_by_role("link", name=t("login.forgot_password")))
    at(page, url, "/recovery/password")
    heading(page, "recovery.identify_title")
    nav = page.get_by_role("navigation", name=t("journey.nav_label"))
    expect(nav.get_by_role("link", name=t("journey.previous"))).to_have_attribute("href", "/login")
    expect(nav.get_by_role("button", name=t("recovery.abandon"))).to_be_visible()
    expect(nav.get_by_role("link", name=t("layout.home"))).to_be_visible()
    accessible(page, axe)
    both_widths(page, screenshot, "journey-identity")
    fill_identity(page, puzzles, "marie")
    next_step(page)
    choose_channel(page, url, "email")
    at_pattern(page, url, r"/recovery/password/[^/]+/code")
    code = CODE.search(text_part(await_emails(live_idp.app, 1)[0])).group(1)
    type_code(page, code)

    # The end page offers the way back to the application.
    expect_done(page, url, "recovery.temporary_sent_email")
    back = page.get_by_role("link", name=t("journey.continue", client=DEMO))
    expect(back).to_be_visible()
    accessible(page, axe)
    both_widths(page, screenshot, "journey-done")

    temporary = TEMPORARY.search(text_part(await_email_matching(live_idp.app, TEMPORARY))).group(1)
    press(page, back)
    at(page, url, "/login?ref=")
    expect(page.get_by_text(DEMO).first).to_be_visible()
    page.get_by_label(t("login.identifier")).fill("marie")
    page.get_by_label(t("login.password"), exact=True).fill(temporary)
    page.get_by_role("button", name=t("login.submit")).click()
    expect_personalisation(page, url)
    page.get_by_label(t("password.new"), exact=True).fill(NEW_PASSWORD)
    page.get_by_label(t("password.confirmation")).fill(NEW_PASSWORD)
    page.get_by_role("button", name=t("password.submit")).click()
    at(page, url, "/consent/")
    accessible(page, axe)
    page.get_by_role("button", name="Autoriser").click()
    at(page, live_demo_rp.url, "/claims")
    expect(page.get_by_role("table", name="Contenu du jeton d'identité")).to_be_visible()


def test_abandon_returns_to_the_application(page: Page, live_idp, live_demo_rp, axe, screenshot):
    live_idp.factories.user("marie")
    start_in_the_demo(page, live_idp, live_demo_rp)
    abandon = page.get_by_role("button", name=t("recovery.abandon"))
    accessible(page, axe)
    both_widths(page, screenshot, "journey-sign-in")
    press(page, abandon)
    # The demo application heard access_denied at its callback (and says so in its words).
    at(page, live_demo_rp.url, "/callback?")
    assert "error=access_denied" in page.url
    accessible(page, axe)


def test_abandon_from_a_recovery_step_returns_to_the_application(
    page: Page, live_idp, live_demo_rp, axe
):
    """The step's "Abandonner" too: its page lets the form lead to the application."""
    live_idp.factories.user("marie")
    start_in_the_demo(page, live_idp, live_demo_rp)
    press(page, page.get_by_role("link", name=t("login.forgot_password")))
    at(page, live_idp.url, "/recovery/password")
    press(page, page.get_by_role("button", name=t("recovery.abandon")))
    at(page, live_demo_rp.url, "/callback?")
    assert "error=access_denied" in page.url
    accessible(page, axe)
