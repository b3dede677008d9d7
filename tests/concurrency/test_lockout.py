"""The lockout holds when attempts arrive together: the attempt itself is what is counted.

At most `max_attempts` passwords are evaluated before a lock and `daily_max_failures` a day,
however many requests arrive at once; a right password in flight never opens a lock that
was set meanwhile. Each verification is held as long as a production argon2 hash takes, so
the attempts overlap as they do on a real server.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from idp.extensions import db
from idp.i18n import text
from idp.models import AuditEvent, BrowserSession
from tests.support.concurrency import CountedVerifications, together
from tests.support.factories import DEFAULT_PASSWORD
from tests.support.oidc import csrf_token

BURST = 40
HOLD_SECONDS = 0.15


@pytest.fixture
def settings_overrides() -> dict[str, dict[str, object]]:
    return {"lockout": {"max_attempts": 5, "daily_max_failures": 8}}


@pytest.fixture
def counted(app: Flask) -> CountedVerifications:
    return CountedVerifications(app.extensions["idp"].passwords, hold_seconds=HOLD_SECONDS)


def prepared_sign_in(app: Flask, password: str, identifier: str = "marie") -> Any:
    """A browser with the sign-in form open; returns the submit it will fire."""
    http = app.test_client()
    token = csrf_token(http.get("/login").get_data(as_text=True))
    data = {"csrf_token": token, "identifier": identifier, "password": password}
    return lambda: http.post("/login", data=data)


def burst(app: Flask, count: int = BURST) -> list[Any]:
    """`count` wrong passwords at once."""
    return together(count, lambda _: prepared_sign_in(app, "wrong password"))


def count_rows(app: Flask, model: Any, *conditions: Any) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def locked_message(response: Any) -> bool:
    """The page says the account is locked (for however long)."""
    opening = text("login.locked", "fr", minutes=999).split("999")[0]
    return opening.replace("'", "&#39;") in response.get_data(as_text=True)


def test_a_burst_of_wrong_passwords_evaluates_exactly_max_attempts(app, factories, counted):
    factories.user()
    answers = burst(app)
    assert counted.count == 5
    assert {a.status_code for a in answers} == {200}
    assert sum(locked_message(a) for a in answers) >= BURST - 5
    assert count_rows(app, AuditEvent, AuditEvent.event == "account_locked") == 1
    # And the lock holds for the right password afterwards.
    assert locked_message(prepared_sign_in(app, DEFAULT_PASSWORD)())
    assert counted.count == 5


def test_a_right_password_sent_during_a_burst_is_refused(app, factories, counted):
    factories.user()
    counted.hold_seconds = 0.5  # the wrong passwords are still being checked below
    wrong: list[Any] = []
    attacker = threading.Thread(target=lambda: wrong.extend(burst(app)))
    attacker.start()
    try:
        counted.wait_for(5)  # every attempt the lock allows is taken and in flight
        counted.hold_seconds = 0.0
        right = prepared_sign_in(app, DEFAULT_PASSWORD)()
    finally:
        attacker.join()
    assert right.status_code == 200 and locked_message(right)
    assert count_rows(app, BrowserSession) == 0
    assert counted.count == 5  # the right password was not even evaluated
    # The lock is still in force after everyone has answered.
    assert locked_message(prepared_sign_in(app, DEFAULT_PASSWORD)())


def test_a_success_in_flight_does_not_clear_a_lock_set_meanwhile(app, factories, counted):
    """One try left; the right password and a wrong one arrive together. Whichever takes
    the last try, the other one locks the account, and the right password is refused."""
    factories.user()
    for _ in range(4):
        prepared_sign_in(app, "wrong password")()
    answers = together(
        2, lambda i: prepared_sign_in(app, DEFAULT_PASSWORD if i == 0 else "wrong password")
    )
    assert counted.count == 5
    assert all(locked_message(a) for a in answers)
    assert count_rows(app, BrowserSession) == 0
    assert locked_message(prepared_sign_in(app, DEFAULT_PASSWORD)())


def test_the_daily_maximum_holds_under_a_burst(app, factories, counted, clock):
    factories.user()
    counted.hold_seconds = 0.0
    for _ in range(5):
        prepared_sign_in(app, "wrong password")()  # the first lock (20 min)
    clock.advance(20 * 60)
    counted.hold_seconds = HOLD_SECONDS
    burst(app)
    assert counted.count == 8  # the day's maximum, not one more
    clock.advance(3600)  # the 20-minute lock would be over: the day's one is not
    assert locked_message(prepared_sign_in(app, DEFAULT_PASSWORD)())
    assert counted.count == 8
    clock.advance(23 * 3600)
    assert prepared_sign_in(app, DEFAULT_PASSWORD)().status_code == 303
