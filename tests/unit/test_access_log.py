"""Access logs never print a link's token or an ID token hint: the development server's and
gunicorn's, each started for real on a free port."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from idp.access_log import redact

ROOT = Path(__file__).resolve().parents[2]
LINK_TOKEN = "eyJ1IjoxMn0.Zz9-invitation_secret"
RESET_TOKEN = "eyJ1IjoxM30.Zz9-reset_secret"
HINT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtYXJpZSJ9.hint_secret"
BEARER = "bearer_secret_Zm9vYmFy"
COOKIE = "cookie_secret_YmFyYmF6"
REQUESTS = [
    # (target, status): the links answer a redirect, the unknown hint a 400 page
    (f"/invitation/{LINK_TOKEN}", 303),
    (f"/recovery/reset/{RESET_TOKEN}", 303),
    (f"/logout?state=s-1&id_token_hint={HINT}", 400),
]


@pytest.mark.parametrize(
    ("line", "logged"),
    [
        (
            f'"GET /invitation/{LINK_TOKEN} HTTP/1.1" 303 -',
            '"GET /invitation/[redacted] HTTP/1.1" 303 -',
        ),
        (f"/recovery/reset/{RESET_TOKEN}?x=1", "/recovery/reset/[redacted]?x=1"),
        (
            f"state=s-1&id_token_hint={HINT}&post_logout_redirect_uri=https%3A%2F%2Frp",
            "state=s-1&id_token_hint=[redacted]&post_logout_redirect_uri=https%3A%2F%2Frp",
        ),
        (f"ID%5Ftoken%5Fhint={HINT}", "ID%5Ftoken%5Fhint=[redacted]"),
        (
            f"https://idp.example/invitation/{LINK_TOKEN}#top",
            "https://idp.example/invitation/[redacted]#top",
        ),
        ("GET /invitation HTTP/1.1", "GET /invitation HTTP/1.1"),
        ("/recovery/reset", "/recovery/reset"),
        ("/logout?state=s-1&client_id=rp", "/logout?state=s-1&client_id=rp"),
    ],
)
def test_redact(line, logged):
    assert redact(line) == logged


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "idp.toml"
    path.write_text(
        f'[server]\ninstance_dir = "{tmp_path / "instance"}"\n'
        f'[database]\nurl = "sqlite:///{tmp_path / "instance" / "idp.sqlite3"}"\n'
        f'[keys]\ndir = "{tmp_path / "keys"}"\n'
    )
    return path


def _environment(config: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IDP_")}
    return {**env, "IDP_CONFIG": str(config)}


def _request(port: int, target: str) -> int:
    """The status of a GET, without following redirects (the log is of this very request)."""
    deadline = time.monotonic() + 30
    while True:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request(
                "GET",
                target,
                headers={"Authorization": f"Bearer {BEARER}", "Cookie": f"other={COOKIE}"},
            )
            return connection.getresponse().status
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
        finally:
            connection.close()


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _assert_redacted(path: Path) -> None:
    """The server's log of REQUESTS (written once each answer is sent: waited for)."""
    deadline = time.monotonic() + 10
    while (log := path.read_text()).count('" 30') + log.count('" 40') < len(REQUESTS):
        assert time.monotonic() < deadline, log
        time.sleep(0.05)
    for secret in (LINK_TOKEN, RESET_TOKEN, HINT, BEARER, COOKIE):
        assert secret not in log
    assert "GET /invitation/[redacted] HTTP/1.1" in log
    assert "GET /recovery/reset/[redacted] HTTP/1.1" in log
    assert "GET /logout?state=s-1&id_token_hint=[redacted] HTTP/1.1" in log


@pytest.fixture
def dev_server(config: Path, tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """`idp serve --port 0`: the port the server chose, read from its own log."""
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "idp", "serve", "--port", "0"],
            cwd=ROOT,
            env=_environment(config),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while not (found := re.search(r"Running on http://127\.0\.0\.1:(\d+)", log.read_text())):
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        yield int(found.group(1)), log
    finally:
        _stop(process)


def test_development_server_log_is_redacted(dev_server):
    port, log = dev_server
    assert [_request(port, target) for target, _ in REQUESTS] == [s for _, s in REQUESTS]
    _assert_redacted(log)


@pytest.fixture
def gunicorn(config: Path, tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """gunicorn as the README starts it, on a socket bound here to a free port (no race)."""
    access_log = tmp_path / "access.log"
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    with (tmp_path / "gunicorn.log").open("wb") as errors:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"fd://{sock.fileno()}",
                "--workers",
                "1",
                "--access-logfile",
                str(access_log),
                # The default format, and what an operator might add: headers, the raw URI.
                "--access-logformat",
                '%(h)s "%(r)s" %(s)s %(U)s?%(q)s %({raw_uri}e)s %({authorization}i)s '
                "%({cookie}i)s %({http_cookie}e)s",
                "--logger-class",
                "idp.gunicorn_logger.GunicornLogger",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=_environment(config),
            pass_fds=(sock.fileno(),),
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
    try:
        yield sock.getsockname()[1], access_log
    finally:
        _stop(process)
        sock.close()


def test_gunicorn_access_log_is_redacted(gunicorn):
    port, access_log = gunicorn
    assert [_request(port, target) for target, _ in REQUESTS] == [s for _, s in REQUESTS]
    _assert_redacted(access_log)
    lines = access_log.read_text().splitlines()
    assert len(lines) == len(REQUESTS)
    # Authorization, Cookie and HTTP_COOKIE: credentials whole, never printed.
    assert all(line.endswith(" [redacted] [redacted] [redacted]") for line in lines), lines
