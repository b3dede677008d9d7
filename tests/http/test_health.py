"""The probes: `/healthz` answers from the process alone, `/readyz` asks the database and,
when the rate limits are counted there, Redis; both uncached and unauthenticated.

Unreachable means a port nobody listens on (or an SQLite file in a folder that does not
exist); tests/faults/test_health.py stops live servers.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask

from idp import create_app
from tests.conftest import TEST_REDIS_URL, settings_for
from tests.http.test_unavailable import _closed_port


def test_healthz_says_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_says_ready_and_what_it_asked(client, backend):
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.headers["Cache-Control"] == "no-store"
    redis = ["redis"] if backend == "postgresql" and TEST_REDIS_URL else []
    assert response.get_json() == {"status": "ok", "checked": ["database", *redis], "failed": []}


def test_probes_need_no_session_and_set_no_cookie(client):
    for path in ("/healthz", "/readyz"):
        response = client.get(path)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers


def _app(base: Path, template_dirs: dict[str, Path], **sections: dict[str, object]) -> Flask:
    shutil.copytree(template_dirs["sqlite"] / "keys", base / "keys")
    app = create_app(settings_for(base, **sections))
    app.testing = True
    return app


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
def test_without_a_database_alive_but_not_ready(tmp_path, template_dirs, kind):
    if kind == "postgresql":
        url = f"postgresql+psycopg://idp@127.0.0.1:{_closed_port()}/idp"
    else:
        url = f"sqlite:///{tmp_path / 'gone' / 'idp.sqlite3'}"
    client = _app(tmp_path, template_dirs, database={"url": url}).test_client()
    alive = client.get("/healthz")
    assert (alive.status_code, alive.get_data(as_text=True)) == (200, "ok")
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.headers["Cache-Control"] == "no-store"
    assert ready.get_json()["failed"] == ["database"]


def test_without_redis_not_ready(tmp_path, template_dirs):
    storage = f"redis://127.0.0.1:{_closed_port()}/0"
    client = _app(tmp_path, template_dirs, ratelimit={"storage_uri": storage}).test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json() == {
        "status": "unavailable",
        "checked": ["database", "redis"],
        "failed": ["redis"],
    }
    assert client.get("/healthz").status_code == 200
