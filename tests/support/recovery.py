"""Walking the recovery pages as a browser would: identity, channel, code, answers."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support.captcha import KnownPuzzles
from tests.support.oidc import csrf_token
from tests.support.signin import captcha_ref

CODE = re.compile(r"\b(\d{6})\b")


def post_page(
    http: FlaskClient,
    url: str,
    puzzles: KnownPuzzles | None = None,
    *,
    page: TestResponse | None = None,
    captcha_answer: str | None = None,
    **fields: str,
) -> TestResponse:
    """Post the form found at `url` (its CSRF token, and the sum when it asks one)."""
    page = page or http.get(url)
    html = page.get_data(as_text=True)
    data = {"csrf_token": csrf_token(html), **fields}
    ref = captcha_ref(html)
    if ref:
        assert puzzles is not None, "this page asks a captcha"
        data["captcha_ref"] = ref
        data["captcha_answer"] = (
            captcha_answer if captcha_answer is not None else puzzles.last.answer
        )
    return http.post(url, data=data)


def begin(http: FlaskClient, puzzles: KnownPuzzles, identifier: str) -> str:
    """Submit the identifier; returns the channel page's path."""
    response = post_page(http, "/recovery/password", puzzles, identifier=identifier)
    assert response.status_code == 303, response.status_code
    assert response.location.endswith("/channel"), response.location
    return response.location


def choose(http: FlaskClient, channel_path: str, channel: str = "email") -> TestResponse:
    return post_page(http, channel_path, channel=channel)


def walk_to_code_page(
    http: FlaskClient, puzzles: KnownPuzzles, identifier: str, channel: str = "email"
) -> str:
    response = choose(http, begin(http, puzzles, identifier), channel)
    assert response.status_code == 303 and response.location.endswith("/code"), response.location
    return response.location
