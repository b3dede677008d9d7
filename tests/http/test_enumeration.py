"""No account enumeration at sign-in: same status, same page, same time."""

from __future__ import annotations

import time

import pytest

from idp.extensions import db
from idp.models import User
from idp.services import credentials
from tests.support.signin import stable_body, submit


@pytest.fixture
def settings_overrides() -> dict[str, dict[str, object]]:
    # A realistic argon2 cost, so that skipping the hash would show in the timings.
    return {
        "captcha": {"mode": "never"},
        "password": {"argon2_time_cost": 2, "argon2_memory_kib": 16384},
        "lockout": {"max_attempts": 1000, "daily_max_failures": 1000},
    }


def timed(client, puzzles, identifier: str) -> tuple[float, object]:
    page = client.get("/login")
    start = time.perf_counter()
    response = submit(client, puzzles, identifier, "wrong password", page=page)
    return time.perf_counter() - start, response


def test_unknown_and_known_identifiers_take_the_same_time(client, factories, puzzles):
    factories.user("known-user")
    timed(client, puzzles, "known-user")  # warm-up
    timed(client, puzzles, "other-user")  # as many failures: the same tries left
    known, unknown = [], []
    for _ in range(11):
        duration, known_response = timed(client, puzzles, "known-user")
        known.append(duration)
        duration, unknown_response = timed(client, puzzles, "other-user")
        unknown.append(duration)
    assert known_response.status_code == unknown_response.status_code == 200
    assert stable_body(known_response).replace("known-user", "X") == stable_body(
        unknown_response
    ).replace("other-user", "X")
    # Noise only ever adds time: the fastest run of each path is its true cost.
    a, b = min(known), min(unknown)
    # The hash dominates both paths; without the dummy hash the unknown path is ~10x faster.
    assert abs(a - b) <= 0.25 * max(a, b) + 0.003, (a, b)


def test_a_wrong_password_costs_the_same_with_a_recovery_pending(app, client, factories, puzzles):
    """Anyone can start a recovery that leaves a pending password on a never-connected
    account; a wrong password must then cost what it costs anywhere else (two argon2
    verifications), or the time would show that the account exists."""
    rt = app.extensions["idp"]
    factories.user("plain-user", email="plain@example.org")
    pending = factories.user("pending-user", email="pending@example.org")
    with app.app_context():
        account = db.session.get(User, pending.id)
        credentials.issue_pending_temporary(
            account, now=rt.now(), hashing=rt.passwords, valid_seconds=3600, reason="test"
        )
        db.session.commit()
    verify = rt.passwords.verify
    calls: list[str | None] = []
    rt.passwords.verify = lambda hashed, password: calls.append(hashed) or verify(hashed, password)
    costs = {}
    for identifier in ("plain-user", "pending-user", "nobody-user"):
        calls.clear()
        assert submit(client, puzzles, identifier, "wrong password").status_code == 200
        costs[identifier] = len(calls)
    assert costs == {"plain-user": 2, "pending-user": 2, "nobody-user": 2}
