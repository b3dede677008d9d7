"""Signing in to the operators' console from tests, through its real pages."""

from __future__ import annotations

import re
import time

import pyotp
from flask.testing import FlaskClient
from playwright.sync_api import Page, expect

from idp.i18n import text
from tests.support.factories import DEFAULT_PASSWORD
from tests.support.oidc import csrf_token

COOKIE = "idp_admin"


def totp(secret: str, at: int) -> str:
    """The code the authenticator app shows at `at` (seconds since the epoch)."""
    return pyotp.TOTP(secret).at(at)


def console_sign_in(
    http: FlaskClient, identifier: str, secret: str, *, at: int, password: str = DEFAULT_PASSWORD
) -> None:
    """Password, then the app's code at `at`; asserts the console home answers after."""
    page = http.get("/admin/login").get_data(as_text=True)
    answer = http.post(
        "/admin/login",
        data={"identifier": identifier, "password": password, "csrf_token": csrf_token(page)},
    )
    assert answer.status_code == 303, answer.get_data(as_text=True)[:500]
    assert "/admin/login/code" in answer.headers["Location"], answer.headers["Location"]
    page = http.get("/admin/login/code").get_data(as_text=True)
    answer = http.post(
        "/admin/login/code", data={"code": totp(secret, at), "csrf_token": csrf_token(page)}
    )
    assert answer.status_code == 303, answer.get_data(as_text=True)[:500]
    assert http.get("/admin").status_code == 200


def form_token(http: FlaskClient, path: str) -> str:
    """The CSRF token of the page at `path` (the session's: valid for every form)."""
    return csrf_token(http.get(path).get_data(as_text=True))


def enrolment_secret(page: str) -> str:
    """The key the enrolment page shows (grouped by four for reading)."""
    match = re.search(r'<p class="secret"><code>([A-Z2-7 ]+)</code></p>', page)
    assert match, "no key on the enrolment page"
    return match.group(1).replace(" ", "")


def sign_in_page(
    page: Page, url: str, identifier: str, secret: str, *, path: str = "/admin"
) -> None:
    """In Chromium: open `path`, sign in on the console's pages (password, then the code the
    app shows now), and land back on `path`."""
    page.goto(url + path)
    page.get_by_label(text("login.identifier", "fr")).fill(identifier)
    page.get_by_label(text("login.password", "fr"), exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name=text("admin.continue", "fr")).click()
    page.get_by_label(text("admin.code_label", "fr")).fill(totp(secret, int(time.time())))
    page.get_by_role("button", name=text("admin.verify", "fr")).click()
    expect(page).to_have_url(url + path)
