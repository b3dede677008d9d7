""" "Comptes" in Chromium: an agent finds a locked account, unlocks it and sends a temporary
password, with the keyboard alone; axe in French and English; 375 px without sideways scroll."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from idp.extensions import db
from idp.i18n import text
from tests.browser.checks import accessible, no_sideways_scroll, tab_to
from tests.support.console import sign_in_page
from tests.support.outbox import last_email, text_part

pytestmark = pytest.mark.browser


def t(key: str, **params: object) -> str:
    return text(key, "fr", **params)


@pytest.fixture
def locked_marie(live_idp) -> int:
    """Marie, who signed in before, locked by failed sign-ins; returns her account's id."""
    factories = live_idp.factories
    marie = factories.user(
        "marie",
        given_name="Marie",
        family_name="Dupont",
        phone="+33612345678",
        last_login_at=int(time.time()) - 86400,
    )
    factories.user("mdurand", email="m.durand@example.org", last_login_at=1)
    rt = live_idp.app.extensions["idp"]
    with live_idp.app.app_context():
        for _ in range(rt.settings.lockout.max_attempts):
            rt.lockout.fail(rt.lockout.reserve("marie", now=rt.now()), now=rt.now())
        db.session.commit()
    return marie.id


def test_agent_unlocks_and_sends_a_temporary_password_with_the_keyboard(
    page: Page, live_idp, locked_marie, axe, screenshot
):
    secret = live_idp.factories.staff("agent", "assistance")
    sign_in_page(page, live_idp.url, "agent", secret)

    # Comptes, then a search for the locked accounts, Tab and Enter only.
    nav = page.get_by_role("navigation", name=t("admin.nav"))
    accounts_link = nav.get_by_role("link", name=t("admin.section_accounts"))
    tab_to(page, accounts_link)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("accounts.title"))
    tab_to(page, page.get_by_label(t("accounts.filter_text")))
    page.keyboard.type("dupont")
    page.keyboard.press("Enter")
    main = page.locator("main")
    expect(main).to_contain_text(t("accounts.found", n=1))
    expect(main).to_contain_text(t("accounts.state_locked"))
    accessible(page, axe)
    screenshot(page, "admin-accounts-search")

    tab_to(page, page.get_by_role("link", name="marie", exact=True))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t("accounts.account_title", identifier="marie")
    )
    accessible(page, axe)
    screenshot(page, "admin-accounts-file")

    tab_to(page, page.get_by_role("button", name=t("accounts.unlock")))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(t("accounts.unlocked", identifier="marie"))
    expect(page.get_by_role("button", name=t("accounts.unlock"))).to_have_count(0)

    # The e-mail channel is chosen first; the agent sends without ever seeing the password.
    tab_to(page, page.get_by_role("radio", name=t("accounts.channel_email")))
    tab_to(page, page.get_by_role("button", name=t("accounts.send_temporary")))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(
        t("accounts.temporary_sent_email", identifier="marie")
    )
    message = text_part(last_email(live_idp.app))
    temporary = re.search(r"provisoire\s*:\s*(\S+)", message)
    assert temporary, message
    assert temporary.group(1) not in page.content()
    accessible(page, axe)

    page.goto(f"{live_idp.url}/admin/accounts/{locked_marie}?ui_locales=en")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        text("accounts.account_title", "en", identifier="marie")
    )
    accessible(page, axe)
    page.goto(f"{live_idp.url}/admin/accounts?q=m&ui_locales=en")
    accessible(page, axe)

    page.goto(f"{live_idp.url}/admin/accounts?q=m&ui_locales=fr")
    page.set_viewport_size({"width": 375, "height": 800})
    no_sideways_scroll(page)
    accessible(page, axe)
    screenshot(page, "admin-accounts-375")
    page.goto(f"{live_idp.url}/admin/accounts/{locked_marie}")
    no_sideways_scroll(page)
    accessible(page, axe)
