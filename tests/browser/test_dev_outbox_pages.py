"""The development outbox in Chromium: readable on a 375 px telephone, without sideways scroll."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from idp.i18n import text
from idp.notify.postal import PostalAddress
from tests.browser.a11y import describe

pytestmark = pytest.mark.browser

# Long addresses and subjects are what pushed the table wider than a telephone.
LONG_EMAIL = "marie-christine.dupont-de-la-villardiere@services-publics-exemple.org"


@pytest.fixture
def settings_overrides() -> dict[str, dict[str, object]]:
    return {"server": {"development": True}}


def _fill_outbox(app) -> None:
    runtime = app.extensions["idp"]
    with app.app_context():
        runtime.mailer.send(
            LONG_EMAIL,
            "invitation",
            locale="fr",
            identifier="marie-christine.dupont",
            link="http://idp.test/invitation/abc.def",
            expires_hours=72,
        )
        runtime.sms.send("+33612345678", "recovery_code", locale="fr", code="482193", minutes=30)
        runtime.letters.send(
            PostalAddress(
                name="Mme Marie-Christine Dupont de la Villardière",
                lines=("Appartement 12", "56 rue de Billancourt"),
                postal_code="92100",
                city="Boulogne-Billancourt",
            ),
            "recovery_code",
            locale="fr",
            code="48219375",
            days=15,
        )


@pytest.mark.parametrize("width", [375, 1280])
def test_outbox_fits_the_screen(page: Page, live_idp, axe, screenshot, width: int) -> None:
    _fill_outbox(live_idp.app)
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(live_idp.url + "/dev/outbox")
    expect(page.get_by_role("heading", level=1)).to_have_text(text("dev.outbox.title", "fr"))
    expect(page.get_by_text(LONG_EMAIL)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    violations = axe(page)
    assert not violations, describe(violations)
    screenshot(page, f"dev-outbox-{width}")
    # Each message opens from the keyboard.
    page.locator('main a[href$=".eml"]').focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/dev/outbox/[^/]+\.eml$"))
    expect(page.get_by_text(LONG_EMAIL).first).to_be_visible()
    # Measured once the style sheet applies: the URL changes before the page's "load", and
    # unstyled, the message's lines are as wide as they were written.
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
