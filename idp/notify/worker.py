"""The delivery worker: sends what the outbox holds and the back-channel logout tokens that
are due (their retries, and those queued outside a web request), and purges expired rows now
and then.

`idp deliveries run` runs it as a process of its own (production); with `[deliveries]
in_process`, each web process also runs it in a thread, started by its first request (never
by a CLI command, nor before a fork). Several workers may run at once: each message is claimed
by one of them (idp.services.outbox.claim), each logout attempt by one sender
(idp.services.logout_deliveries.reserve).
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from idp import metrics
from idp.extensions import db
from idp.notify import DeliveryFailed
from idp.notify.postal import PostalAddress
from idp.oidc import backchannel
from idp.runtime import Runtime
from idp.services import outbox, purge

log = logging.getLogger(__name__)

# Messages claimed per pass: a pass stays short, the next one follows at once.
BATCH = 20
EXTENSION = "idp.deliveries"
# What `stop()` waits for: the logout attempt under way (bounded by its timeout), then its
# record; a logout pass asked to stop makes no other.
STOP_SECONDS = backchannel.TIMEOUT_SECONDS + 5


def _hand_over(rt: Runtime, message: outbox.Claimed) -> None:
    """Open the message, render it and give it to its channel; raises DeliveryFailed (or
    another error: a payload that does not open, a template that does not render) when it did
    not go."""
    to, context = outbox.open_payload(message, rt.hash_key)
    if message.channel == "email":
        rt.mailer.send(to, message.template, locale=message.locale, **context)
    elif message.channel == "sms":
        rt.sms.send(to, message.template, locale=message.locale, **context)
    elif message.channel == "post":
        address = PostalAddress.from_json(to)
        rt.letters.send(address, message.template, locale=message.locale, **context)
    else:
        raise DeliveryFailed(message.channel, "no such channel")


def _reason(exc: Exception) -> str:
    """What failed, for operators: a channel's own reason, else the error's type alone (its
    text may quote the message's values)."""
    if isinstance(exc, DeliveryFailed):
        return f"{exc.channel}: {exc.reason}"
    return type(exc).__name__


def send_due(rt: Runtime) -> dict[str, int]:
    """One pass: claim the due messages, send each, record each outcome. Needs an app context."""
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    while True:
        claimed = outbox.claim(now=rt.now(), limit=BATCH)
        db.session.commit()  # the claim stands before anything goes out
        for message in claimed:
            try:
                _hand_over(rt, message)
            except Exception as exc:  # recorded, retried: the worker goes on
                db.session.rollback()
                metrics.delivery_failed(message.channel)
                state = outbox.record_failure(
                    message, _reason(exc), now=rt.now(), rules=rt.settings.deliveries
                )
                counts["failed" if state == outbox.FAILED else "retrying"] += 1
                log.warning(
                    "%s message %d (%s) not sent, attempt %d: %s",
                    message.channel,
                    message.id,
                    message.template,
                    message.attempts,
                    _reason(exc),
                )
            else:
                outbox.record_sent(message.id, now=rt.now())
                counts["sent"] += 1
            db.session.commit()
        if len(claimed) < BATCH:
            return counts


class DeliveryWorker:
    """One app's worker: a pass on demand (`run_once`), or a loop (`run_forever`)."""

    def __init__(self, app: Flask) -> None:
        self._app = app
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._logouts: threading.Thread | None = None
        self._lock = threading.Lock()
        self._last_purge: float | None = None

    def run_once(self) -> dict[str, int]:
        """Send what is due now, in an app context of its own."""
        with self._app.app_context():
            try:
                return send_due(self._app.extensions["idp"])
            finally:
                db.session.remove()

    def send_logouts(self) -> dict[str, int]:
        """One attempt at each due back-channel logout delivery, in an app context of its own."""
        with self._app.app_context():
            try:
                return backchannel.send_due(self._app.extensions["idp"], stopping=self._stop.is_set)
            finally:
                db.session.remove()

    def _logouts_beside(self) -> None:
        """A logout pass on a thread of its own, unless the last one still runs: an application
        that hangs until the timeout then holds back other logout tokens, never an e-mail."""
        if self._logouts is not None and self._logouts.is_alive():
            return
        self._logouts = threading.Thread(
            target=self._logout_pass, name="idp-logout-deliveries", daemon=True
        )
        self._logouts.start()

    def _logout_pass(self) -> None:
        try:
            self.send_logouts()
        except Exception:  # the next pass tries again
            log.exception("logout delivery pass failed")

    def purge_if_due(self) -> dict[str, int] | None:
        """The periodic purge, when `[deliveries] purge_minutes` have passed since the last."""
        rt: Runtime = self._app.extensions["idp"]
        every = rt.settings.deliveries.purge_minutes * 60
        if not every or (
            self._last_purge is not None and time.monotonic() - self._last_purge < every
        ):
            return None
        self._last_purge = time.monotonic()
        with self._app.app_context():
            try:
                removed = purge.purge(now=rt.now(), settings=rt.settings)
                db.session.commit()
            finally:
                db.session.remove()
        counts = " ".join(f"{name}={n}" for name, n in removed.items() if n)
        log.info("purged %s", counts or "nothing: no row had expired")
        return removed

    def run_forever(self) -> None:
        """Pass after pass until `stop()`: at once when woken, else every `poll_seconds`; each
        pass also starts one over the due logout deliveries. A failing pass (the database
        away) is logged and the loop goes on."""
        poll = self._app.extensions["idp"].settings.deliveries.poll_seconds
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.run_once()
                self._logouts_beside()
                self.purge_if_due()
            except Exception:  # the next pass tries again
                log.exception("delivery pass failed")
            self._wake.wait(poll)

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        """The loop in a daemon thread of this process (once)."""
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self.run_forever, name="idp-deliveries", daemon=True
                )
                self._thread.start()

    def stop(self, timeout: float = STOP_SECONDS) -> None:
        """End the loop, and wait up to `timeout` for it and for a logout pass under way: that
        pass ends after its current attempt, which it records, so that a worker stopped (a
        restart, a deployment) neither sends that logout token again nor leaves it reserved.
        A pass cut short all the same (the process killed) stays reserved, and is retried
        once its lease ends."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        # After the loop: it may have started a logout pass meanwhile.
        if self._logouts is not None:
            self._logouts.join(timeout)


def _wake_after_commit(session: Session) -> None:
    """Messages this transaction queued are in the table now: wake this app's sender."""
    if session.info.pop(outbox.QUEUED, False) and has_app_context():
        worker = current_app.extensions.get(EXTENSION)
        if worker is not None:
            worker.wake()


def _forget_after_rollback(session: Session) -> None:
    session.info.pop(outbox.QUEUED, None)


def init_app(app: Flask) -> None:
    worker = DeliveryWorker(app)
    app.extensions[EXTENSION] = worker
    if not event.contains(db.session, "after_commit", _wake_after_commit):
        event.listen(db.session, "after_commit", _wake_after_commit)
        event.listen(db.session, "after_rollback", _forget_after_rollback)
    if app.extensions["idp"].settings.deliveries.in_process:
        app.before_request(worker.start)
