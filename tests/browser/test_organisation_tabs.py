"""The "Modifier" tabs of "Gestion des comptes" in Chromium: axe in French and English, the
keyboard alone, a phone's width and 200 % zoom, and the screenshots of each tab."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from idp.clock import FrozenClock
from idp.i18n import text
from tests.browser.a11y import describe
from tests.support.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser

OWN = "/account/organisation/account"
SECONDARY = "/account/organisation/secondaries/cs1.asp1ent"
TABS = ("identity", "options", "billing", "password")


@pytest.fixture
def live_idp_options(clock: FrozenClock) -> dict[str, Any]:
    return {"clock": clock}


@pytest.fixture
def organisation(live_idp) -> None:
    """asp1ent with three services (AED with document types), and cs1 without a mailbox."""
    factories = live_idp.factories
    aed, _ = factories.client(name="AED")
    dpae, _ = factories.client(name="DPAE")
    factories.service("AED", aed.client_id, document_types=("Attestation", "Certificat"))
    factories.service("DPAE", dpae.client_id)
    factories.service("DSI", dpae.client_id)
    primary = factories.organisation(services=("AED", "DPAE"), quota=2)
    factories.secondary(primary, "cs1", services=("DPAE",))


def sign_in(page: Page, url: str) -> None:
    page.goto(url + "/login")
    page.get_by_label(text("login.identifier", "fr")).fill("asp1ent")
    page.get_by_label(text("login.password", "fr"), exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name=text("login.submit", "fr")).click()
    expect(page).to_have_url(url + "/account")


def accessible(page: Page, axe) -> None:
    violations = axe(page)
    assert not violations, describe(violations)


def no_horizontal_scroll(page: Page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, overflow


def test_every_tab_in_french_and_english(page: Page, live_idp, organisation, axe, screenshot):
    sign_in(page, live_idp.url)
    for locale in ("fr", "en"):
        for tab in TABS:
            page.goto(f"{live_idp.url}{OWN}/{tab}?ui_locales={locale}")
            expect(page.locator("html")).to_have_attribute("lang", locale)
            current = page.locator('nav a[aria-current="page"]')
            expect(current).to_have_text(text(f"org_tabs.tab.{tab}", locale))
            expect(page.get_by_role("link", name=text("org_tabs.back", locale))).to_have_attribute(
                "href", f"/account/organisation?ui_locales={locale}"
            )
            accessible(page, axe)
            if locale == "fr":
                screenshot(page, f"org-tab-{tab}")
        for tab in ("identity", "options", "password"):
            page.goto(f"{live_idp.url}{SECONDARY}/{tab}?ui_locales={locale}")
            expect(
                page.get_by_text(text("org_tabs.profile.secondary", locale), exact=True)
            ).to_be_visible()
            accessible(page, axe)


def test_mailbox_warning_after_giving_a_secondary_a_mailbox(
    page: Page, live_idp, organisation, axe, screenshot
):
    sign_in(page, live_idp.url)
    page.goto(f"{live_idp.url}{SECONDARY}/options")
    page.get_by_label(text("org_tabs.mailbox", "fr")).check()
    page.get_by_label(text("org_tabs.mailbox_email", "fr")).fill("cs1@example.org")
    page.get_by_role("button", name=text("org_tabs.save", "fr")).click()
    warning = page.get_by_role("alert")
    expect(warning).to_have_text(
        "ATTENTION : pour pouvoir accéder à sa boite mail, le titulaire du compte secondaire "
        "devra impérativement réinitialiser son mot de passe"
    )
    # Not a blocking dialog: the form is still there to use.
    expect(page.get_by_label(text("org_tabs.mailbox", "fr"))).to_be_checked()
    accessible(page, axe)
    screenshot(page, "org-secondary-options-warning")


def tab_until(page: Page, element_id: str, presses: int = 80) -> None:
    """Move the focus with Tab alone until it is on the element `element_id`."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.id") == (
            element_id
        ):
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def test_keyboard_only_change_a_service_with_a_stale_sign_in(
    page: Page, live_idp, organisation, clock
):
    sign_in(page, live_idp.url)
    clock.advance(16 * 60)
    page.goto(f"{live_idp.url}{OWN}/options")
    dsi = page.get_by_role("checkbox", name="DSI")
    dsi_id = dsi.get_attribute("id")
    assert dsi_id is not None
    expect(dsi).not_to_be_checked()
    tab_until(page, dsi_id)
    page.keyboard.press("Space")
    expect(dsi).to_be_checked()
    tab_until(page, "current_password")
    page.keyboard.type(DEFAULT_PASSWORD)
    page.keyboard.press("Enter")  # the form's default button saves
    expect(page.get_by_role("status").first).to_have_text(text("org_tabs.saved", "fr"))
    expect(page.get_by_role("checkbox", name="DSI")).to_be_checked()
    expect(page.locator("#current_password")).to_have_count(0)


def test_select_all_and_copy_at_once_with_the_script(page: Page, live_idp, organisation):
    sign_in(page, live_idp.url)
    page.goto(f"{live_idp.url}{OWN}/options")
    page.get_by_role("button", name=text("org_tabs.select_all", "fr")).click()
    for code in ("AED", "DPAE", "DSI"):
        expect(page.get_by_role("checkbox", name=code)).to_be_checked()
    expect(page).to_have_url(f"{live_idp.url}{OWN}/options")  # no round trip
    page.goto(f"{live_idp.url}{OWN}/identity")
    page.locator("#technical button[data-copy]").click()
    expect(page.locator("#technical_name")).to_have_value("Pierre DUPONT")
    expect(page.locator("#technical_email")).to_have_value("responsable@example.org")


@pytest.mark.parametrize("width", [375, 640])  # a phone; 200 % zoom of a 1280-pixel window
def test_narrow_screens(browser: Browser, live_idp, organisation, screenshot, width: int):
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="fr-FR")
    try:
        page = context.new_page()
        sign_in(page, live_idp.url)
        for tab in TABS:
            page.goto(f"{live_idp.url}{OWN}/{tab}")
            no_horizontal_scroll(page)
            if width == 375 and tab == "identity":
                screenshot(page, "org-tab-identity-375")
            if width == 375 and tab == "options":
                screenshot(page, "org-tab-options-375")
        page.goto(f"{live_idp.url}{SECONDARY}/options")
        no_horizontal_scroll(page)
    finally:
        context.close()
