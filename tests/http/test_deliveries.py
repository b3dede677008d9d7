"""The outbox: messages queued with their change, sent by a worker with retries, never lost
with a process, never sent twice by two workers, their secrets sealed and then erased."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from prometheus_client import REGISTRY
from sqlalchemy import select, text, update

from idp import create_app
from idp.extensions import db
from idp.models import OutboxMessage, User
from idp.runtime import Runtime
from idp.services import credentials, outbox, sealing
from idp.services.deliveries import Deliveries
from tests.support.cli import Operator, delivery_worker, wait_for
from tests.support.concurrency import together
from tests.support.metrics import scrape, value
from tests.support.outbox import emails, last_letter, last_sms, text_part

FAILURES = "idp_delivery_failures_total"
TEMPORARY = "Provisoire-Secret-7731"


class Relay:
    """aiosmtpd handler that refuses the first `refusals` messages (a relay in trouble:
    451, try again later), then accepts; keeps what it accepted."""

    def __init__(self, refusals: int) -> None:
        self.refusals = refusals
        self.refused = 0
        self.accepted: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refused < self.refusals:
            self.refused += 1
            return "451 4.3.0 Try again later"
        self.accepted.append(envelope)
        return "250 Message accepted"


@contextmanager
def relay_on(port: int, refusals: int) -> Iterator[Relay]:
    relay = Relay(refusals)
    controller = Controller(relay, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield relay
    finally:
        controller.stop()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _queue_temporary_password(app: Flask, user_id: int, *, commit: bool = True) -> None:
    """An agent's temporary password and its e-mail, in one transaction."""
    with app.app_context():
        user = db.session.get(User, user_id)
        rt = app.extensions["idp"]
        temporary = credentials.reset_to_temporary(
            user, now=rt.now(), hashing=rt.passwords, reason="agent", deliveries=rt.deliveries
        )
        rt.deliveries.send_temporary_password(user, temporary, channel="email")
        if commit:
            db.session.commit()
        else:
            db.session.rollback()


def _outbox(app: Flask) -> Deliveries:
    return app.extensions["idp"].deliveries


def _messages(app: Flask) -> list[OutboxMessage]:
    with app.app_context():
        found = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        return found


def _run(app: Flask) -> dict[str, int]:
    return app.extensions["idp.deliveries"].run_once()


def test_a_queued_message_survives_a_restart(app, factories, clock):
    """Queued by one app that then goes away: a new app's worker sends it."""
    marie = factories.user("marie")
    _queue_temporary_password(app, marie.id)
    assert emails(app) == []
    settings = app.extensions["idp"].settings
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    del app  # the process that queued it is gone

    restarted = create_app(settings, clock=clock)
    # The temporary password, and the notice that the password changed.
    assert _run(restarted) == {"sent": 2, "retrying": 0, "failed": 0}
    assert {m["To"] for m in emails(restarted)} == {"marie@example.org"}
    assert {m.template: m.state for m in _messages(restarted)} == {
        "password_changed": outbox.SENT,
        "temporary_password": outbox.SENT,
    }
    with restarted.app_context():
        db.session.remove()
        db.engine.dispose()


def test_the_payload_is_sealed_at_rest_and_erased_once_sent(app, factories):
    marie = factories.user("marie")
    with app.app_context():
        user = db.session.get(User, marie.id)
        _outbox(app).send_temporary_password(user, TEMPORARY, channel="email")
        db.session.commit()
        raw = db.session.execute(text("SELECT payload, recipient FROM outbox_messages")).one()
    assert TEMPORARY not in raw.payload and "marie@example.org" not in raw.payload
    assert raw.recipient == "marie@example.org"  # what an operator may see

    assert _run(app)["sent"] == 1
    assert TEMPORARY in text_part(emails(app)[-1])
    (message,) = _messages(app)
    assert message.state == outbox.SENT and message.payload is None
    assert message.sent_at is not None and message.attempts == 1


def test_a_message_that_does_not_open_holds_back_no_other(app, factories):
    """A payload sealed under another hash key (a key changed by mistake): that message is
    retried and recorded, the others go."""
    marie = factories.user("marie")
    with app.app_context():
        user = db.session.get(User, marie.id)
        _outbox(app).send_identifier(user)
        _outbox(app).send_temporary_password(user, TEMPORARY, channel="email")
        db.session.commit()
        first = min(m.id for m in outbox.listing())
        foreign = sealing.seal(
            '{"to": "x", "context": {}}', "another-hash-key", info=b"i", aad=b"a"
        )
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.id == first).values(payload=foreign)
        )
        db.session.commit()
    assert _run(app) == {"sent": 1, "retrying": 1, "failed": 0}
    assert TEMPORARY in text_part(emails(app)[-1])
    stuck = next(m for m in _messages(app) if m.id == first)
    assert stuck.state == outbox.PENDING and stuck.last_error == "InvalidTag"


def test_a_rolled_back_change_queues_nothing(app, factories):
    marie = factories.user("marie")
    before = _messages(app)
    _queue_temporary_password(app, marie.id, commit=False)
    assert _messages(app) == before
    assert _run(app)["sent"] == 0 and emails(app) == []


def _queue_then_fail(user_id: int, rt: Runtime) -> None:
    user = db.session.get(User, user_id)
    rt.deliveries.send_temporary_password(user, TEMPORARY, channel="email")
    raise RuntimeError("the change failed after its message was queued")


def test_deferred_work_that_fails_queues_nothing(app, factories):
    """Work beside a page (a recovery's temporary password) that fails: its message goes
    with the rest of its transaction."""
    marie = factories.user("marie")
    deferred = app.extensions["idp.deferred"]
    deferred.submit([partial(_queue_then_fail, marie.id)])
    deferred.wait()
    assert _messages(app) == []


class TestRetries:
    @pytest.fixture
    def port(self) -> int:
        return free_port()

    @pytest.fixture
    def settings_overrides(self, port):
        return {
            "mail": {"backend": "smtp", "host": "127.0.0.1", "port": port, "security": "none"},
            "deliveries": {"max_attempts": 3, "backoff_seconds": 30, "backoff_max_seconds": 45},
        }

    def test_a_refusing_relay_is_retried_with_backoff(self, app, factories, clock, port):
        marie = factories.user("marie")
        with relay_on(port, refusals=2) as relay:
            with app.app_context():
                user = db.session.get(User, marie.id)
                _outbox(app).send_temporary_password(user, TEMPORARY, channel="email")
                db.session.commit()
            assert _run(app) == {"sent": 0, "retrying": 1, "failed": 0}
            (message,) = _messages(app)
            assert message.attempts == 1 and message.next_attempt_at == clock.now() + 30
            assert "451" in message.last_error and TEMPORARY not in message.last_error

            clock.advance(29)
            assert _run(app) == {"sent": 0, "retrying": 0, "failed": 0}  # not due yet
            clock.advance(1)
            assert _run(app)["retrying"] == 1
            (message,) = _messages(app)
            # The wait doubles (60 s), within the maximum (45 s).
            assert message.attempts == 2 and message.next_attempt_at == clock.now() + 45

            clock.advance(45)
            assert _run(app)["sent"] == 1
            assert relay.refused == 2 and len(relay.accepted) == 1
            assert TEMPORARY.encode() in relay.accepted[0].original_content
            (message,) = _messages(app)
            assert message.state == outbox.SENT and message.payload is None

    def test_failed_after_the_last_attempt_listed_and_retried(
        self, app, factories, clock, port, tmp_path
    ):
        marie = factories.user("marie")
        with app.app_context():
            user = db.session.get(User, marie.id)
            _outbox(app).send_temporary_password(user, TEMPORARY, channel="email")
            db.session.commit()
        failures_before = REGISTRY.get_sample_value(FAILURES, {"channel": "email"}) or 0
        with relay_on(port, refusals=100):
            assert _run(app)["retrying"] == 1
            clock.advance(30)
            assert _run(app)["retrying"] == 1
            clock.advance(45)
            assert _run(app) == {"sent": 0, "retrying": 0, "failed": 1}
            clock.advance(3600)
            assert _run(app)["failed"] == 0  # never tried again by itself
        # Prometheus sees each failed attempt, and the outbox's states when it scrapes.
        assert REGISTRY.get_sample_value(FAILURES, {"channel": "email"}) == failures_before + 3
        samples = scrape(app.test_client())
        assert value(samples, "idp_deliveries_messages", state="failed") == 1
        assert value(samples, "idp_deliveries_messages", state="pending") == 0

        idp = Operator(app, tmp_path)
        listed = idp("deliveries", "list", "--failed", "--json")
        assert listed.exit_code == 0, listed.output
        (row,) = json.loads(listed.output)
        assert row["state"] == "failed" and row["attempts"] == 3
        assert row["recipient"] == "marie@example.org" and "451" in row["last_error"]
        assert TEMPORARY not in listed.output
        plain = idp("deliveries", "list", "--failed")
        assert f"{row['id']:>6}  failed" in plain.output and TEMPORARY not in plain.output
        assert plain.output.splitlines()[-1] == "pending=0 sent=0 failed=1"
        assert json.loads(idp("deliveries", "list", "--pending", "--json").output) == []

        with relay_on(port, refusals=0) as relay:
            again = idp("deliveries", "retry", str(row["id"]))  # the worker runs beside it
            assert again.exit_code == 0, again.output
            assert len(relay.accepted) == 1
        (message,) = _messages(app)
        assert message.state == outbox.SENT and message.payload is None
        assert idp("deliveries", "retry", str(row["id"])).exit_code == 1  # not failed now


def test_two_workers_never_send_one_message_twice(app, factories, clock):
    marie = factories.user("marie")
    count = 60
    with app.app_context():
        user = db.session.get(User, marie.id)
        for n in range(count):
            _outbox(app).enqueue(
                "email",
                user.email,
                "identifier_reminder",
                locale="fr",
                identifier=f"marie-{n}",
                sign_in_url="http://idp.test/login",
            )
        db.session.commit()
    second = create_app(app.extensions["idp"].settings, clock=clock)
    workers = [app, second]

    def prepare(index: int):
        return lambda: _run(workers[index])

    try:
        results = together(2, prepare)
    finally:
        with second.app_context():
            db.engine.dispose()
    assert sum(r["sent"] for r in results) == count
    sent = [text_part(m) for m in emails(app)]
    assert len(sent) == count
    for n in range(count):
        assert sum(f"marie-{n}\n" in body for body in sent) == 1
    assert {m.state for m in _messages(app)} == {outbox.SENT}


def test_a_claim_held_by_one_worker_is_not_taken_by_another(app, clock):
    """Worker A has claimed messages and not committed yet; worker B, claiming meanwhile,
    takes the others (PostgreSQL: SKIP LOCKED) or waits for A (SQLite: one writer) and then
    finds A's no longer due: never the same message."""
    with app.app_context():
        for n in range(10):
            _outbox(app).enqueue("sms", "+33612345678", "letter_on_its_way", locale="fr", n=n)
        db.session.commit()
    other = create_app(app.extensions["idp"].settings, clock=clock)
    held = threading.Event()
    taken: dict[str, list[int]] = {}

    def worker_a() -> None:
        with app.app_context():
            taken["a"] = [m.id for m in outbox.claim(now=clock.now(), limit=5)]
            held.set()
            time.sleep(0.5)  # B claims while A holds its rows
            db.session.commit()
            db.session.remove()

    def worker_b() -> None:
        held.wait(10)
        with other.app_context():
            taken["b"] = [m.id for m in outbox.claim(now=clock.now())]
            db.session.commit()
            db.session.remove()
            db.engine.dispose()

    threads = [threading.Thread(target=worker_a), threading.Thread(target=worker_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(taken["a"]) == 5 and not set(taken["a"]) & set(taken["b"])
    assert sorted(taken["a"] + taken["b"]) == [m.id for m in _messages(app)]


def test_the_command_runs_one_pass_over_every_channel(app, user, tmp_path):
    with app.app_context():
        marie = db.session.get(User, user.id)
        for channel in ("sms", "post"):
            _outbox(app).send_temporary_password(marie, TEMPORARY, channel=channel, valid_days=5)
        db.session.commit()
    result = Operator(app, tmp_path)("deliveries", "run", "--once")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "sent=2 retrying=0 failed=0",
        "logout delivered=0 retrying=0 abandoned=0",
    ]
    assert TEMPORARY in last_sms(app)["text"]
    assert last_letter(app)["recipient"]["city"] == "Boulogne-Billancourt"


def test_the_worker_process_sends_until_sigterm(app, factories, tmp_path):
    """`idp deliveries run` as an operator starts it: a process of its own, polling."""
    marie = factories.user("marie")
    with delivery_worker(app, tmp_path) as printed:
        _queue_temporary_password(app, marie.id)
        wait_for(lambda: len(emails(app)) == 2)
        assert len(emails(app)) == 2
    assert printed[0].startswith("delivery worker running")


class TestInProcess:
    @pytest.fixture
    def settings_overrides(self):
        return {"deliveries": {"in_process": True, "poll_seconds": 60}}

    def test_a_web_process_sends_from_its_thread_woken_by_the_commit(self, app, factories):
        """The first request starts the thread; a commit that queued a message wakes it
        (the poll alone would take a minute)."""
        worker = app.extensions["idp.deliveries"]
        marie = factories.user("marie")
        try:
            assert app.test_client().get("/login").status_code == 200
            _queue_temporary_password(app, marie.id)
            deadline = time.monotonic() + 10
            while len(emails(app)) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            # The temporary password and the notice of the change, long before a minute.
            assert len(emails(app)) == 2
        finally:
            worker.stop()
