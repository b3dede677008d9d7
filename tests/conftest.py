"""Fixtures: a fresh app per test on SQLite (or PostgreSQL/Redis when the environment says)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from idp import create_app
from idp.clock import FrozenClock
from idp.config import Settings, load_settings
from idp.extensions import db
from tests.support.factories import Factories

TEST_DATABASE_URL = os.environ.get("IDP_TEST_DATABASE_URL", "")
TEST_REDIS_URL = os.environ.get("IDP_TEST_REDIS_URL", "")
ISSUER = "http://idp.test"
# Every HTTP test runs on SQLite, and again on PostgreSQL + Redis when CI provides them.
BACKENDS = ["sqlite", *(["postgresql"] if TEST_DATABASE_URL else [])]


def settings_for(base: Path, backend: str = "sqlite", **sections: dict[str, object]) -> Settings:
    """Settings for a test instance under `base` (cheap argon2 parameters, fixed secrets)."""
    database = (
        TEST_DATABASE_URL
        if backend == "postgresql"
        else f"sqlite:///{base / 'instance' / 'idp.sqlite3'}"
    )
    overrides: dict[str, dict[str, object]] = {
        "server": {
            "issuer": ISSUER,
            "instance_dir": str(base / "instance"),
            "secret_key": "test-secret-key-" + "x" * 32,
            "hash_key": "test-hash-key-" + "y" * 32,
        },
        "keys": {"dir": str(base / "keys")},
        "password": {"argon2_time_cost": 1, "argon2_memory_kib": 1024},
        "database": {"url": database},
    }
    if backend == "postgresql" and TEST_REDIS_URL:
        overrides["ratelimit"] = {"storage_uri": TEST_REDIS_URL}
    for section, values in sections.items():
        overrides.setdefault(section, {}).update(values)
    return load_settings(None, overrides=overrides, environ={})


def _migrate(settings: Settings, *, fresh_schema: bool) -> None:
    from flask_migrate import upgrade

    app = create_app(settings)
    with app.app_context():
        if fresh_schema:
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(directory=app.extensions["migrate"].directory)
        runtime = app.extensions["idp"]
        runtime.keys.ensure(runtime.now())
        db.engine.dispose()


@pytest.fixture(scope="session")
def template_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Per backend: a migrated database and signing keys, made once, copied into each test."""
    made = {}
    for backend in BACKENDS:
        base = tmp_path_factory.mktemp(f"template-{backend}")
        _migrate(settings_for(base, backend), fresh_schema=backend == "postgresql")
        made[backend] = base
    return made


def _truncate_postgres() -> None:
    engine = create_engine(TEST_DATABASE_URL)
    names = ", ".join(t.name for t in db.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


def _flush_redis() -> None:
    import redis

    redis.Redis.from_url(TEST_REDIS_URL).flushdb()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def base_dir(tmp_path: Path, template_dirs: dict[str, Path], backend: str) -> Path:
    template = template_dirs[backend]
    shutil.copytree(template / "keys", tmp_path / "keys")
    (tmp_path / "instance").mkdir()
    if backend == "postgresql":
        _truncate_postgres()
        if TEST_REDIS_URL:
            _flush_redis()
    else:
        shutil.copy(template / "instance" / "idp.sqlite3", tmp_path / "instance")
    return tmp_path


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def settings_overrides() -> dict[str, dict[str, object]]:
    """Override in a test module to change settings for its tests."""
    return {}


@pytest.fixture
def app(
    base_dir: Path,
    backend: str,
    clock: FrozenClock,
    settings_overrides: dict[str, dict[str, object]],
) -> Iterator[Flask]:
    app = create_app(settings_for(base_dir, backend, **settings_overrides), clock=clock)
    app.testing = True
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def factories(app: Flask) -> Factories:
    return Factories(app)
