"""Submitting the hosted sign-in form as a browser would, captcha included."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support.captcha import KnownPuzzles
from tests.support.factories import DEFAULT_PASSWORD
from tests.support.oidc import csrf_token

CAPTCHA_REF = re.compile(r'name="captcha_ref" type="hidden" value="([^"]*)"')
# Values that differ on every page even for the same input: CSRF token, captcha reference.
VOLATILE = [
    re.compile(r'(name="csrf_token" type="hidden" value=")[^"]+'),
    re.compile(r'(name="csrf_token" value=")[^"]+'),
    re.compile(r'(name="captcha_ref" type="hidden" value=")[^"]*'),
    re.compile(r"(/captcha/)[A-Za-z0-9_-]+"),
    re.compile(r"(/recovery/(?:password|identifier)/)[A-Za-z0-9_-]+"),
]


def captcha_ref(html: str) -> str | None:
    match = CAPTCHA_REF.search(html)
    return match.group(1) if match and match.group(1) else None


def stable_body(response: TestResponse) -> str:
    """The page without its per-request tokens, to compare two answers."""
    body = response.get_data(as_text=True)
    for pattern in VOLATILE:
        body = pattern.sub(r"\1…", body)
    return body


def submit(
    http: FlaskClient,
    puzzles: KnownPuzzles,
    identifier: str = "marie",
    password: str = DEFAULT_PASSWORD,
    *,
    url: str = "/login",
    captcha_answer: str | None = None,
    page: TestResponse | None = None,
) -> TestResponse:
    """Fetch the form (unless given), fill it (the right captcha answer by default), post it."""
    page = page or http.get(url)
    html = page.get_data(as_text=True)
    data = {"csrf_token": csrf_token(html), "identifier": identifier, "password": password}
    ref = captcha_ref(html)
    if ref:
        data["captcha_ref"] = ref
        data["captcha_answer"] = (
            captcha_answer if captcha_answer is not None else puzzles.last.answer
        )
    return http.post(url, data=data)
