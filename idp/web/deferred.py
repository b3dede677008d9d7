"""Work that runs once the response has been sent: the page's answer does not wait for it.

The recovery pages use it so that sending an e-mail, an SMS or a letter (or not sending it,
for an unknown account) does not show in their response time. Each piece of work runs in its
own app context and transaction: if the sending fails, what it changed is rolled back (no
password that nobody received) and the failure is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, Response, current_app, g

from idp.extensions import db
from idp.runtime import Runtime

log = logging.getLogger(__name__)

Work = Callable[[Runtime], None]


def later(work: Work | None) -> None:
    """Run `work` after this request's response (nothing when `work` is None)."""
    if work is not None:
        g.setdefault("deferred_work", []).append(work)


def _run(app: Flask, pieces: list[Work]) -> None:
    for work in pieces:
        with app.app_context():
            try:
                work(app.extensions["idp"])
                db.session.commit()
            except Exception:
                db.session.rollback()
                log.exception("deferred work failed: %r", work)
            finally:
                db.session.remove()


def _schedule(response: Response) -> Response:
    pieces = g.pop("deferred_work", None)
    if pieces:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        response.call_on_close(lambda: _run(app, pieces))
    return response


def init_app(app: Flask) -> None:
    app.after_request(_schedule)
