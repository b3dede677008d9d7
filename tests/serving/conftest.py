"""A test app's settings written to a file a server process can start from."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from tests.support.cli import write_config
from tests.support.servers import free_port

PORT = free_port()


@pytest.fixture
def settings_overrides() -> dict[str, dict[str, object]]:
    # A placeholder port: `config_for_port` rewrites it once the server's port is chosen.
    return {"server": {"issuer": f"http://127.0.0.1:{PORT}"}}


@pytest.fixture
def config_for_port(app: Flask, tmp_path: Path) -> Callable[[int], Path]:
    """Writes the test app's settings (its database, keys, secrets) with the issuer on `port`."""

    def write(port: int) -> Path:
        path = write_config(app, tmp_path / "idp.toml")
        text = path.read_text().replace(f"127.0.0.1:{PORT}", f"127.0.0.1:{port}")
        path.write_text(text)
        return path

    return write
