"""First connection in Chromium: the invitation link, the temporary password's
personalisation (gauge, eye button), the contact details and the e-mail code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from idp.i18n import text
from tests.browser.a11y import describe
from tests.support.cli import Operator
from tests.support.factories import DEFAULT_PASSWORD
from tests.support.outbox import emails, last_email, links, text_part

pytestmark = pytest.mark.browser

STRONG = "Quatre chevaux galopent vers Nantes"
# As it is typed, STRONG reads "faible" up to "Quatre ", "moyen" at "Quatre c", then "fort".
STRONG_STEPS = [("Quatre", "weak"), (" c", "medium"), ("hevaux galopent vers Nantes", "strong")]
WEAK = "azerty123"
CODE = re.compile(r"\b(\d{4})\b")


def t(key: str, **params: object) -> str:
    return text(key, "fr", **params)


def _accessible(page: Page, axe) -> None:
    violations = axe(page)
    assert not violations, describe(violations)


def _at(page: Page, url: str, path: str) -> None:
    expect(page).to_have_url(re.compile("^" + re.escape(url + path)))


def _heading(page: Page, key: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(t(key))


def _sign_in(page: Page, identifier: str = "marie", password: str = DEFAULT_PASSWORD) -> None:
    page.get_by_label(t("login.identifier")).fill(identifier)
    page.get_by_label(t("login.password"), exact=True).fill(password)
    page.get_by_role("button", name=t("login.submit")).click()


def _new_password(page: Page) -> Locator:
    return page.get_by_label(t("password.new"))


def _listening_new_password(page: Page) -> Locator:
    """The new-password field once password.js listens to it (it shows the gauge then): typed
    before, on a loaded machine, the characters would ask for no verdict."""
    expect(page.locator("[data-gauge]")).to_be_visible()
    return _new_password(page)


def _confirmation(page: Page) -> Locator:
    return page.get_by_label(t("password.confirmation"))


def _expect_gauge(page: Page, strength: str) -> None:
    """The gauge shows the server's verdict, in words and in its data-strength attribute,
    and the new-password field announces it (aria-describedby)."""
    label = t("password.gauge_label", strength=t(f"password.strength.{strength}"))
    gauge = page.locator("[data-gauge]")
    expect(gauge).to_be_visible()
    expect(gauge).to_have_attribute("data-strength", strength)
    expect(gauge.locator("[data-gauge-text]")).to_have_text(label)
    expect(_new_password(page)).to_have_accessible_description(re.compile(re.escape(label)))


def _described_by(locator: Locator) -> set[str]:
    return set((locator.get_attribute("aria-describedby") or "").split())


# -- 1. the invitation link ------------------------------------------------------------------


def _invite(live_idp, tmp_path: Path) -> str:
    """`idp users add --invite`, as an operator would; the link of the e-mail sent."""
    operator = Operator(live_idp.app, tmp_path)
    result = operator(
        "users", "add", "--identifier", "paul", "--email", "paul@example.org", "--invite"
    )
    assert result.exit_code == 0, result.output
    message = last_email(live_idp.app)
    assert message["To"] == "paul@example.org"
    link = next(url for url in links(message) if "/invitation/" in url)
    assert link.startswith(live_idp.url + "/invitation/")
    return link


def test_invitation_activates_the_account(page: Page, live_idp, tmp_path, axe, screenshot):
    link = _invite(live_idp, tmp_path)
    page.goto(link)
    _at(page, live_idp.url, "/invitation")  # the token left the address bar and the history
    _heading(page, "invitation.title")
    expect(page.get_by_text(re.compile(r"\bpaul\b")).first).to_be_visible()

    # The gauge asks the server (the invited user's data counted against the password).
    new_password = _listening_new_password(page)
    expect(page.locator("[data-gauge-text]")).to_have_text(t("password.gauge_empty"))
    new_password.press_sequentially(WEAK)
    _expect_gauge(page, "weak")
    new_password.fill("")
    new_password.press_sequentially(STRONG)
    _expect_gauge(page, "strong")

    # The eye button shows the characters, then hides them again.
    eye = page.locator("[data-reveal]")
    expect(eye).to_be_visible()
    expect(eye).to_have_attribute("aria-controls", new_password.get_attribute("id") or "?")
    expect(new_password).to_have_attribute("type", "password")
    eye.click()
    expect(new_password).to_have_attribute("type", "text")
    expect(eye).to_have_text(t("password.hide"))
    eye.click()
    expect(new_password).to_have_attribute("type", "password")
    expect(eye).to_have_text(t("password.show"))

    _confirmation(page).fill(STRONG)
    page.get_by_label(t("invitation.question")).select_option(label=t("secret.question.birth_town"))
    page.get_by_label(t("invitation.answer")).fill("Saint-Étienne")
    _accessible(page, axe)
    screenshot(page, "invitation")

    page.get_by_role("button", name=t("invitation.submit")).click()
    # Signed in; the account's first connection goes on with the contact details.
    _at(page, live_idp.url, "/contacts/confirm")
    _heading(page, "contacts.confirm_title")
    expect(page.get_by_label(t("contacts.email"))).to_have_value("paul@example.org")

    # The link works once.
    response = page.goto(link)
    assert response is not None and response.status == 400
    _heading(page, "invitation.unusable_title")
    expect(page.get_by_role("alert")).to_have_text(t("invitation.used"))
    expect(page.get_by_role("link", name=t("invitation.sign_in"))).to_be_visible()
    _accessible(page, axe)
    screenshot(page, "invitation-used")


# -- 2. the temporary password, then the contact details and the e-mail code ------------------


def _first_connection_user(live_idp) -> None:
    live_idp.factories.user(temporary=True, contacts_confirmed_at=None, email_verified=False)


def test_temporary_password_then_contacts_then_email_code(
    page: Page, live_idp, live_demo_rp, axe, screenshot
):
    _first_connection_user(live_idp)
    page.goto(live_demo_rp.url + "/")
    page.get_by_role("button", name=t("login.submit")).click()
    _at(page, live_idp.url, "/login")
    _sign_in(page)

    # "Changement de votre mot de passe": the temporary password must be personalised.
    _at(page, live_idp.url, "/password/change")
    _heading(page, "password.change_title")
    expect(page.get_by_text(t("password.temporary"))).to_be_visible()
    new_password = _listening_new_password(page)
    for typed, strength in STRONG_STEPS:
        new_password.press_sequentially(typed)
        _expect_gauge(page, strength)
    expect(new_password).to_have_value(STRONG)
    _accessible(page, axe)
    screenshot(page, "personalise-password")

    # A different confirmation: the error is shown and tied to the form (as on sign-in).
    _confirmation(page).fill(STRONG + "!")
    page.get_by_role("button", name=t("password.submit")).click()
    _at(page, live_idp.url, "/password/change")
    alert = page.get_by_role("alert")
    expect(alert).to_have_text(t("password.mismatch"))
    expect(alert).to_be_focused()  # RGAA 11.10: the summary first
    alert_id = alert.get_attribute("id") or "?"
    form = page.locator("main form").filter(has=new_password)
    assert alert_id in _described_by(form) | _described_by(_confirmation(page)), (
        f"the error #{alert_id} is not tied to the form nor to the confirmation field"
    )

    new_password.fill(STRONG)
    _confirmation(page).fill(STRONG)
    page.get_by_role("button", name=t("password.submit")).click()

    # "Confirmation de vos coordonnées": the e-mail prefilled and editable, phones optional.
    _at(page, live_idp.url, "/contacts/confirm")
    _heading(page, "contacts.confirm_title")
    email = page.get_by_label(t("contacts.email"))
    expect(email).to_have_value("marie@example.org")
    expect(email).to_be_editable()
    for key in ("contacts.mobile", "contacts.landline", "contacts.fax"):
        field = page.get_by_label(t(key))
        expect(field).to_be_editable()
        assert not field.evaluate("(input) => input.required"), key
    _accessible(page, axe)
    screenshot(page, "confirm-contacts")

    mobile = page.get_by_label(t("contacts.mobile"))
    mobile.fill("12")
    page.get_by_role("button", name=t("contacts.confirm_submit")).click()
    expect(page.get_by_role("alert")).to_contain_text(t("contacts.fix_errors"))
    expect(page.get_by_role("alert")).to_be_focused()
    mobile = page.get_by_label(t("contacts.mobile"))
    error = page.locator(".field-error")
    expect(error).to_have_text(t("contacts.phone_invalid"))
    assert (error.get_attribute("id") or "?") in _described_by(mobile)
    expect(mobile).to_have_attribute("aria-invalid", "true")
    expect(mobile).to_have_accessible_description(
        re.compile(re.escape(t("contacts.phone_invalid")))
    )
    expect(mobile).to_have_value("12")  # what was typed is kept
    _accessible(page, axe)

    mobile.fill("06 12 34 56 78")
    sent_before = len(emails(live_idp.app))
    page.get_by_role("button", name=t("contacts.confirm_submit")).click()

    # The 4-digit code sent to the address.
    _at(page, live_idp.url, "/contacts/verify")
    _heading(page, "contacts.verify_title")
    expect(page.locator("main")).to_contain_text(t("contacts.code_sent_to") + " marie@example.org")
    assert len(emails(live_idp.app)) == sent_before + 1
    message = last_email(live_idp.app)
    assert message["To"] == "marie@example.org"
    match = CODE.search(text_part(message))
    assert match, text_part(message)
    _accessible(page, axe)
    screenshot(page, "email-code")

    page.get_by_label(t("contacts.code_label")).fill(match.group(1))
    page.get_by_role("button", name=t("contacts.code_submit")).click()
    _at(page, live_idp.url, "/contacts/verified")
    expect(page.get_by_role("status")).to_have_text(t("contacts.verified"))
    _accessible(page, axe)
    screenshot(page, "email-verified")

    # Continue: the demo application's authorization request resumes.
    page.get_by_role("link", name=t("contacts.continue")).click()
    _at(page, live_idp.url, "/consent/")
    _heading(page, "consent.title")


# -- 3b. an empty e-mail field; an account that has no e-mail (ASSU2000) -------------------


def _to_contacts_without_email(page: Page, live_idp, live_demo_rp) -> Locator:
    live_idp.factories.user(email=None, contacts_confirmed_at=None, email_verified=False)
    page.goto(live_demo_rp.url + "/")
    page.get_by_role("button", name=t("login.submit")).click()
    _sign_in(page)
    _at(page, live_idp.url, "/contacts/confirm")
    email = page.get_by_label(t("contacts.email"))
    expect(email).to_have_value("")
    return email


def test_an_empty_email_is_said_at_the_field(page: Page, live_idp, live_demo_rp, axe, screenshot):
    email = _to_contacts_without_email(page, live_idp, live_demo_rp)
    assert email.evaluate("(input) => input.required")
    page.get_by_label(t("contacts.mobile")).fill("06 12 34 56 78")
    page.keyboard.press("Enter")

    # Not a silent reload: the summary names the problem and leads to the field.
    _at(page, live_idp.url, "/contacts/confirm")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(t("contacts.fix_errors"))
    link = alert.get_by_role("link", name=t("contacts.email_required"))
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(
        re.compile(re.escape(t("contacts.email_required")))
    )
    _accessible(page, axe)
    screenshot(page, "confirm-contacts-email-missing")
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "confirm-contacts-email-missing-375")
    link.focus()
    page.keyboard.press("Enter")
    expect(email).to_be_focused()
    assert len(emails(live_idp.app)) == 0


@pytest.mark.parametrize("settings_overrides", [{"contacts": {"email_required": False}}])
def test_an_account_without_email_finishes_its_first_connection(
    page: Page, live_idp, live_demo_rp, axe, screenshot
):
    email = _to_contacts_without_email(page, live_idp, live_demo_rp)
    assert not email.evaluate("(input) => input.required")
    expect(email).to_have_accessible_description(t("contacts.email_hint_optional"))
    _accessible(page, axe)
    screenshot(page, "confirm-contacts-no-email")
    page.get_by_role("button", name=t("contacts.confirm_submit")).focus()
    page.keyboard.press("Enter")

    # The contacts are confirmed without an address: the demo application's request resumes.
    _at(page, live_idp.url, "/consent/")
    assert len(emails(live_idp.app)) == 0


# -- 4. "Abandonner" -------------------------------------------------------------------------


def test_abandon_signs_out(page: Page, live_idp):
    _first_connection_user(live_idp)
    page.goto(live_idp.url + "/login")
    _sign_in(page)
    _at(page, live_idp.url, "/password/change")
    page.get_by_role("button", name=t("password.abandon")).click()
    expect(page).to_have_url(live_idp.url + "/")
    expect(page.get_by_text(t("home.signed_out"))).to_be_visible()
    page.goto(live_idp.url + "/password/change")
    _at(page, live_idp.url, "/login")  # signed out: back to the sign-in page


# -- 5. without JavaScript -------------------------------------------------------------------


def test_personalisation_works_without_javascript(browser: Browser, browser_context_args, live_idp):
    _first_connection_user(live_idp)
    context = browser.new_context(**{**browser_context_args, "java_script_enabled": False})
    try:
        context.set_default_timeout(5_000)
        page = context.new_page()
        page.goto(live_idp.url + "/login")
        _sign_in(page)
        _at(page, live_idp.url, "/password/change")
        expect(page.get_by_text(t("password.temporary"))).to_be_visible()
        expect(page.locator("[data-gauge]")).to_be_hidden()
        expect(page.locator("[data-reveal]")).to_be_hidden()

        _new_password(page).fill(WEAK)
        _confirmation(page).fill(WEAK)
        page.get_by_role("button", name=t("password.submit")).click()
        _at(page, live_idp.url, "/password/change")
        expect(page.get_by_role("alert")).to_contain_text(t("password.too_weak"))

        _new_password(page).fill(STRONG)
        _confirmation(page).fill(STRONG)
        page.get_by_role("button", name=t("password.submit")).click()
        _at(page, live_idp.url, "/contacts/confirm")
        _heading(page, "contacts.confirm_title")
    finally:
        context.close()
