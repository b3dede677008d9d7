""" "Gestion des comptes" in Chromium: the list of secondary accounts and the creation page,
audited by axe in French and English, used with the keyboard alone, at 375 px and at 200 %."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from idp.i18n import text
from tests.browser.a11y import describe
from tests.support.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Quatre chevaux galopent vers Nantes"


def t(key: str, **params: object) -> str:
    return text(key, "fr", **params)


def _accessible(page: Page, axe) -> None:
    violations = axe(page)
    assert not violations, describe(violations)


def _no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


def _sign_in(page: Page, url: str, identifier: str = "asp1ent") -> None:
    page.goto(url + "/login")
    page.get_by_label(t("login.identifier")).fill(identifier)
    page.get_by_label(t("login.password"), exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name=t("login.submit")).click()
    expect(page).to_have_url(url + "/account")


def _tab_to(page: Page, target: Locator, limit: int = 80) -> None:
    """Press Tab until `target` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {target}")


@pytest.fixture
def organisation(live_idp) -> Callable[[], None]:
    """The seed's organisation: asp1ent with two services and four secondary accounts."""
    factories = live_idp.factories
    client, _ = factories.client(name="Déclarations")
    factories.service("AED", client.client_id, document_types=("Attestation", "Rectificatif"))
    factories.service("DPAE")
    primary = factories.organisation(quota=2, services=("AED", "DPAE"))
    factories.secondary(primary, "fdn25", email="fdn25@example.org", status="disabled")
    factories.secondary(primary, "tbn1", email="tbn1@example.org", last_login_at=1)
    factories.secondary(primary, "tbn2", services=("AED",), last_login_at=1)
    factories.secondary(primary, "sqdqd")
    return primary


def test_list_page_in_both_languages_on_a_phone_and_zoomed(
    page: Page, browser: Browser, live_idp, organisation, axe, screenshot
):
    _sign_in(page, live_idp.url)
    page.get_by_role("link", name=t("orgpages.link")).click()
    expect(page).to_have_url(live_idp.url + "/account/organisation")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("orgpages.title"))
    main = page.locator("main")
    expect(main).to_contain_text("Monsieur Pierre DUPONT")
    expect(main).to_contain_text(t("orgpages.found", n=4))
    expect(main).to_contain_text(t("orgpages.mailbox_use", used=2, quota=2))
    expect(
        page.get_by_role(
            "button", name=t("orgpages.reactivate_account", identifier="fdn25.asp1ent")
        )
    ).to_be_visible()
    expect(
        page.get_by_role("button", name=t("orgpages.deactivate_account", identifier="tbn1.asp1ent"))
    ).to_be_visible()
    _accessible(page, axe)
    screenshot(page, "org-accounts")

    # Sorting by a header keeps the filters and says the order.
    page.get_by_label(t("orgpages.filter_mailbox")).select_option("no")
    page.get_by_role("button", name=t("orgpages.search")).click()
    expect(main).to_contain_text(t("orgpages.found", n=2))
    page.get_by_role("link", name=t("orgpages.col_name")).click()
    expect(page).to_have_url(live_idp.url + "/account/organisation?mailbox=no&sort=name&order=desc")
    expect(page.get_by_role("columnheader", name=t("orgpages.col_name"))).to_have_attribute(
        "aria-sort", "descending"
    )
    expect(page.get_by_role("rowheader").first).to_have_text("tbn2.asp1ent")

    page.goto(live_idp.url + "/account/organisation?ui_locales=en")
    expect(page.get_by_role("heading", level=1)).to_have_text(text("orgpages.title", "en"))
    _accessible(page, axe)

    page.goto(live_idp.url + "/account/organisation?ui_locales=fr")
    page.set_viewport_size({"width": 375, "height": 800})
    _no_sideways_scroll(page)
    _accessible(page, axe)
    screenshot(page, "org-accounts-375")

    # 200 %: a 1280 px screen zoomed twice lays the page out in 640 CSS px.
    zoomed = browser.new_context(
        viewport={"width": 640, "height": 384}, device_scale_factor=2, locale="fr-FR"
    )
    try:
        zoomed.add_cookies(page.context.cookies())
        other = zoomed.new_page()
        other.goto(live_idp.url + "/account/organisation")
        expect(other.get_by_role("heading", level=1)).to_have_text(t("orgpages.title"))
        _no_sideways_scroll(other)
        other.goto(live_idp.url + "/account/organisation/secondaries/new")
        _no_sideways_scroll(other)
    finally:
        zoomed.close()


def test_create_then_deactivate_with_the_keyboard_alone(page: Page, live_idp, organisation, axe):
    _sign_in(page, live_idp.url)
    page.goto(live_idp.url + "/account/organisation")
    _tab_to(page, page.get_by_role("link", name=t("orgpages.create_link")))
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_idp.url + "/account/organisation/secondaries/new")

    _tab_to(page, page.get_by_label(t("orgpages.name")))
    page.keyboard.type("cs1")
    _tab_to(page, page.get_by_label(t("password.new")))
    page.keyboard.type(NEW_PASSWORD)
    _tab_to(page, page.get_by_label(t("password.confirmation")))
    page.keyboard.type(NEW_PASSWORD)
    _tab_to(page, page.get_by_label(t("orgpages.autonomous")))
    page.keyboard.press("Space")
    select_all = page.get_by_label(t("orgpages.select_all"))
    _tab_to(page, select_all)
    page.keyboard.press("Space")
    expect(page.get_by_role("checkbox", name="AED", exact=False)).to_be_checked()
    expect(page.get_by_role("checkbox", name="DPAE", exact=False)).to_be_checked()
    _tab_to(page, page.get_by_role("button", name=t("orgpages.create_submit")))
    page.keyboard.press("Enter")

    expect(page).to_have_url(live_idp.url + "/account/organisation#notices")
    expect(page.get_by_role("status").first).to_contain_text(
        t("orgpages.created", identifier="cs1.asp1ent")
    )
    # The page opens at the confirmation: the next Tab goes on from there (once the page has
    # loaded: the browser moves its starting point to the fragment then, not at the new URL).
    page.wait_for_load_state("load")
    page.keyboard.press("Tab")
    expect(
        page.get_by_role("link", name=t("orgpages.edit_which", identifier="asp1ent"))
    ).to_be_focused()
    # The table scrolls inside its own box, which shows the focus.
    region = page.locator(".table-scroll")
    _tab_to(page, region)
    assert region.evaluate("el => getComputedStyle(el).outlineStyle") != "none"

    deactivate = page.get_by_role(
        "button", name=t("orgpages.deactivate_account", identifier="cs1.asp1ent")
    )
    _tab_to(page, deactivate)
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text(
        t("orgpages.deactivated", identifier="cs1.asp1ent")
    )
    expect(
        page.get_by_role("button", name=t("orgpages.reactivate_account", identifier="cs1.asp1ent"))
    ).to_be_visible()
    _accessible(page, axe)


def test_create_page_and_the_quota_refusal(page: Page, live_idp, organisation, axe, screenshot):
    _sign_in(page, live_idp.url)
    page.goto(live_idp.url + "/account/organisation/secondaries/new")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("orgpages.create_title"))
    expect(page.get_by_label(t("orgpages.select_all"))).to_be_visible()
    _accessible(page, axe)
    screenshot(page, "org-create")

    # Both mailboxes are used: one more is refused, and what was typed stays.
    page.get_by_label(t("orgpages.name")).fill("cs9")
    page.get_by_label(t("password.new")).fill(NEW_PASSWORD)
    page.get_by_label(t("password.confirmation")).fill(NEW_PASSWORD)
    page.get_by_label(t("orgpages.mailbox")).check()
    page.get_by_label(t("orgpages.email")).fill("cs9@example.org")
    page.get_by_role("button", name=t("orgpages.create_submit")).click()
    expect(page.locator("#form-error")).to_be_focused()
    email = page.get_by_label(t("orgpages.email"))
    expect(email).to_have_value("cs9@example.org")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(t("org.quota_reached", quota=2))
    expect(page.get_by_label(t("orgpages.name"))).to_have_value("cs9")
    expect(page.get_by_label(t("password.new"))).to_have_value("")
    _accessible(page, axe)
    screenshot(page, "org-create-quota")
    page.set_viewport_size({"width": 375, "height": 800})
    _no_sideways_scroll(page)
    page.set_viewport_size({"width": 1024, "height": 768})

    page.goto(live_idp.url + "/account/organisation/secondaries/new?ui_locales=en")
    expect(page.get_by_role("heading", level=1)).to_have_text(text("orgpages.create_title", "en"))
    _accessible(page, axe)
