"""Running the `idp` command against a test app's database, as an operator would."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from click.testing import CliRunner, Result
from flask import Flask

from idp.cli import root
from idp.cli.app import AppHolder
from idp.config import SECTIONS
from tests.support.outbox import settle


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value))


def write_config(app: Flask, path: Path) -> Path:
    """A TOML file holding exactly the settings `app` runs with."""
    settings = app.extensions["idp"].settings
    lines = []
    for section in SECTIONS:
        lines.append(f"[{section}]")
        for key, value in dataclasses.asdict(getattr(settings, section)).items():
            lines.append(f"{key} = {_toml_value(value)}")
    path.write_text("\n".join(lines) + "\n")
    return path


class Operator:
    """Runs `idp --config <the app's settings> ...` in-process with click's runner."""

    def __init__(self, app: Flask, tmp_path: Path) -> None:
        self.app = app
        self.config = write_config(app, tmp_path / "idp.toml")
        self.clock = app.extensions["idp.clock"]  # the same time as the app under test

    def __call__(self, *args: str, input: str | None = None) -> Result:
        holder = AppHolder(str(self.config), clock=self.clock)
        result = CliRunner().invoke(
            root, ["--config", str(self.config), *args], input=input, obj=holder
        )
        settle(self.app)  # the worker beside the command sends what it queued
        return result


@contextmanager
def delivery_worker(app: Flask, folder: Path) -> Iterator[list[str]]:
    """`idp deliveries run` as an operator starts it, a process of its own polling every
    second; stopped with SIGTERM at the end, which it must obey (exit 0). Yields a list that
    holds the lines it printed once it has stopped."""
    config = write_config(app, folder / "idp.toml")
    worker = subprocess.Popen(
        [sys.executable, "-m", "idp", "--config", str(config), "deliveries", "run"],
        env={**os.environ, "IDP_DELIVERIES_POLL_SECONDS": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    printed: list[str] = []
    try:
        yield printed
    finally:
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=30)
    assert worker.returncode == 0, err.decode()
    printed += out.decode().splitlines()


def wait_for(done: Callable[[], bool], seconds: float = 30) -> None:
    """Until `done()` is true, or `seconds` have passed (the caller asserts what it awaited)."""
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        time.sleep(0.1)
