"""One refresh token sent twice at once (a leaked copy racing its owner): one request wins,
the other is refused and ends the whole grant, the winner's new tokens included, so that
neither copy goes on (RFC 9700 §4.14.2). Whichever path each request takes: the token fast
path answers a plain refresh, a refresh naming its scope goes to the Authlib grant.

Threads alone seldom overlap inside the few milliseconds between a rotation's checks and its
write, so each rotation is held, after the token was found active and before it is consumed,
until all the requests are there: every run then races for the consumption itself (the
hold gives up after a second, should a request never reach it).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask

from idp.oidc import issuance
from tests.support.concurrency import together
from tests.support.oidc import RelyingParty, basic

OFFLINE = "openid profile email offline_access"
# What each request adds to the form: nothing (the fast path takes it) or its scope (the grant).
PATHS = {"fast": {}, "grant": {"scope": OFFLINE}}


@contextmanager
def rotations_held_until(count: int, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each rotation signs its ID token before it consumes the old refresh token: wait there
    for `count` rotations (or a second), then let them all go on unchanged."""
    barrier = threading.Barrier(count, timeout=1)
    sign = issuance.issue_id_token

    def held(*args: Any, **kwargs: Any) -> Any:
        # Fewer reached the rotation (a refusal before it): nothing more to hold.
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        return sign(*args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(issuance, "issue_id_token", held)
        yield


def _refreshes(app: Flask, rp: RelyingParty, refresh_token: str, paths: list[str]) -> list[Any]:
    """The same refresh token sent by len(paths) connections at once."""
    headers = basic(rp.client_id, rp.secret)

    def prepare(index: int):
        http = app.test_client()  # a connection of its own
        data = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        data.update(PATHS[paths[index]])
        return lambda: http.post("/token", data=data, headers=headers)

    return together(len(paths), prepare)


@pytest.mark.parametrize(
    "paths", [["fast", "fast"], ["grant", "grant"], ["fast", "grant"]], ids="-".join
)
def test_one_refresh_token_used_twice_at_once(app, rp, factories, monkeypatch, paths):
    granted = rp.tokens(scope=OFFLINE)
    with rotations_held_until(2, monkeypatch):
        answers = _refreshes(app, rp, granted["refresh_token"], paths)
    assert sorted(a.status_code for a in answers) == [200, 400], [a.get_json() for a in answers]
    winner, loser = sorted(answers, key=lambda a: a.status_code)
    assert loser.get_json()["error"] == "invalid_grant"
    assert "access_token" not in loser.get_json()
    # The loser ended the grant: the winner's fresh tokens are dead too.
    won = winner.get_json()
    assert rp.introspect(won["access_token"]).get_json() == {"active": False}
    assert rp.userinfo(won["access_token"]).status_code == 401
    assert rp.refresh(won["refresh_token"]).status_code == 400
    assert rp.introspect(granted["access_token"]).get_json() == {"active": False}
    reused = factories.audit("refresh_token_reused")
    assert [(e.outcome, e.client_id) for e in reused] == [("refused", rp.client_id)]


def test_eight_at_once_one_wins(app, rp, monkeypatch):
    granted = rp.tokens(scope=OFFLINE)
    with rotations_held_until(8, monkeypatch):
        answers = _refreshes(app, rp, granted["refresh_token"], ["fast", "grant"] * 4)
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [400] * 7, statuses
