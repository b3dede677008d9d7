"""Work that runs beside the response: the page's answer does not wait for it.

The recovery and registration pages use it so that the work behind a code or a link (drawn,
signed, its message queued), or its absence for an unknown account, does not show in their
response time. The work goes to one background thread per app, so it is not lost with the
connection (a browser may drop it right after a redirect); each piece runs in its own app
context and transaction: the change and its message in the outbox commit together, or
neither does and the failure is logged. Sending is the delivery worker's (idp.notify.worker).
A process that dies before its thread ran loses the piece: a recovery's temporary password is
therefore not deferred but queued with the answer (idp.services.recovery).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for

from flask import Flask, Response, current_app, g

from idp.extensions import db
from idp.runtime import Runtime

log = logging.getLogger(__name__)

Work = Callable[[Runtime], None]


def later(work: Work | None) -> None:
    """Run `work` beside this request's response (nothing when `work` is None)."""
    if work is not None:
        g.setdefault("deferred_work", []).append(work)


class Deferred:
    """Worker threads of an app (one by default); `wait()` lets tests see the work done."""

    def __init__(self, app: Flask, *, workers: int = 1, name: str = "idp-deferred") -> None:
        self._app = app
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self._pending: set[Future[None]] = set()
        self._lock = threading.Lock()

    def submit(self, pieces: list[Work]) -> None:
        future = self._executor.submit(self._run, pieces)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)

    def wait(self, timeout: float = 30) -> None:
        with self._lock:
            pending = set(self._pending)
        wait_for(pending, timeout=timeout)

    def _run(self, pieces: list[Work]) -> None:
        app = self._app
        for work in pieces:
            with app.app_context():
                try:
                    work(app.extensions["idp"])
                    db.session.commit()
                except Exception:  # nobody is waiting: log it, undo it
                    db.session.rollback()
                    log.exception("deferred work failed: %s", _name(work))
                finally:
                    db.session.remove()


def _name(work: Work) -> str:
    """What failed, without its arguments: they may be a one-time code or an account's data."""
    function = getattr(work, "func", work)
    return getattr(function, "__qualname__", type(function).__name__)


def _schedule(response: Response) -> Response:
    pieces = g.pop("deferred_work", None)
    if pieces:
        current_app.extensions["idp.deferred"].submit(pieces)
    return response


def init_app(app: Flask) -> None:
    app.extensions["idp.deferred"] = Deferred(app)
    app.after_request(_schedule)
