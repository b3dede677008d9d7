"""Private PostgreSQL and Redis servers that a test may stop, and the IdP served by gunicorn.

The shared servers (5432, 6379) are never touched: each fault test gets its own, on free
ports, removed at the end. The IdP runs in a real server process, as in production, so that
a fault reaches it the way it would there (pooled connections broken under its feet).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import requests

from idp import create_app, schema
from idp.config import load_settings
from idp.extensions import db
from tests.support.factories import Factories

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, seconds: float, what: str) -> float:
    """Poll `check` until it is true; the seconds it took (fails after `seconds`)."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > seconds:
            raise AssertionError(f"{what}: not within {seconds} s")
        time.sleep(0.05)
    return time.monotonic() - started


class PrivatePostgres:
    """A throw-away cluster (initdb refuses root: it runs as the postgres user)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/idp"

    def _pg(self, *args: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *args],
            check=True,
            capture_output=True,
            cwd="/",
        )

    def create(self) -> None:
        shutil.chown(self.folder, "postgres")
        data = str(self.folder / "data")
        self._pg(str(PG_BIN / "initdb"), "-D", data, "-A", "trust", "-U", "postgres")
        self.start()
        dsn = f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("CREATE DATABASE idp")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        data, log = str(self.folder / "data"), str(self.folder / "log")
        self._pg(str(PG_BIN / "pg_ctl"), "-D", data, "-o", options, "-l", log, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._pg(str(PG_BIN / "pg_ctl"), "-D", str(self.folder / "data"), "-m", mode, "-w", "stop")


class PrivateRedis:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        subprocess.run(
            [
                "redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--daemonize", "yes",
                "--pidfile", str(self.folder / "redis.pid"),
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
        wait_until(self._answers, 5, "redis start")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        pid = int((self.folder / "redis.pid").read_text())
        os.kill(pid, 15)
        wait_until(lambda: not self._answers(), 5, "redis stop")


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    folder = Path(tempfile.mkdtemp(prefix="idp-faults-pg-"))
    server = PrivatePostgres(folder)
    try:
        server.create()
        yield server
    finally:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D",
             str(folder / "data"), "-m", "immediate", "stop"],
            capture_output=True,
            cwd="/",
        )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    folder = Path(tempfile.mkdtemp(prefix="idp-faults-redis-"))
    server = PrivateRedis(folder)
    server.start()
    try:
        yield server
    finally:
        if server._answers():
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class LiveIdP:
    url: str
    factories: Factories
    app: object
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def live_idp(
    tmp_path: Path, private_postgres: PrivatePostgres, private_redis: PrivateRedis
) -> Iterator[LiveIdP]:
    """The IdP on the private servers, served by gunicorn (one worker, four threads)."""
    port = free_port()
    config = tmp_path / "idp.toml"
    config.write_text(
        f"""
[server]
issuer = "http://127.0.0.1:{port}"
secret_key = "faults-secret-key-{"x" * 32}"
hash_key = "faults-hash-key-{"y" * 32}"
instance_dir = "instance"
[database]
url = "{private_postgres.url}"
[keys]
dir = "keys"
[ratelimit]
storage_uri = "{private_redis.url}"
login_per_identifier = "8/minute"
[captcha]
mode = "never"
[password]
argon2_time_cost = 1
argon2_memory_kib = 1024
"""
    )
    settings = load_settings(config, environ={})
    app = create_app(settings)
    schema.upgrade(app)
    with app.app_context():
        app.extensions["idp"].keys.ensure(app.extensions["idp"].now())
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "-w", "1", "-k", "gthread", "--threads", "4",
                "-b", f"127.0.0.1:{port}", "--graceful-timeout", "1", "wsgi:app",
            ],
            cwd=ROOT,
            env={**os.environ, "IDP_CONFIG": str(config)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(url), 20, "gunicorn start")
        yield LiveIdP(url=url, factories=Factories(app), app=app, log=log)
    finally:
        server.terminate()
        server.wait(10)
        # Its requests through the test client started the in-process delivery thread: left
        # running, it would log its failures into later tests' output.
        app.extensions["idp.deliveries"].stop()
        with app.app_context():
            db.engine.dispose()


def _answers(url: str) -> bool:
    try:
        return requests.get(f"{url}/jwks.json", timeout=1).status_code == 200
    except requests.RequestException:
        return False
