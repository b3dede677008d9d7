"""The console's Journal in Chromium: an auditor filters with the keyboard alone, downloads
the export, reads the chart and its table; axe in French and English; 375 px wide."""

from __future__ import annotations

import csv
import io
import time

import pytest
from playwright.sync_api import Page, expect

from idp.extensions import db
from idp.i18n import text
from idp.services import audit, users
from tests.browser.checks import accessible, no_sideways_scroll, tab_to
from tests.support.console import totp
from tests.support.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser


def t(key: str, **params: object) -> str:
    return text(key, "fr", **params)


@pytest.fixture
def auditor(live_idp) -> str:
    """An auditor, and a trail with Marie's sign-ins, failures and a lock, and a formula."""
    factories = live_idp.factories
    secret = factories.staff("auditor", "auditor")
    factories.user("marie")
    now = int(time.time())
    with live_idp.app.app_context():
        marie = users.find_for_sign_in("marie", "identifier")
        assert marie is not None
        for _ in range(3):
            audit.record("sign_in", "success", at=now - 86400, user_id=marie.id, ip="192.0.2.1")
        for _ in range(2):
            audit.record("sign_in", "invalid_credentials", at=now, user_id=marie.id, ip="192.0.2.9")
        audit.record("account_locked", "locked", at=now, user_id=marie.id, ip="192.0.2.9")
        audit.record("unlock", "success", at=now, user_id=marie.id, by="staff:agent")
        audit.record("sign_in", "invalid_credentials", at=now, identifier="=1+1", ip="192.0.2.9")
        db.session.commit()
    return secret


def _sign_in(page: Page, url: str, secret: str) -> None:
    page.goto(url + "/admin/journal")
    page.get_by_label(t("login.identifier")).fill("auditor")
    page.get_by_label(t("login.password"), exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name=t("admin.continue")).click()
    page.get_by_label(t("admin.code_label")).fill(totp(secret, int(time.time())))
    page.get_by_role("button", name=t("admin.verify")).click()
    expect(page).to_have_url(url + "/admin/journal")


def test_an_auditor_filters_exports_and_reads_the_chart(
    page: Page, live_idp, auditor, axe, screenshot
):
    _sign_in(page, live_idp.url, auditor)
    expect(page.get_by_role("heading", level=1)).to_have_text(t("journal.title"))
    chart = page.get_by_role("img", name=t("journal.chart_title"))
    expect(chart).to_be_visible()
    counts = page.get_by_role("table", name=t("journal.counts_caption"))
    # Newest first. Today: the auditor's own sign-in, 3 failures, 1 lock; yesterday: 3 sign-ins.
    expect(counts.get_by_role("row").nth(1).get_by_role("cell")).to_have_text(["1", "3", "1"])
    expect(counts.get_by_role("row").nth(2).get_by_role("cell")).to_have_text(["3", "0", "0"])
    accessible(page, axe)
    screenshot(page, "admin-journal")

    # The keyboard alone: the account field, then the address, then Enter.
    tab_to(page, page.get_by_label(t("journal.filter_account")))
    page.keyboard.type("marie")
    tab_to(page, page.get_by_label(t("journal.filter_ip")))
    page.keyboard.type("192.0.2.9")
    page.keyboard.press("Enter")
    expect(page).to_have_url(
        f"{live_idp.url}/admin/journal?{_query(account='marie', ip='192.0.2.9')}"
    )
    events = page.get_by_role("table", name=t("journal.caption", page=1, pages=1))
    expect(events.get_by_role("rowheader")).to_have_text(["account_locked", "sign_in", "sign_in"])
    expect(page.get_by_label(t("journal.filter_account"))).to_have_value("marie")

    # The export: a download with the same filters, readable by a spreadsheet.
    with page.expect_download() as started:
        page.get_by_role("link", name=t("journal.export")).click()
    download = started.value
    assert download.suggested_filename.startswith("journal-")
    body = download.path().read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == ["account_locked", "sign_in", "sign_in"]

    # A mistyped account is explained beside its field, what was typed kept.
    page.get_by_label(t("journal.filter_account")).fill("mari")
    page.get_by_role("button", name=t("journal.apply")).click()
    expect(page.get_by_text(t("journal.no_such_account"))).to_be_visible()
    expect(page.get_by_label(t("journal.filter_account"))).to_have_value("mari")
    accessible(page, axe)

    page.goto(live_idp.url + "/admin/journal?ui_locales=en")
    expect(page.get_by_role("heading", level=1)).to_have_text(text("journal.title", "en"))
    accessible(page, axe)

    page.goto(live_idp.url + "/admin/journal?ui_locales=fr")
    page.set_viewport_size({"width": 375, "height": 800})
    no_sideways_scroll(page)
    accessible(page, axe)
    screenshot(page, "admin-journal-375")


def _query(**values: str) -> str:
    """The query string the filter form sends: every field, empty ones included."""
    fields = ("since", "until", "event", "outcome", "account", "client_id", "ip", "staff")
    return "&".join(f"{name}={values.get(name, '')}" for name in fields)
