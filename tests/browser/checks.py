"""What the page tests check on every page: reached with the keyboard, no sideways scroll,
no serious axe violation. (Older modules keep private copies of these; new ones import.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import Locator, Page

from tests.browser.a11y import describe


def accessible(page: Page, axe: Callable[[Page], list[dict[str, Any]]]) -> None:
    violations = axe(page)
    assert not violations, describe(violations)


def no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


def tab_to(page: Page, target: Locator, limit: int = 80) -> None:
    """Press Tab until `target` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {target}")
