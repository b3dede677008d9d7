"""The lockout across two server processes (gunicorn, two gthread workers): what one worker
counts, the other sees; at most `max_attempts` passwords are evaluated in all."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.conftest import overrides_for
from tests.support.concurrency import together
from tests.support.factories import DEFAULT_PASSWORD
from tests.support.oidc import csrf_token

ROOT = Path(__file__).resolve().parents[2]
ATTACKERS = 24


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(base: Path, backend: str, issuer: str, verifications: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IDP_")}
    for section, values in overrides_for(base, backend).items():
        for key, value in values.items():
            text = str(value).lower() if isinstance(value, bool) else str(value)
            env[f"IDP_{section.upper()}_{key.upper()}"] = text
    env["IDP_SERVER_ISSUER"] = issuer
    env["IDP_TEST_VERIFICATIONS"] = str(verifications)
    env["IDP_TEST_HOLD_SECONDS"] = "0.15"
    return env


class Server:
    def __init__(self, base: Path, backend: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.verifications = base / "verifications"
        self.log = base / "gunicorn.log"
        env = environment(base, backend, self.url, self.verifications)
        command = [sys.executable, "-m", "tests.support.counting_server", "--workers", "2"]
        command += ["--worker-class", "gthread", "--threads", "4"]
        command += ["--bind", f"127.0.0.1:{self.port}", "wsgi:app"]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn exited:\n{self.log.read_text()[-3000:]}")
            try:
                if requests.get(self.url + "/login", timeout=2).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.1)
        pytest.fail(f"gunicorn did not answer:\n{self.log.read_text()[-3000:]}")

    def evaluated(self) -> int:
        return self.verifications.stat().st_size if self.verifications.exists() else 0

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def server(base_dir: Path, backend: str, factories) -> Iterator[Server]:
    factories.user()
    running = Server(base_dir, backend)
    try:
        running.wait_ready()
        yield running
    finally:
        running.stop()


def prepared(server: Server, password: str):
    browser = requests.Session()
    token = csrf_token(browser.get(server.url + "/login", timeout=10).text)
    data = {"csrf_token": token, "identifier": "marie", "password": password}
    return lambda: browser.post(server.url + "/login", data=data, allow_redirects=False, timeout=30)


def test_two_processes_evaluate_at_most_max_attempts(server: Server) -> None:
    answers = together(ATTACKERS, lambda _: prepared(server, "wrong password"))
    assert {a.status_code for a in answers} == {200}
    assert server.evaluated() == 5
    right = prepared(server, DEFAULT_PASSWORD)()
    assert right.status_code == 200  # refused: the page again, no redirect into the account
    assert server.evaluated() == 5
