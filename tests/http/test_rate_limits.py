"""Flask-Limiter on the sign-in form: per IP and per identifier, a localised 429 page."""

from __future__ import annotations

import pytest

from idp.i18n import text
from tests.support.signin import submit


@pytest.fixture
def settings_overrides() -> dict[str, dict[str, object]]:
    return {
        "captcha": {"mode": "never"},
        "ratelimit": {"login_per_ip": "4/minute", "login_per_identifier": "2/minute"},
    }


def test_per_identifier_limit_answers_429_with_retry_after(client, factories, puzzles):
    factories.user()
    for _ in range(2):
        assert submit(client, puzzles, password="wrong").status_code == 200
    limited = submit(client, puzzles, password="wrong")
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert text("error.too_many_requests", "fr", minutes=1).split(".")[0] in limited.get_data(
        as_text=True
    )
    # Another identifier from the same address is not blocked by this one's limit.
    assert submit(client, puzzles, "someone-else", "wrong").status_code == 200


def test_per_ip_limit_covers_every_identifier(client, factories, puzzles):
    for n in range(4):
        assert submit(client, puzzles, f"user{n}", "wrong").status_code == 200
    assert submit(client, puzzles, "user9", "wrong").status_code == 429


def test_429_page_speaks_english_when_asked(client, factories, puzzles):
    for _ in range(2):
        submit(client, puzzles, password="wrong")
    client.get("/login?ui_locales=en")
    limited = submit(client, puzzles, password="wrong", url="/login?ui_locales=en")
    assert limited.status_code == 429
    assert "Too many attempts" in limited.get_data(as_text=True)


def test_reading_the_form_is_not_limited(client):
    for _ in range(10):
        assert client.get("/login").status_code == 200
