"""The console's Envois in Chromium: a helpdesk agent finds the failed message and queues it
again with the keyboard alone; axe in French and English; 375 px wide."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from idp.i18n import text
from idp.services import outbox
from tests.browser.checks import accessible, no_sideways_scroll, tab_to
from tests.support.console import totp
from tests.support.factories import DEFAULT_PASSWORD
from tests.support.outbox import one_in_each_state

pytestmark = pytest.mark.browser

SECRET_CODE = "Provisoire-Secret-7731"


def t(key: str, **params: object) -> str:
    return text(key, "fr", **params)


def test_an_agent_queues_a_failed_message_again(page: Page, live_idp, axe, screenshot):
    secret = live_idp.factories.staff("agent", "assistance")
    queued = one_in_each_state(live_idp.app, int(time.time()), SECRET_CODE)
    failed = queued[outbox.FAILED]
    url = live_idp.url
    page.goto(url + "/admin/deliveries")
    page.get_by_label(t("login.identifier")).fill("agent")
    page.get_by_label(t("login.password"), exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name=t("admin.continue")).click()
    page.get_by_label(t("admin.code_label")).fill(totp(secret, int(time.time())))
    page.get_by_role("button", name=t("admin.verify")).click()
    expect(page).to_have_url(url + "/admin/deliveries")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("deliveries.title"))
    table = page.get_by_role("table", name=t("deliveries.caption", n=3, shown=100))
    newest_first = [queued[s] for s in (outbox.FAILED, outbox.PENDING, outbox.SENT)]
    expect(table.get_by_role("rowheader")).to_have_text([str(n) for n in newest_first])
    expect(page.get_by_text(SECRET_CODE)).to_have_count(0)
    accessible(page, axe)
    screenshot(page, "admin-deliveries")

    # The keyboard alone: the failed ones, then the button of the message, then Enter.
    page.wait_for_load_state("load")
    tab_to(page, page.get_by_role("link", name=t("deliveries.state_failed_count", n=1)))
    page.keyboard.press("Enter")
    expect(page).to_have_url(url + "/admin/deliveries?state=failed")
    page.wait_for_load_state("load")
    tab_to(page, page.get_by_role("button", name=t("deliveries.retry_one", id=failed)))
    page.keyboard.press("Enter")
    expect(page).to_have_url(url + "/admin/deliveries?state=failed#notices")
    notice = page.get_by_role("status")
    expect(notice).to_have_text(t("deliveries.retried", id=failed))
    expect(page.locator("#notices")).to_be_focused()
    expect(page.get_by_text(t("deliveries.none"))).to_be_visible()
    accessible(page, axe)

    page.goto(url + "/admin/deliveries?ui_locales=en")
    expect(page.get_by_role("heading", level=1)).to_have_text(text("deliveries.title", "en"))
    accessible(page, axe)

    page.goto(url + "/admin/deliveries?ui_locales=fr")
    page.set_viewport_size({"width": 375, "height": 800})
    no_sideways_scroll(page)
    accessible(page, axe)
    screenshot(page, "admin-deliveries-375")
