"""`idp serve --production`: granian with the workers asked for, stopped cleanly by a signal,
and refused before it starts when the workers could not share their rate limits."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from idp.cli import root
from tests.support.servers import clean_env, free_port, serving, stop


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended meanwhile
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_sigterm_stops_the_workers_and_the_server(
    config_for_port: Callable[[int], Path], tmp_path: Path
) -> None:
    with serving("granian", config_for_port, tmp_path / "server.log", workers=2) as live:
        # Both workers have built the app (a signal that lands while a worker is still
        # importing is lost, and granian kills that worker after its 30 s timeout).
        deadline = time.monotonic() + 60
        started = ("Started worker-1", "Started worker-2")
        while not all(s in live.log_tail() for s in started) and time.monotonic() < deadline:
            time.sleep(0.1)
        workers = _children(live.process.pid)
        assert len(workers) == 2, live.log_tail()

        live.process.send_signal(signal.SIGTERM)
        # Well before granian's own kill timeout: the workers stopped by themselves.
        try:
            assert live.process.wait(timeout=20) == 0, live.log_tail()
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running 20 s after SIGTERM:\n{live.log_tail()}")
        assert not [pid for pid in workers if _running(pid)], live.log_tail()
        assert "Granian shutdown completed" in live.log_tail()


def test_several_workers_with_memory_rate_limits_on_https_refused_before_serving(
    tmp_path: Path,
) -> None:
    config = tmp_path / "idp.toml"
    server = {
        "issuer": "https://idp.example",
        "secret_key": "a-real-random-value-" + "z" * 32,
        "hash_key": "another-random-value-" + "w" * 32,
        "instance_dir": str(tmp_path / "instance"),
    }
    config.write_text("[server]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in server.items()))
    port = str(free_port())
    command = [sys.executable, "-m", "idp", "--config", str(config), "serve", "--production"]
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--port", port, "--workers", "2"],
            env=clean_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"served despite the setting:\n{log.read_text()[-3000:]}")
    finally:
        stop(process)
    output = log.read_text()
    assert process.returncode == 1, output
    assert 'storage_uri = "memory://" with [server] workers = 2' in output
    assert "Starting granian" not in output


def test_workers_and_threads_need_production() -> None:
    result = CliRunner().invoke(root, ["serve", "--workers", "2"])
    assert result.exit_code == 2
    assert "--workers and --threads go with --production" in result.output
