"""A database that cannot be reached answers 503 with Retry-After: a page for people, OAuth's
`temporarily_unavailable` for API callers (the token fast path included), never a 500.

The app runs against a database that really refuses connections (a PostgreSQL port nobody
listens on, an SQLite file in a folder that does not exist); tests/faults stops a live one.
"""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest
from flask import Flask

from idp import create_app
from tests.conftest import settings_for
from tests.support.oidc import basic


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(params=["postgresql", "sqlite"])
def unreachable(
    request: pytest.FixtureRequest, tmp_path: Path, template_dirs: dict[str, Path]
) -> Flask:
    """A test instance whose database is gone (keys and secrets are files: still there)."""
    shutil.copytree(template_dirs["sqlite"] / "keys", tmp_path / "keys")
    if request.param == "postgresql":
        url = f"postgresql+psycopg://idp@127.0.0.1:{_closed_port()}/idp"
    else:
        url = f"sqlite:///{tmp_path / 'gone' / 'idp.sqlite3'}"
    app = create_app(settings_for(tmp_path, database={"url": url}))
    app.testing = True
    return app


def _retry_after(response) -> None:
    assert response.status_code == 503, response.status_code
    assert response.headers["Retry-After"] == "5"
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("POST", "/token", {"grant_type": "client_credentials"}),
        ("POST", "/token", {"grant_type": "refresh_token", "refresh_token": "r" * 43}),
        ("POST", "/token", {"grant_type": "authorization_code", "code": "c"}),
        ("POST", "/revoke", {"token": "t"}),
        ("POST", "/introspect", {"token": "t"}),
        ("GET", "/userinfo", None),
    ],
)
def test_api_callers_get_temporarily_unavailable(unreachable, method, path, data):
    headers = {"Authorization": "Bearer " + "a" * 43} if path == "/userinfo" else basic("c", "s")
    response = unreachable.test_client().open(path, method=method, data=data, headers=headers)
    _retry_after(response)
    assert response.get_json()["error"] == "temporarily_unavailable"


def test_a_refresh_for_the_fast_path_gets_the_same_answer(unreachable):
    """A well-formed refresh is the fast path's: it hands it on, and the same 503 comes back."""
    response = unreachable.test_client().post(
        "/token",
        data={"grant_type": "refresh_token", "refresh_token": "r" * 43},
        headers=basic("client", "secret"),
    )
    _retry_after(response)
    assert response.content_type == "application/json"
    assert response.get_json()["error"] == "temporarily_unavailable"


@pytest.mark.parametrize(
    "path", ["/authorize?client_id=c&response_type=code&scope=openid", "/login?ref=abc"]
)
def test_pages_say_so_in_french(unreachable, path):
    response = unreachable.test_client().get(path)
    _retry_after(response)
    assert response.content_type.startswith("text/html")
    assert "momentanément indisponible" in response.get_data(as_text=True)


def test_pages_say_so_in_english(unreachable):
    response = unreachable.test_client().get("/login?ref=abc&ui_locales=en")
    _retry_after(response)
    assert "briefly unavailable" in response.get_data(as_text=True)
