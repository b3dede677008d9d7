"""The FranceConnect journey in Chromium, with the keyboard only, against the FranceConnect v2
double: the demo application, our sign-in page, "Revenir" on the double and our refusal page,
then the button again, an identity, "Continuer", "Associer votre compte" by password, and back
to the application with `amr` "fc". Our pages are audited at 1280 and 375 px. Then an account
created from the pivot identity, and a replayed and a forged callback refused."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from idp.extensions import db
from idp.models import FederatedIdentity, User
from idp.services import federation
from tests.browser.a11y import describe
from tests.support.factories import DEFAULT_PASSWORD
from tests.support.franceconnect import (
    IDENTITIES,
    DoubleClient,
    FranceConnectDouble,
    free_port,
    running_franceconnect,
)

pytestmark = pytest.mark.browser

SECRET = "idp-browser-secret-" + "b" * 32
ANGELA = IDENTITIES[0]
MAX_TABS = 60


@pytest.fixture
def double_port() -> int:
    """The double's port, chosen first: our provider's discovery URL names it."""
    return free_port()


@pytest.fixture
def provider_options() -> dict[str, Any]:
    """Extra keys of the provider's table; override with parametrize."""
    return {}


@pytest.fixture
def settings_overrides(double_port: int, provider_options: dict[str, Any]) -> dict[str, Any]:
    return {
        "federation": {
            "providers": [
                {
                    "name": "franceconnect",
                    "label": "FranceConnect",
                    "kind": "franceconnect",
                    "discovery_url": f"http://127.0.0.1:{double_port}/.well-known/openid-configuration",
                    "client_id": "idp-browser",
                    "client_secret": SECRET,
                    "scopes": "openid identite_pivot email",
                    "acr_values": "eidas1",
                    **provider_options,
                }
            ]
        }
    }


@pytest.fixture
def double(live_idp: Any, double_port: int) -> Iterator[FranceConnectDouble]:
    """The double, started once our IdP's URL (its redirect URIs) is known."""
    federation.forget_cache()
    registered = DoubleClient(
        "idp-browser",
        SECRET,
        f"{live_idp.url}/federation/franceconnect/callback",
        f"{live_idp.url}/federation/logged-out",
        "Mon espace",
    )
    with running_franceconnect([registered], port=double_port) as served:
        yield served
    federation.forget_cache()


def tab_to(page: Page, name: str) -> None:
    """Press Tab until the focused element's text is `name` (as a keyboard user does)."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            r"() => (document.activeElement.innerText || document.activeElement.value || '')"
            r".replace(/\s+/g, ' ').trim()"
        )
        if focused == name:
            return
    raise AssertionError(f"{name!r} cannot be reached with Tab on {page.url}")


def accessible(page: Page, axe: Any) -> None:
    violations = axe(page)
    assert not violations, describe(violations)


@pytest.mark.parametrize("width", [1280, 375])
def test_franceconnect_journey_with_the_keyboard(
    page: Page,
    live_idp: Any,
    live_demo_rp: Any,
    double: FranceConnectDouble,
    axe: Any,
    screenshot: Any,
    width: int,
) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    live_idp.factories.user(given_name="Marie", family_name="Dupont")
    page.goto(live_demo_rp.url + "/")
    tab_to(page, "Se connecter")
    page.keyboard.press("Enter")

    # Our sign-in page with its FranceConnect block.
    expect(page).to_have_url(re.compile(re.escape(live_idp.url) + "/login"))
    expect(
        page.get_by_role(
            "heading", name="Se connecter avec FranceConnect (uniquement pour les particuliers)"
        )
    ).to_be_visible()
    accessible(page, axe)
    if width == 1280:
        screenshot(page, "fc-sign-in")

    # "Revenir" on the double: our refusal page, with the way back.
    tab_to(page, "S’identifier avec FranceConnect")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Je choisis un compte")).to_be_visible()
    tab_to(page, "Revenir sur Mon espace")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(live_idp.url) + "/federation/refused"))
    expect(page.get_by_role("alert")).to_contain_text("Vous avez annulé la connexion")
    accessible(page, axe)
    if width == 375:
        screenshot(page, "fc-refused-375")

    # Back to our sign-in page for the same request, and through FranceConnect this time.
    tab_to(page, "Se connecter avec son identifiant et son mot de passe")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(live_idp.url) + r"/login\?ref="))
    tab_to(page, "S’identifier avec FranceConnect")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Je choisis un compte")).to_be_visible()
    tab_to(page, f"{ANGELA['given_name']} {ANGELA['family_name']}")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Vous êtes bien connecté")).to_be_visible()
    tab_to(page, "Continuer sur Mon espace")
    page.keyboard.press("Enter")

    # "Associer votre compte": sign in once with the password.
    expect(page.get_by_role("heading", name="Associer votre compte")).to_be_visible()
    accessible(page, axe)
    if width == 1280:
        screenshot(page, "fc-link")
    tab_to(page, "Me connecter pour associer mon compte")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Associer votre compte")).to_be_visible()
    accessible(page, axe)
    page.get_by_label("Identifiant").focus()
    page.keyboard.type("marie")
    page.get_by_label("Mot de passe", exact=True).focus()  # past "Identifiant oublié ?"
    page.keyboard.type(DEFAULT_PASSWORD)
    page.keyboard.press("Enter")

    # Consent for the demo application, then its page shows how the person signed in.
    expect(page).to_have_url(re.compile(re.escape(live_idp.url) + "/consent/"))
    accessible(page, axe)
    tab_to(page, "Autoriser")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(live_demo_rp.url) + "/claims"))
    id_token = page.get_by_role("table", name="Contenu du jeton d'identité")
    expect(id_token.locator("tr[data-claim=amr] .value")).to_contain_text("fc")
    expect(id_token.locator("tr[data-claim=acr] .value")).to_have_text("eidas1")

    # Signing out of the application ends the double's session too (its confirmation), then
    # comes back to the application: the application's CSP form-action names only our IdP.
    tab_to(page, "Se déconnecter")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Se déconnecter de FranceConnect")).to_be_visible()
    tab_to(page, "Se déconnecter")
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_demo_rp.url + "/")
    page.goto(live_idp.url + "/account")
    expect(page).to_have_url(re.compile(re.escape(live_idp.url) + "/login"))


def through_the_double(page: Page, identity: dict[str, str]) -> str:
    """From our sign-in page, FranceConnect's button, an identity on the double, "Continuer":
    the callback URL the double sent the browser to."""
    callbacks: list[str] = []
    page.on(
        "request",
        lambda request: callbacks.append(request.url) if "/callback?" in request.url else None,
    )
    page.get_by_role("link", name="S’identifier avec FranceConnect").click()
    page.get_by_role("button", name=f"{identity['given_name']} {identity['family_name']}").click()
    page.get_by_role("button", name="Continuer sur Mon espace").click()
    expect(page.get_by_role("heading", name="Associer votre compte")).to_be_visible()
    [callback] = callbacks
    return callback


def refused_with(page: Page, axe: Any, text: str) -> None:
    expect(page).to_have_url(re.compile(r"/federation/refused$"))
    expect(page.get_by_role("alert")).to_contain_text(text)
    expect(page.get_by_role("link", name="Se connecter avec son identifiant")).to_be_visible()
    accessible(page, axe)


@pytest.mark.parametrize(
    "provider_options", [{"create_accounts": True, "categories": "particulier"}]
)
def test_creation_from_the_pivot_identity_then_a_replayed_and_a_forged_callback(
    page: Page, live_idp: Any, double: FranceConnectDouble, axe: Any
) -> None:
    page.goto(live_idp.url + "/login")
    callback = through_the_double(page, ANGELA)

    # The same callback again (history, a reload): refused, nothing linked or made.
    page.goto(callback)
    refused_with(page, axe, "déjà été traitée")
    with live_idp.app.app_context():
        assert db.session.scalars(select(FederatedIdentity)).all() == []

    # The identity that arrived the first time is still waiting: an account from it.
    page.goto(live_idp.url + "/federation/link")
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page).to_have_url(re.compile(re.escape(live_idp.url) + "/contacts/confirm"))
    with live_idp.app.app_context():
        [link] = db.session.scalars(select(FederatedIdentity)).all()
        account = db.session.get(User, link.user_id)
        assert (account.given_name, account.family_name) == (
            ANGELA["given_name"],
            ANGELA["family_name"],
        )
        assert (account.birth_date, account.email) == (ANGELA["birthdate"], ANGELA["email"])
        assert account.category == "particulier" and account.password_hash is None

    # A callback whose state this browser did not send: refused.
    page.goto(live_idp.url + "/login")
    page.get_by_role("link", name="S’identifier avec FranceConnect").click()
    expect(page.get_by_role("heading", name="Je choisis un compte")).to_be_visible()
    forged = urlsplit(callback)._replace(query="state=forged&code=forged")
    page.goto(forged.geturl())
    refused_with(page, axe, "aucune connexion commencée dans ce navigateur")
    with live_idp.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1
        assert len(db.session.scalars(select(FederatedIdentity)).all()) == 1
