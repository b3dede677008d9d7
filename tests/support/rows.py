"""Row counts of every table: what a request wrote, if anything."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from idp.extensions import db


def row_counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {
            table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
            for table in db.metadata.sorted_tables
        }
