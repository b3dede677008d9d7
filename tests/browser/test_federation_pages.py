"""Sign-in through FranceConnect in Chromium: the button, the upstream's pages (a second
instance of our IdP), "Associer votre compte", "Mon compte" and "Délier", each page audited."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from idp.clock import SystemClock
from idp.services import federation
from tests.browser.a11y import describe
from tests.support.factories import DEFAULT_PASSWORD
from tests.support.upstream import Upstream, serve_upstream

pytestmark = pytest.mark.browser


@pytest.fixture
def upstream(tmp_path: Path, template_dirs: dict[str, Path]) -> Iterator[Upstream]:
    federation.forget_cache()
    (tmp_path / "upstream").mkdir()
    with serve_upstream(tmp_path / "upstream", template_dirs["sqlite"], SystemClock()) as served:
        served.factories.user("jean.fc", email="jean@example.org", given_name="Jean")
        yield served
    federation.forget_cache()


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    """The client secret, written once the upstream knows our port (read at each callback)."""
    path = tmp_path / "fc-secret"
    path.write_text("not yet")
    return path


@pytest.fixture
def settings_overrides(upstream: Upstream, secret_file: Path) -> dict[str, Any]:
    table = upstream.provider(kind="franceconnect", acr_values="eidas1", client_id="idp-aval")
    del table["client_secret"]
    return {"federation": {"providers": [{**table, "client_secret_file": str(secret_file)}]}}


def _accessible(page: Page, axe: Any) -> None:
    violations = axe(page)
    assert not violations, describe(violations)


def test_franceconnect_journey(
    page: Page, live_idp: Any, upstream: Upstream, secret_file: Path, axe: Any, screenshot: Any
) -> None:
    _, secret = upstream.register(live_idp.url, client_id="idp-aval")
    secret_file.write_text(secret)
    live_idp.factories.user()

    page.goto(live_idp.url + "/login")
    expect(
        page.get_by_role(
            "heading", name="Se connecter avec FranceConnect (uniquement pour les particuliers)"
        )
    ).to_be_visible()
    expect(page.get_by_role("link", name="Qu’est-ce que FranceConnect ?")).to_be_visible()
    _accessible(page, axe)
    screenshot(page, "sign-in-franceconnect")
    page.get_by_role("link", name="S’identifier avec FranceConnect").click()

    # The upstream's own sign-in page.
    expect(page).to_have_url(re.compile(re.escape(upstream.url) + "/login"))
    page.get_by_label("Identifiant").fill("jean.fc")
    page.get_by_label("Mot de passe", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    expect(page.get_by_role("heading", name="Associer votre compte")).to_be_visible()
    _accessible(page, axe)
    screenshot(page, "federation-link")
    page.get_by_role("link", name="Me connecter pour associer mon compte").click()
    _accessible(page, axe)
    page.get_by_label("Identifiant").fill("marie")
    page.get_by_label("Mot de passe", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    expect(page.get_by_text("Associé à Fournisseur amont")).to_be_visible()
    _accessible(page, axe)
    page.get_by_role("button", name="Délier Fournisseur amont").click()
    expect(page.get_by_text("Associé à Fournisseur amont")).to_have_count(0)
