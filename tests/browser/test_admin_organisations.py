"""The console's "Services et organisations" in Chromium: an admin validates a pending
organisation and changes its quota with the keyboard alone; axe in French and English; 375 px."""

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


@pytest.fixture
def console(page: Page, live_idp) -> str:
    """An admin signed in to the console; a pending organisation with two mailboxes in use,
    an open one, a service. Returns the list's URL."""
    factories = live_idp.factories
    client, _ = factories.client(name="Déclarations", client_id="declarations")
    factories.service("DPAE", client.client_id, document_types=("DPAE", "AR"))
    primary = factories.organisation("asp1ent", quota=2, status="pending", services=("DPAE",))
    factories.secondary(primary, "cs1", email="cs1@example.org")
    factories.secondary(primary, "cs2", email="cs2@example.org")
    factories.secondary(primary, "cs3")
    factories.organisation("autre", email="autre@example.org")
    secret = factories.staff("chef", "admin")
    page.goto(live_idp.url + "/admin/login")
    page.get_by_label(t("login.identifier")).fill("chef")
    page.get_by_label(t("login.password"), exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name=t("admin.continue")).click()
    page.get_by_label(t("admin.code_label")).fill(totp(secret, int(time.time())))
    page.get_by_role("button", name=t("admin.verify")).click()
    expect(page).to_have_url(live_idp.url + "/admin")
    return live_idp.url + "/admin/organisations"


def test_validate_then_change_the_quota_with_the_keyboard_alone(
    page: Page, console: str, axe, screenshot
):
    page.goto(console)
    main = page.locator("main")
    expect(main).to_contain_text(t("admin_orgs.found", n=2))
    accessible(page, axe)
    screenshot(page, "admin-organisations")

    # Search by status, then open the pending organisation.
    tab_to(page, page.get_by_label(t("admin_orgs.status")))
    page.keyboard.press("ArrowDown")  # the native select moves to "Demande validée"
    expect(page.get_by_label(t("admin_orgs.status"))).to_have_value("pending")
    tab_to(page, page.get_by_role("button", name=t("admin_orgs.search_button")))
    page.keyboard.press("Enter")
    expect(main).to_contain_text(t("admin_orgs.found", n=1))
    row_link = page.get_by_role("rowheader").get_by_role("link")
    tab_to(page, row_link)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        t("admin_orgs.organisation_title", dossier="")
    )
    expect(main).to_contain_text(t("admin_orgs.secondaries_count", n=3))
    accessible(page, axe)

    tab_to(page, page.get_by_role("button", name=t("admin_orgs.validate")))
    page.keyboard.press("Enter")
    notice = page.get_by_role("status").filter(has_text="validée")
    expect(notice).to_be_visible()
    expect(main).to_contain_text(t("orgpages.state.open"))
    expect(page.get_by_role("button", name=t("admin_orgs.validate"))).to_have_count(0)
    screenshot(page, "admin-organisation")

    tab_to(page, page.get_by_role("link", name=t("admin_orgs.change_quota")))
    page.keyboard.press("Enter")
    quota = page.get_by_label(t("admin_orgs.quota_label"))
    expect(quota).to_be_focused()
    # Below the two mailboxes in use: the service's message, tied to the field.
    page.keyboard.press("Control+A")
    page.keyboard.type("1")
    tab_to(page, page.get_by_role("button", name=t("admin_orgs.save")))
    page.keyboard.press("Enter")
    error = page.locator("#quota-error")
    expect(error).to_have_text(t("org.quota_below_used", used=2))
    expect(quota).to_have_attribute("aria-invalid", "true")
    expect(quota).to_be_focused()
    accessible(page, axe)
    screenshot(page, "admin-organisation-quota-refused")
    page.keyboard.press("Control+A")
    page.keyboard.type("5")
    tab_to(page, page.get_by_role("button", name=t("admin_orgs.save")))
    page.keyboard.press("Enter")
    expect(
        page.get_by_role("status").filter(has_text=t("admin_orgs.quota_changed", quota=5))
    ).to_be_visible()
    expect(main).to_contain_text(t("admin_orgs.mailbox_use", used=2, quota=5))


def test_english_and_a_phone(page: Page, console: str, axe, screenshot):
    for path in ("", "/services", "/services/DPAE", "/services/new", "/services/DPAE/remove"):
        page.goto(f"{console}{path}?ui_locales=en")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        accessible(page, axe)
    page.goto(console + "?ui_locales=fr")
    page.get_by_role("rowheader").get_by_role("link").last.click()
    organisation = page.url
    for url in (organisation, organisation + "/quota", organisation + "/close"):
        page.goto(url + "?ui_locales=en")
        accessible(page, axe)
    page.goto(organisation + "?ui_locales=fr")
    page.get_by_role("link", name=t("admin_orgs.close")).click()
    expect(page.locator("main")).to_contain_text(t("admin_orgs.close_consequence", n=4))
    accessible(page, axe)
    page.goto(console + "/services")
    screenshot(page, "admin-services")
    page.set_viewport_size({"width": 375, "height": 800})
    for url in (
        console,
        organisation,
        organisation + "/quota",
        console + "/services",
        console + "/services/DPAE",
        console + "/services/new",
    ):
        page.goto(url)
        no_sideways_scroll(page)
        accessible(page, axe)
    page.goto(console)
    screenshot(page, "admin-organisations-375")
