"""Fixtures: a fresh app per test on SQLite (or PostgreSQL/Redis when the environment says)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from sqlalchemy import create_engine, make_url, text

from idp import create_app, schema
from idp.clock import FrozenClock
from idp.config import Settings, load_settings
from idp.extensions import db
from idp.oidc.keys import KeyStore, StoredKey
from tests.support.captcha import KnownPuzzles
from tests.support.factories import ISSUER, Factories
from tests.support.oidc import RelyingParty
from tests.support.outbox import settle

# The FranceConnect v2 double (`franceconnect` fixture) for any test that asks for it.
pytest_plugins = ["tests.support.franceconnect"]


def _worker_index() -> int:
    """Which pytest-xdist worker this is (0 without xdist): `gw3` is 3."""
    return int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))


def _per_worker_database(url: str) -> str:
    """Under pytest-xdist each worker truncates tables between tests: it gets a database of its
    own, named after the configured one (`idp_ci_gw1`), created on first use."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    configured = make_url(url)
    own = configured.set(database=f"{configured.database}_{worker}")
    engine = create_engine(configured, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own.database}
        ).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{own.database}"'))
    engine.dispose()
    return own.render_as_string(hide_password=False)


def _per_worker_redis(url: str) -> str:
    """Worker N uses the Redis database N below the configured one (15, 14, ...)."""
    if not url:
        return url
    parts = urlsplit(url)
    number = (int(parts.path.strip("/") or 0) - _worker_index()) % 16
    return urlunsplit(parts._replace(path=f"/{number}"))


TEST_DATABASE_URL = _per_worker_database(os.environ.get("IDP_TEST_DATABASE_URL", ""))
TEST_REDIS_URL = _per_worker_redis(os.environ.get("IDP_TEST_REDIS_URL", ""))
# Every HTTP test runs on SQLite, and again on PostgreSQL + Redis when CI provides them.
BACKENDS = ["sqlite", *(["postgresql"] if TEST_DATABASE_URL else [])]


def settings_for(base: Path, backend: str = "sqlite", **sections: dict[str, object]) -> Settings:
    """Settings for a test instance under `base` (cheap argon2 parameters, fixed secrets)."""
    return load_settings(None, overrides=overrides_for(base, backend, **sections), environ={})


def overrides_for(
    base: Path, backend: str = "sqlite", **sections: dict[str, object]
) -> dict[str, dict[str, object]]:
    """The configuration of a test instance, section by section (also for server processes)."""
    database = (
        TEST_DATABASE_URL
        if backend == "postgresql"
        else f"sqlite:///{base / 'instance' / 'idp.sqlite3'}"
    )
    overrides: dict[str, dict[str, object]] = {
        "server": {
            "issuer": ISSUER,
            # The test client's default Host.
            "trusted_hosts": "localhost",
            "instance_dir": str(base / "instance"),
            "secret_key": "test-secret-key-" + "x" * 32,
            "hash_key": "test-hash-key-" + "y" * 32,
            # The CLI (another app) changes clients under the test app's feet: see it at once.
            "client_cache_seconds": 0,
        },
        "keys": {"dir": str(base / "keys")},
        "password": {"argon2_time_cost": 1, "argon2_memory_kib": 1024},
        # Protocol tests sign in without a captcha; the sign-in tests turn it on.
        "captcha": {"mode": "never"},
        # Rate limits are tested on their own; elsewhere they would only add noise.
        "ratelimit": {"login_per_ip": "1000/minute", "login_per_identifier": "1000/minute"},
        "database": {"url": database},
        # Tests send in step with their requests (BufferedClient, `settle`), not from a thread.
        "deliveries": {"in_process": False},
    }
    if backend == "postgresql" and TEST_REDIS_URL:
        overrides["ratelimit"]["storage_uri"] = TEST_REDIS_URL
    for section, values in sections.items():
        overrides.setdefault(section, {}).update(values)
    return overrides


def _migrate(settings: Settings, *, fresh_schema: bool) -> None:
    app = create_app(settings)
    with app.app_context():
        if fresh_schema:
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        schema.upgrade(app)
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


class _SharedTemplates(BytecodeCache):
    """Compiled templates shared by the apps of a session (keyed by each template's source)."""

    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self._compiled:
            bucket.bytecode_from_string(self._compiled[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()


SHARED_TEMPLATES = _SharedTemplates()


@pytest.fixture(scope="session", autouse=True)
def _parse_each_key_file_once() -> Iterator[None]:
    """Every test copies the same key files; importing an RSA key costs ~50 ms, so a file's
    parsed key is reused for identical bytes (a rotation writes new bytes: parsed afresh)."""
    original = KeyStore._read
    parsed: dict[bytes, StoredKey] = {}

    def read(path: Path) -> StoredKey:
        data = path.read_bytes()
        if data not in parsed:
            parsed[data] = original(path)
        return parsed[data]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(KeyStore, "_read", staticmethod(read))
        yield


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def base_dir(tmp_path: Path, template_dirs: dict[str, Path], backend: str) -> Path:
    template = template_dirs[backend]
    shutil.copytree(template / "keys", tmp_path / "keys")
    (tmp_path / "instance").mkdir(mode=0o700)
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
def puzzles() -> KnownPuzzles:
    return KnownPuzzles()


class BufferedClient(FlaskClient):
    """Reads each answer whole, as a browser does, then waits for the work the answer left
    running beside it and runs one pass of the delivery worker, so the test sees the outboxes
    as they end up."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("buffered", True)
        response = super().open(*args, **kwargs)
        settle(self.application)
        return response


@pytest.fixture
def app(
    base_dir: Path,
    backend: str,
    clock: FrozenClock,
    puzzles: KnownPuzzles,
    settings_overrides: dict[str, dict[str, object]],
) -> Iterator[Flask]:
    app = create_app(
        settings_for(base_dir, backend, **settings_overrides), clock=clock, puzzles=puzzles
    )
    app.testing = True
    app.test_client_class = BufferedClient
    app.jinja_env.bytecode_cache = SHARED_TEMPLATES
    yield app
    app.extensions["idp.deliveries"].stop()  # a test that turned the thread on
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def factories(app: Flask) -> Factories:
    return Factories(app)


@pytest.fixture
def user(factories: Factories):
    """Marie, with a value for every claim the provider can release."""
    return factories.user(
        given_name="Marie",
        family_name="Dupont",
        email_verified=True,
        phone="+33612345678",
        phone_verified=True,
        street_address="56 rue de Billancourt",
        postal_code="92100",
        locality="Boulogne-Billancourt",
        country="France",
        locale="fr",
    )


@pytest.fixture
def registered(factories: Factories):
    """A confidential client (client_secret_basic) and its secret."""
    return factories.client()


@pytest.fixture
def rp(client: FlaskClient, registered, clock: FrozenClock, user) -> RelyingParty:
    """The registered client's relying party, with Marie's account ready to sign in."""
    registered_client, secret = registered
    return RelyingParty(client, registered_client.client_id, secret, clock=clock)
