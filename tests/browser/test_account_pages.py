"""The signed-in account in Chromium: "Mon compte" and "Modifier mon mot de passe"."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from idp.i18n import text
from tests.browser.a11y import describe
from tests.support.factories import DEFAULT_PASSWORD
from tests.support.outbox import emails, last_email, text_part

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Quatre chevaux galopent vers Nantes"


def t(key: str, **params: object) -> str:
    return text(key, "fr", **params)


def _accessible(page: Page, axe) -> None:
    violations = axe(page)
    assert not violations, describe(violations)


def test_account_page_and_password_change(page: Page, live_idp, axe, screenshot):
    live_idp.factories.user(given_name="Marie", family_name="Dupont", phone="+33612345678")
    page.goto(live_idp.url + "/login")
    page.get_by_label(t("login.identifier")).fill("marie")
    page.get_by_label(t("login.password"), exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name=t("login.submit")).click()

    # "Mon compte": identity, contact details, e-mail & password.
    expect(page).to_have_url(live_idp.url + "/account")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("account.title"))
    main = page.locator("main")
    for key in ("account.identity", "account.contacts", "account.email_and_password"):
        expect(main.get_by_role("heading", level=2, name=t(key))).to_be_visible()
    expect(main).to_contain_text("marie@example.org (" + t("account.verified") + ")")
    expect(main).to_contain_text("06 12 34 56 78")
    expect(page.get_by_role("link", name=t("account.edit_contacts"))).to_be_visible()
    expect(page.get_by_role("link", name=t("account.change_email"))).to_be_visible()
    _accessible(page, axe)
    screenshot(page, "account")

    # "Modifier mon mot de passe": current, new (with the gauge), confirmation.
    page.get_by_role("link", name=t("account.change_password")).click()
    expect(page).to_have_url(live_idp.url + "/account/password")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("account.change_password"))
    page.get_by_label(t("account.current_password")).fill(DEFAULT_PASSWORD)
    new_password = page.get_by_label(t("password.new"))
    gauge = page.locator("[data-gauge]")
    expect(gauge).to_be_visible()  # password.js listens: typed before, nothing would ask
    new_password.press_sequentially(NEW_PASSWORD)
    expect(gauge).to_have_attribute("data-strength", "strong")
    expect(gauge.locator("[data-gauge-text]")).to_have_text(
        t("password.gauge_label", strength=t("password.strength.strong"))
    )
    page.get_by_label(t("password.confirmation")).fill(NEW_PASSWORD)
    _accessible(page, axe)
    sent_before = len(emails(live_idp.app))
    page.get_by_role("button", name=t("account.save_password")).click()

    expect(page).to_have_url(live_idp.url + "/account/password/done")
    status = page.get_by_role("status")
    expect(status).to_contain_text(t("account.password_done"))
    expect(status).to_contain_text(t("account.password_done_next"))
    _accessible(page, axe)
    screenshot(page, "password-changed")

    # The account is told by e-mail.
    assert len(emails(live_idp.app)) == sent_before + 1
    notice = last_email(live_idp.app)
    assert notice["To"] == "marie@example.org"
    body = text_part(notice)
    assert re.search(r"\bmarie\b", body) and "vient d'être modifié" in body, body

    # This browser stays signed in.
    page.get_by_role("link", name=t("account.back")).click()
    expect(page).to_have_url(live_idp.url + "/account")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("account.title"))


def test_email_change_says_an_empty_field_and_tells_the_old_address(
    page: Page, live_idp, axe, screenshot
):
    live_idp.factories.user()
    page.goto(live_idp.url + "/login")
    page.get_by_label(t("login.identifier")).fill("marie")
    page.get_by_label(t("login.password"), exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name=t("login.submit")).click()
    page.get_by_role("link", name=t("account.change_email")).click()

    # Sent empty: the page says so at the field, not a silent reload.
    field = page.get_by_label(t("account.new_email"))
    field.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_idp.url + "/account/email")
    field = page.get_by_label(t("account.new_email"))
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(t("login.required"))
    _accessible(page, axe)
    screenshot(page, "email-change-empty")

    field.fill("marie.nouvelle@example.org")
    page.get_by_role("button", name=t("account.send_code")).click()
    expect(page).to_have_url(live_idp.url + "/contacts/verify")
    code = re.search(r"\b(\d{4})\b", text_part(last_email(live_idp.app))).group(1)
    page.get_by_label(t("contacts.code_label")).fill(code)
    page.get_by_role("button", name=t("contacts.code_submit")).click()
    expect(page).to_have_url(live_idp.url + "/contacts/verified")

    # The address it replaced is told, once.
    to_old = [sent for sent in emails(live_idp.app) if sent["To"] == "marie@example.org"]
    assert len(to_old) == 1 and "vient d'être remplacée" in text_part(to_old[0])
