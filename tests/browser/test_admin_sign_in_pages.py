"""The console's sign-in in Chromium, keyboard only: password, enrolment of the authenticator
app (QR code and key), the recovery codes, the console home; axe in French and English, 375 px."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from idp.i18n import text
from tests.browser.checks import accessible, no_sideways_scroll, tab_to
from tests.support.console import totp
from tests.support.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser


def t(key: str, **params: object) -> str:
    return text(key, "fr", **params)


def test_first_console_sign_in_with_the_keyboard_alone(page: Page, live_idp, axe, screenshot):
    live_idp.factories.staff("agent", "admin", enrolled=False)
    page.goto(live_idp.url + "/admin/staff")
    expect(page).to_have_url(live_idp.url + "/admin/login?next=/admin/staff")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("admin.sign_in_title"))
    accessible(page, axe)
    screenshot(page, "admin-sign-in")
    tab_to(page, page.get_by_label(t("login.identifier")))
    page.keyboard.type("agent")
    page.keyboard.press("Tab")
    page.keyboard.type(DEFAULT_PASSWORD)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(t("admin.enrol_title"))
    expect(page.get_by_role("img", name=t("admin.enrol_qr_label"))).to_be_visible()
    accessible(page, axe)
    page.set_viewport_size({"width": 375, "height": 800})
    no_sideways_scroll(page)
    screenshot(page, "admin-enrol-375")
    page.set_viewport_size({"width": 1280, "height": 800})
    secret = page.locator(".secret code").inner_text().replace(" ", "")
    tab_to(page, page.get_by_label(t("admin.code_label")))
    page.keyboard.type("123")  # a slip first: the key is shown again, the field says why
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text(t("admin.code_wrong")[:20])
    assert page.locator(".secret code").inner_text().replace(" ", "") == secret
    tab_to(page, page.get_by_label(t("admin.code_label")))
    page.keyboard.type(totp(secret, int(time.time())))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(t("admin.recovery_title"))
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    accessible(page, axe)
    tab_to(page, page.get_by_role("link", name=t("admin.recovery_continue")))
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_idp.url + "/admin/staff")
    expect(page.get_by_role("navigation", name=t("admin.nav"))).to_be_visible()
    accessible(page, axe)
    screenshot(page, "admin-staff")

    page.goto(live_idp.url + "/admin?ui_locales=en")
    expect(page.get_by_role("heading", level=1)).to_have_text(text("admin.home_title", "en"))
    accessible(page, axe)
    page.set_viewport_size({"width": 375, "height": 800})
    no_sideways_scroll(page)
    page.goto(live_idp.url + "/admin?ui_locales=fr")
    screenshot(page, "admin-home-375")


def test_an_ordinary_account_meets_a_plain_403(page: Page, live_idp, axe):
    live_idp.factories.user("marie")
    page.goto(live_idp.url + "/admin/login")
    page.get_by_label(t("login.identifier")).fill("marie")
    page.get_by_label(t("login.password"), exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name=t("admin.continue")).click()
    expect(page.locator("main")).to_contain_text(t("error.forbidden"))
    assert t("admin.console") not in page.locator("main").inner_text()
    accessible(page, axe)
