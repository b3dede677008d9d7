"""The IdP served for real by either production server, from a configuration file alone.

granian as `idp serve --production` starts it, gunicorn as the README starts it (`wsgi:app`).
Each server runs in its own session, so that whatever it spawned is stopped with it even if
the test fails or the server ignores SIGTERM.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVERS = ("granian", "gunicorn")
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env() -> dict[str, str]:
    """The environment without IDP_* variables: the configuration file alone decides."""
    return {k: v for k, v in os.environ.items() if not k.startswith("IDP_")}


def command(kind: str, config: Path, port: int, workers: int = 1, threads: int = 2) -> list[str]:
    if kind == "granian":
        return [
            sys.executable, "-m", "idp", "--config", str(config), "serve", "--production",
            "--port", str(port), "--workers", str(workers), "--threads", str(threads),
        ]  # fmt: skip
    return [
        sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", "gthread",
        "--threads", str(threads), "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "5",
        "wsgi:app",
    ]  # fmt: skip


def stop(process: subprocess.Popen[bytes], timeout: float = 15) -> int:
    """SIGTERM the server and wait; then SIGKILL its whole session. Returns its exit status."""
    if process.poll() is None:
        process.terminate()
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    return process.wait(timeout=10)


@dataclass
class Live:
    kind: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def log_tail(self, lines: int = 60) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def _answers(url: str) -> bool:
    try:
        with NO_PROXY.open(f"{url}/.well-known/openid-configuration", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _port_taken(output: str) -> bool:
    # granian: "Address already in use"; gunicorn: "Connection in use".
    return "Address already in use" in output or "Connection in use" in output


@contextmanager
def serving(
    kind: str,
    write_config: Callable[[int], Path],
    log: Path,
    *,
    workers: int = 1,
    threads: int = 2,
    start_seconds: float = 60,
) -> Iterator[Live]:
    """Serve with `kind` on a free port (`write_config(port)` writes the file with the issuer
    on that port); another port if a process took it first. Stops the server on the way out."""
    for _attempt in range(3):
        port = free_port()
        config = write_config(port)
        offset = log.stat().st_size if log.exists() else 0
        with log.open("ab") as out:
            process = subprocess.Popen(
                command(kind, config, port, workers, threads),
                cwd=ROOT,
                env={**clean_env(), "IDP_CONFIG": str(config)},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        live = Live(kind, f"http://127.0.0.1:{port}", process, log)
        try:
            deadline = time.monotonic() + start_seconds
            while process.poll() is None and not _answers(live.url):
                if time.monotonic() > deadline:
                    pytest.fail(f"{kind} did not answer in {start_seconds} s:\n{live.log_tail()}")
                time.sleep(0.1)
            if process.poll() is None:
                yield live
                return
            output = log.read_bytes()[offset:].decode(errors="replace")
            if not _port_taken(output):
                pytest.fail(f"{kind} exited with {process.returncode}:\n{output[-4000:]}")
        finally:
            stop(process)
    pytest.fail(f"{kind} found no free port:\n{log.read_text(errors='replace')[-3000:]}")
