"""Row counts of every table: what a request wrote, if anything."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from idp.extensions import db


def row_counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {
            table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
            for table in db.metadata.sorted_tables
        }


# What a refused request may still write: its audit record, and the failure counters that
# exist to count refusals (the sign-in lockout and captcha counts, `sign_in_throttles`).
REFUSALS_MAY_WRITE = frozenset({"audit_events", "sign_in_throttles"})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


def refused(response: TestResponse) -> bool:
    """A 4xx answer, or a redirect carrying an OAuth error back to the client."""
    if response.status_code in _REDIRECTS:
        return "error=" in (response.location or "")
    return 400 <= response.status_code < 500


class RefusalsWriteNothing:
    """Watches a test client: a request it sends that is refused must write no row (but in
    REFUSALS_MAY_WRITE). Row counts, taken in one statement around each request."""

    def __init__(self, app: Flask, http: FlaskClient) -> None:
        self.app = app
        self.refusals = 0
        self._open = http.open
        tables = [t for t in db.metadata.sorted_tables if t.name not in REFUSALS_MAY_WRITE]
        self._count_all = select(
            *(select(func.count()).select_from(t).scalar_subquery().label(t.name) for t in tables)
        )

    def _counts(self) -> dict[str, int]:
        with self.app.app_context():
            counts = dict(db.session.execute(self._count_all).one()._mapping)
            db.session.rollback()
            return counts

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        """The client's own `open`, checked."""
        before = self._counts()
        response = self._open(*args, **kwargs)
        if refused(response):
            self.refusals += 1
            after = self._counts()
            written = {name: after[name] - n for name, n in before.items() if after[name] != n}
            assert not written, (args, response.status_code, written)
        return response


def watch_refusals(app: Flask, http: FlaskClient, monkeypatch: Any) -> RefusalsWriteNothing:
    """Check every request `http` sends from now on (see RefusalsWriteNothing)."""
    watch = RefusalsWriteNothing(app, http)
    monkeypatch.setattr(http, "open", watch.open)
    return watch
