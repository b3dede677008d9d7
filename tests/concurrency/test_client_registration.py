"""A counted initial access token holds when registrations arrive together: however many
requests present it at once, it registers at most its count of clients."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from idp.extensions import db
from idp.models import Client, InitialAccessToken
from tests.support.client_registration import initial_token, register
from tests.support.concurrency import together

BURST = 12
USES = 3
HOLD_SECONDS = 0.1


@pytest.fixture
def settings_overrides() -> dict[str, dict[str, object]]:
    return {"client_registration": {"enabled": True}}


@pytest.fixture
def slow_registry(app: Flask) -> None:
    """Each registration holds its transaction a while, as a loaded server's would, so the
    requests overlap between the token's use and the commit."""
    registry = app.extensions["idp"].clients
    original = registry.register

    def held(*args: Any, **kwargs: Any) -> Any:
        registered = original(*args, **kwargs)
        time.sleep(HOLD_SECONDS)
        return registered

    registry.register = held


def test_a_counted_token_used_at_once_registers_no_more_than_its_count(app, slow_registry):
    token = initial_token(app, uses=USES)
    answers = together(
        BURST, lambda _: (lambda http: lambda: register(http, token))(app.test_client())
    )
    statuses = [answer.status_code for answer in answers]
    assert statuses.count(201) == USES, statuses
    assert set(statuses) == {201, 401}, statuses
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Client)) == USES
        assert db.session.scalar(select(InitialAccessToken.uses_left)) == 0
