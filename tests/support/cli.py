"""Running the `idp` command against a test app's database, as an operator would."""

from __future__ import annotations

import dataclasses
import json
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
