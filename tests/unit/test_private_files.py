"""Secret-holding files: created private by `idp init`, and named at start when wider."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from idp import create_app
from idp.cli import root
from idp.extensions import db


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The umask of most servers (022), under which files are made world-readable by default."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.fixture
def config(tmp_path: Path, usual_umask: None) -> Path:
    path = tmp_path / "idp.toml"
    path.write_text(
        '[server]\nissuer = "http://127.0.0.1:5000"\ninstance_dir = "instance"\n'
        f'[database]\nurl = "sqlite:///{tmp_path / "instance" / "idp.sqlite3"}"\n'
        '[keys]\ndir = "keys"\n'
    )
    return path


@pytest.fixture
def initialised(config: Path) -> Path:
    """`idp init` run once (in setup: Alembic's logging setup replaces the root handlers)."""
    result = CliRunner().invoke(root, ["--config", str(config), "init"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return config


def _start(config: Path) -> None:
    app = create_app(str(config))
    with app.app_context():
        db.engine.dispose()


def test_init_creates_database_instance_and_keys_private(initialised, tmp_path):
    instance, keys = tmp_path / "instance", tmp_path / "keys"
    assert _mode(instance) == 0o700
    assert _mode(instance / "idp.sqlite3") == 0o600
    connection = sqlite3.connect(instance / "idp.sqlite3")
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE scratch (x INTEGER)")
        assert _mode(instance / "idp.sqlite3-wal") == 0o600  # SQLite copies the database's
    finally:
        connection.close()
    assert _mode(instance / "secret_key") == 0o600
    assert _mode(keys) == 0o700
    key_files = list(keys.glob("*.json"))
    assert len(key_files) == 2
    assert {_mode(path) for path in key_files} == {0o600}


def test_private_files_start_without_warning(initialised, caplog):
    with caplog.at_level(logging.WARNING, logger="idp.private_files"):
        _start(initialised)
    assert [r for r in caplog.records if r.name == "idp.private_files"] == []


def test_wider_modes_are_named_at_start(initialised, tmp_path, caplog):
    database = tmp_path / "instance" / "idp.sqlite3"
    keys = tmp_path / "keys"
    key_file = sorted(keys.glob("*.json"))[0]
    database.chmod(0o644)
    keys.chmod(0o755)
    key_file.chmod(0o640)
    with caplog.at_level(logging.WARNING, logger="idp.private_files"):
        _start(initialised)
    warnings = [r.getMessage() for r in caplog.records if r.name == "idp.private_files"]
    assert sorted(warnings) == sorted(
        [
            f"{database} holds secrets but is open to other local users (mode 644): "
            f"run `chmod 600 {database}`",
            f"{keys} holds secrets but is open to other local users (mode 755): "
            f"run `chmod 700 {keys}`",
            f"{key_file} holds secrets but is open to other local users (mode 640): "
            f"run `chmod 600 {key_file}`",
        ]
    )
    assert all(
        r.levelno == logging.WARNING for r in caplog.records if r.name == "idp.private_files"
    )
