"""The demo application end to end in Chromium: sign in, consent, claims, sign out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from clients.demo_rp.views import ERRORS
from tests.browser.a11y import describe
from tests.support.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser

INVALID_CREDENTIALS = "Le couple identifiant / mot de passe est incorrect."
TRIES_LEFT = "Il vous reste 4 essais avant le verrouillage temporaire du compte."


def _marie(live_idp):
    return live_idp.factories.user(
        "marie",
        email="marie@example.org",
        given_name="Marie",
        family_name="Dupont",
        email_verified=True,
        phone="+33612345678",
        street_address="56 rue de Billancourt",
        postal_code="92100",
        locality="Boulogne-Billancourt",
        country="France",
    )


def _at(page: Page, url: str, path: str) -> None:
    expect(page).to_have_url(re.compile("^" + re.escape(url + path)))


def _assert_accessible(page: Page, axe) -> None:
    violations = axe(page)
    assert not violations, describe(violations)


def _sign_in(page: Page, identifier: str, password: str, *, fr: bool = True) -> None:
    page.get_by_label("Identifiant" if fr else "Identifier").fill(identifier)
    page.get_by_label("Mot de passe" if fr else "Password").fill(password)
    page.get_by_role("button", name="Se connecter" if fr else "Sign in").click()


def test_sign_in_consent_claims_and_sign_out(
    page: Page, live_idp, live_demo_rp, axe, screenshot
) -> None:
    marie = _marie(live_idp)
    page.goto(live_demo_rp.url + "/")
    page.get_by_role("button", name="Se connecter").click()

    _at(page, live_idp.url, "/login?ref=")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter")
    expect(page.get_by_text("Application de démonstration", exact=False).first).to_be_visible()
    _assert_accessible(page, axe)
    screenshot(page, "sign-in")

    _sign_in(page, "marie", DEFAULT_PASSWORD)
    _at(page, live_idp.url, "/consent/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Autoriser l'accès à vos informations"
    )
    expect(
        page.get_by_role("listitem").filter(has_text="Votre adresse électronique")
    ).to_have_count(1)
    _assert_accessible(page, axe)
    screenshot(page, "consent")

    page.get_by_role("button", name="Autoriser").click()
    _at(page, live_demo_rp.url, "/claims")
    id_token = page.get_by_role("table", name="Contenu du jeton d'identité")
    expect(id_token.locator("tr[data-claim=sub] .value")).to_have_text(marie.subject)
    expect(id_token.locator("tr[data-claim=iss] .value")).to_have_text(live_idp.url)
    expect(id_token.locator("tr[data-claim=aud] .value")).to_contain_text(
        live_demo_rp.client.client_id
    )
    for claim in ("iat", "exp", "auth_time"):
        expect(id_token.locator(f"tr[data-claim={claim}] .date")).to_have_text(
            re.compile(r"^\d{1,2} \S+ \d{4} à \d\d:\d\d:\d\d \(")
        )
    userinfo = page.get_by_role("table", name="Informations renvoyées par UserInfo")
    expect(userinfo.locator("tr[data-claim=sub] .value")).to_have_text(marie.subject)
    expect(userinfo.locator("tr[data-claim=email] .value")).to_have_text("marie@example.org")
    expect(userinfo.locator("tr[data-claim=given_name] .value")).to_have_text("Marie")
    expect(page.get_by_role("region", name="UserInfo (JSON)")).to_contain_text(
        '"marie@example.org"'
    )
    _assert_accessible(page, axe)
    screenshot(page, "demo-claims")

    page.get_by_role("button", name="Se déconnecter").click()
    _at(page, live_demo_rp.url, "/")
    expect(page).to_have_url(live_demo_rp.url + "/")  # the logout state was checked and dropped
    expect(page.get_by_role("status")).to_have_text(
        "Vous êtes déconnecté de l'application et du fournisseur d'identité."
    )
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)
    _assert_accessible(page, axe)
    screenshot(page, "signed-out")

    # The IdP's session ended too: signing in again asks for the password.
    page.get_by_role("button", name="Se connecter").click()
    _at(page, live_idp.url, "/login?ref=")
    expect(page.get_by_label("Mot de passe")).to_be_visible()


def test_declined_consent_is_said_in_french_by_the_application(
    page: Page, live_idp, live_demo_rp, axe
) -> None:
    _marie(live_idp)
    page.goto(live_demo_rp.url + "/")
    page.get_by_role("button", name="Se connecter").click()
    _sign_in(page, "marie", DEFAULT_PASSWORD)
    _at(page, live_idp.url, "/consent/")
    page.get_by_role("button", name="Refuser").click()

    _at(page, live_demo_rp.url, "/callback")
    expect(page.get_by_role("alert")).to_have_text(ERRORS["declined"])
    expect(page.get_by_text("denied")).to_have_count(0)
    _assert_accessible(page, axe)


@pytest.mark.parametrize("demo_rp_client_options", [{"requires_habilitation": True}])
def test_missing_habilitation_is_said_in_french_by_the_application(
    page: Page, live_idp, live_demo_rp, axe, screenshot
) -> None:
    _marie(live_idp)
    page.goto(live_demo_rp.url + "/")
    page.get_by_role("button", name="Se connecter").click()
    _sign_in(page, "marie", DEFAULT_PASSWORD)
    _at(page, live_idp.url, "/login/habilitation/")
    page.get_by_role("button", name="Retour à l'application").focus()
    page.keyboard.press("Enter")

    _at(page, live_demo_rp.url, "/callback")
    expect(page.get_by_role("alert")).to_have_text(ERRORS["not_habilitated"])
    expect(page.get_by_text(ERRORS["declined"])).to_have_count(0)
    expect(page.get_by_text("denied")).to_have_count(0)
    _assert_accessible(page, axe)
    screenshot(page, "demo-not-habilitated")


@pytest.mark.parametrize("how", ["accept-language", "ui_locales"])
def test_sign_in_page_in_english(
    browser, browser_context_args, live_idp, live_demo_rp, how
) -> None:
    locale = "en-GB" if how == "accept-language" else "fr-FR"
    context = browser.new_context(**{**browser_context_args, "locale": locale})
    try:
        context.set_default_timeout(5_000)
        page = context.new_page()
        page.goto(
            live_demo_rp.url + ("/login" if how == "accept-language" else "/login?ui_locales=en")
        )
        _at(page, live_idp.url, "/login?ref=")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
        expect(page.get_by_label("Identifier")).to_be_visible()
        expect(page.get_by_label("Password")).to_be_visible()
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    finally:
        context.close()


def test_wrong_password_shows_an_error_tied_to_the_form(
    page: Page, live_idp, live_demo_rp, axe, screenshot
) -> None:
    _marie(live_idp)
    page.goto(live_demo_rp.url + "/")
    page.get_by_role("button", name="Se connecter").click()
    _at(page, live_idp.url, "/login?ref=")

    _sign_in(page, "marie", "not-the-password")
    alert = page.get_by_role("alert")
    expect(alert.locator("p")).to_have_text([INVALID_CREDENTIALS, TRIES_LEFT])
    expect(alert).to_be_focused()
    form = page.locator("main form").first  # the sign-in form; "Abandonner" has its own
    expect(form).to_have_attribute("aria-describedby", alert.get_attribute("id") or "?")
    expect(page.get_by_label("Identifiant")).to_have_value("marie")
    expect(page.get_by_label("Mot de passe")).to_have_value("")
    _assert_accessible(page, axe)
    screenshot(page, "sign-in-wrong-password")
