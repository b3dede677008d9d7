"""`/readyz` follows live servers going away and coming back; `/healthz` stays 200 throughout
(a database outage is no reason to restart the worker)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from idp import create_app
from idp.extensions import db
from tests.conftest import settings_for

pytestmark = pytest.mark.faults


def test_readyz_follows_the_database_and_redis(
    tmp_path: Path, template_dirs: dict[str, Path], private_postgres, private_redis
):
    shutil.copytree(template_dirs["sqlite"] / "keys", tmp_path / "keys")
    settings = settings_for(
        tmp_path,
        database={"url": private_postgres.url},
        ratelimit={"storage_uri": private_redis.url},
    )
    app = create_app(settings)
    http = app.test_client()

    def ready() -> tuple[int, list[str]]:
        assert http.get("/healthz").status_code == 200
        response = http.get("/readyz")
        return response.status_code, response.get_json()["failed"]

    try:
        assert ready() == (200, [])
        private_redis.stop()
        assert ready() == (503, ["redis"])
        private_postgres.stop()
        assert ready() == (503, ["database", "redis"])
        private_redis.start()
        assert ready() == (503, ["database"])
        private_postgres.start()
        assert ready() == (200, [])
    finally:
        with app.app_context():
            db.engine.dispose()
