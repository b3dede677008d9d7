"""Schema migrations (Alembic through Flask-Migrate), loaded only by the commands that need
them: a serving worker never imports Alembic (about 11 MB of memory each)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _migrations(app: Flask) -> str:
    from flask_migrate import Migrate

    from idp.extensions import db

    if "migrate" not in app.extensions:
        Migrate(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    return str(MIGRATIONS_DIR)


def upgrade(app: Flask) -> None:
    """Create or upgrade the schema to the latest revision."""
    from flask_migrate import upgrade as alembic_upgrade

    directory = _migrations(app)
    with app.app_context():
        alembic_upgrade(directory=directory)


def new_revision(app: Flask, message: str) -> None:
    """Write a migration for what the models changed (for developers)."""
    from flask_migrate import migrate as autogenerate

    directory = _migrations(app)
    with app.app_context():
        autogenerate(directory=directory, message=message)
