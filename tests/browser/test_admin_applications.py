"""The console's "Applications" in Chromium: an admin registers an application with the
keyboard alone, and the demo relying application signs a user in with exactly the client_id
and secret the page shows; axe in French and English, 375 px wide."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from clients import demo_rp
from idp.i18n import text
from tests.browser.checks import accessible, no_sideways_scroll, tab_to
from tests.browser.conftest import _listening_socket, _serving
from tests.support.console import totp
from tests.support.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser


def t(key: str, locale: str = "fr", **params: object) -> str:
    return text(key, locale, **params)


def _console_sign_in(page: Page, url: str, secret: str) -> None:
    page.goto(url + "/admin/login")
    page.get_by_label(t("login.identifier")).fill("admin")
    page.get_by_label(t("login.password"), exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name=t("admin.continue")).click()
    page.get_by_label(t("admin.code_label")).fill(totp(secret, int(time.time())))
    page.get_by_role("button", name=t("admin.verify")).click()
    expect(page).to_have_url(url + "/admin")


def test_an_admin_registers_an_application_and_the_demo_app_signs_in_with_it(
    page: Page, live_idp, axe, screenshot
):
    secret = live_idp.factories.staff("admin", "admin")
    live_idp.factories.user("marie", email="marie@example.org", given_name="Marie")
    sock = _listening_socket()
    rp_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    _console_sign_in(page, live_idp.url, secret)

    # From the console's home to the form, with the keyboard.
    tab_to(page, page.get_by_role("link", name=t("admin.section_applications")).first)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("admin_apps.title"))
    tab_to(page, page.get_by_role("link", name=t("admin_apps.register")))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("admin_apps.new_title"))
    accessible(page, axe)

    # A mistake first: the message sits beside its field, and what was typed stays.
    tab_to(page, page.get_by_label(t("admin_apps.field_name")))
    page.keyboard.type("Démo console")
    tab_to(page, page.get_by_label(t("admin_apps.field_redirect_uris")))
    page.keyboard.type("http://rp.example/callback")
    submit = page.get_by_role("button", name=t("admin_apps.submit_register"))
    tab_to(page, submit)
    page.keyboard.press("Enter")
    refusal = t("clients.redirect_uris_not_https", uri="http://rp.example/callback")
    expect(page.locator("#redirect_uris-error")).to_have_text(refusal)
    expect(page.get_by_label(t("admin_apps.field_name"))).to_have_value("Démo console")
    expect(page.get_by_label(t("admin_apps.field_redirect_uris"))).to_have_attribute(
        "aria-describedby", "redirect_uris-hint redirect_uris-error"
    )
    accessible(page, axe)
    page.set_viewport_size({"width": 375, "height": 800})
    no_sideways_scroll(page)
    screenshot(page, "admin-applications-form")
    page.set_viewport_size({"width": 1280, "height": 800})

    # The error summary's link leads to the field; the address is corrected there.
    tab_to(page, page.locator("#form-error a"))
    page.keyboard.press("Enter")
    uris = page.get_by_label(t("admin_apps.field_redirect_uris"))
    tab_to(page, uris)
    page.keyboard.press("Control+A")
    page.keyboard.type(f"{rp_url}/callback")
    tab_to(page, page.get_by_label(t("admin_apps.field_post_logout_redirect_uris")))
    page.keyboard.type(f"{rp_url}/")
    tab_to(page, submit)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Démo console")
    expect(page.get_by_role("status").first).to_contain_text(
        t("admin_apps.registered", name="Démo console")
    )
    client_id = page.locator("#client-id").inner_text()
    client_secret = page.locator("#client-secret").inner_text()
    assert client_id and len(client_secret) > 30
    expect(page.locator("#discovery-url")).to_have_text(
        live_idp.url + "/.well-known/openid-configuration"
    )
    expect(page.locator("pre").first).to_contain_text(f'client_secret="{client_secret}"')
    # The copy button (the script's) tells screen readers it worked.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_idp.url)
    copy = page.get_by_role("button", name=t("admin_apps.copy"))
    tab_to(page, copy)
    page.keyboard.press("Enter")
    expect(page.locator("#copy-status")).to_have_text(t("admin_apps.copied"))
    assert page.evaluate("() => navigator.clipboard.readText()") == client_secret
    accessible(page, axe)
    page.set_viewport_size({"width": 375, "height": 800})
    no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    screenshot(page, "admin-applications-registered")

    # In English, the application's page no longer shows the secret.
    page.goto(f"{live_idp.url}/admin/applications/{client_id}?ui_locales=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=2, name=t("admin_apps.config_title", "en")))
    assert client_secret not in page.content()
    accessible(page, axe)
    page.goto(f"{live_idp.url}/admin/applications/new?ui_locales=en")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("admin_apps.new_title", "en"))
    accessible(page, axe)
    page.goto(f"{live_idp.url}/admin/applications?ui_locales=en")
    expect(page.get_by_role("table")).to_contain_text(client_id)
    accessible(page, axe)
    page.set_viewport_size({"width": 375, "height": 800})
    no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 800})

    # The demo relying application, configured with what the page showed, signs Marie in.
    credentials = {
        "issuer": live_idp.url,
        "client_id": client_id,
        "client_secret": client_secret,
        "redirect_uri": f"{rp_url}/callback",
        "post_logout_redirect_uri": f"{rp_url}/",
    }
    with _serving(demo_rp.create_app(credentials), sock):
        page.goto(rp_url + "/")
        page.get_by_role("button", name="Se connecter").click()
        expect(page).to_have_url(re.compile("^" + re.escape(live_idp.url + "/login?ref=")))
        page.get_by_label(t("login.identifier")).fill("marie")
        page.get_by_label(t("login.password"), exact=True).fill(DEFAULT_PASSWORD)
        page.get_by_role("button", name=t("login.submit")).click()
        page.get_by_role("button", name=t("consent.approve")).click()
        expect(page).to_have_url(rp_url + "/claims")
        id_token = page.get_by_role("table", name="Contenu du jeton d'identité")
        expect(id_token.locator("tr[data-claim=aud] .value")).to_contain_text(client_id)
        expect(id_token.locator("tr[data-claim=iss] .value")).to_have_text(live_idp.url)
