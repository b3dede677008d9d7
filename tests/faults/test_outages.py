"""Outages under a small load: never a 500; 503 with Retry-After while the database is down,
200 again within 5 s of its return with every successful write kept; sign-ins and recoveries
go on while Redis is down (rate limits counted in memory meanwhile, and the switch logged).
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
import requests
from sqlalchemy import func, select

from idp.extensions import db
from idp.models import Token
from tests.faults.conftest import wait_until
from tests.support.factories import DEFAULT_PASSWORD
from tests.support.oidc import RelyingParty, csrf_token
from tests.support.signin import captcha_ref

pytestmark = pytest.mark.faults

THREADS = 4
OFFLINE = "openid offline_access"


@dataclass
class Load:
    """THREADS callers, each refreshing its own token chain and opening the sign-in page."""

    url: str
    client_id: str
    secret: str
    refresh_tokens: list[str]
    authorize_query: str
    stop: threading.Event = field(default_factory=threading.Event)
    answers: list[tuple[str, int, str, str | None]] = field(default_factory=list)
    refreshed: Counter[int] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, caller: int) -> None:
        http = requests.Session()
        while not self.stop.is_set():
            token = self.refresh_tokens[caller]
            response = http.post(
                f"{self.url}/token",
                data={"grant_type": "refresh_token", "refresh_token": token},
                auth=(self.client_id, self.secret),
                timeout=10,
            )
            if response.status_code == 200:
                self.refresh_tokens[caller] = response.json()["refresh_token"]
                self.refreshed[caller] += 1
            self._record("token", response)
            page = http.get(f"{self.url}/authorize?{self.authorize_query}", timeout=10,
                            allow_redirects=False)  # fmt: skip
            self._record("authorize", page)
            time.sleep(0.01)

    def _record(self, kind: str, response: requests.Response) -> None:
        error = None
        if response.headers.get("Content-Type", "").startswith("application/json"):
            error = response.json().get("error")
        with self._lock:
            self.answers.append(
                (kind, response.status_code, response.headers.get("Content-Type", ""), error)
            )
            if response.status_code == 503:
                assert response.headers.get("Retry-After") == "5"


def _tokens(live_idp, rp: RelyingParty) -> list[str]:
    return [rp.tokens(scope=OFFLINE)["refresh_token"] for _ in range(THREADS)]


def _token_rows(live_idp) -> int:
    with live_idp.app.app_context():
        return db.session.scalar(select(func.count()).select_from(Token)) or 0


def test_database_restart_under_load(live_idp, private_postgres):
    registered, secret = live_idp.factories.client()
    live_idp.factories.user()
    rp = RelyingParty(live_idp.app.test_client(), registered.client_id, secret)
    load = Load(
        url=live_idp.url,
        client_id=registered.client_id,
        secret=secret,
        refresh_tokens=_tokens(live_idp, rp),
        authorize_query=urlencode(rp.authorize_params()),
    )
    rows_before = _token_rows(live_idp)
    callers = [threading.Thread(target=load.run, args=(i,)) for i in range(THREADS)]
    for caller in callers:
        caller.start()
    try:
        time.sleep(1)
        private_postgres.stop("fast")
        time.sleep(1.5)
        private_postgres.start()
        back = time.monotonic()
        seen = len(load.answers)
        # Within 5 s of the restart, every caller's refreshes succeed again.
        wait_until(lambda: any(a[:2] == ("token", 200) for a in load.answers[seen:]), 5, "recovery")
        recovered = time.monotonic() - back
        time.sleep(1)
    finally:
        load.stop.set()
        for caller in callers:
            caller.join(15)

    statuses = Counter((kind, status) for kind, status, _, _ in load.answers)
    expected = {("token", 200), ("token", 503), ("authorize", 303), ("authorize", 503)}
    assert set(statuses) <= expected, (statuses, live_idp.log_text()[-3000:])
    assert statuses[("token", 503)] + statuses[("authorize", 503)] > 0, "the outage was seen"
    for kind, status, content_type, error in load.answers:
        if (kind, status) == ("token", 503):
            assert error == "temporarily_unavailable"
        if (kind, status) == ("authorize", 503):
            assert content_type.startswith("text/html")
    assert recovered < 5
    # Every refresh answered 200 stored its new token, and each chain's last one still works.
    successes = sum(load.refreshed.values())
    assert _token_rows(live_idp) >= rows_before + successes
    for token in load.refresh_tokens:
        assert rp.refresh(token).status_code == 200


GOOD = DEFAULT_PASSWORD


def _sign_in(http: requests.Session, url: str, query: str, identifier: str, password: str) -> int:
    """Open the sign-in page the authorization request leads to, and submit it."""
    login = http.get(f"{url}/authorize?{query}", allow_redirects=False, timeout=10)
    assert login.status_code == 303, login.status_code
    page = http.get(url + login.headers["Location"], timeout=10)
    assert page.status_code == 200, page.status_code
    response = http.post(
        page.url,
        data={"csrf_token": csrf_token(page.text), "identifier": identifier, "password": password},
        allow_redirects=False,
        timeout=10,
    )
    return response.status_code


def _start_recovery(http: requests.Session, url: str, identifier: str) -> int:
    """ "J'ai oublié mon mot de passe": the identifier and the sum the page asks."""
    page = http.get(f"{url}/recovery/password", timeout=10)
    assert page.status_code == 200, page.status_code
    a, operator, b = re.search(r"(\d+) ([+−]) (\d+)", page.text).groups()
    answer = int(a) + int(b) if operator == "+" else int(a) - int(b)
    response = http.post(
        page.url,
        data={
            "csrf_token": csrf_token(page.text),
            "captcha_ref": captcha_ref(page.text),
            "captcha_answer": str(answer),
            "identifier": identifier,
        },
        allow_redirects=False,
        timeout=10,
    )
    return response.status_code


def test_sign_ins_go_on_while_redis_is_down(live_idp, private_redis):
    """Limits then count in the worker's memory: sign-ins succeed, and the limit still holds
    (login_per_identifier is 8/minute here; one sign-in before the outage counted in Redis)."""
    registered, secret = live_idp.factories.client()
    live_idp.factories.user()
    live_idp.factories.user("paul", email="paul@example.org")
    rp = RelyingParty(live_idp.app.test_client(), registered.client_id, secret)
    query = urlencode(rp.authorize_params())
    assert _sign_in(requests.Session(), live_idp.url, query, "marie", GOOD) == 303

    private_redis.stop()
    outcomes: list[int] = []

    def caller() -> None:
        for _ in range(2):
            outcomes.append(_sign_in(requests.Session(), live_idp.url, query, "marie", GOOD))

    callers = [threading.Thread(target=caller) for _ in range(THREADS)]
    for thread in callers:
        thread.start()
    for thread in callers:
        thread.join(30)
    # The limit still holds, in memory: the requests already waiting on Redis when the
    # storage switched went uncounted (at most THREADS - 1), so it is reached by then.
    after = [_sign_in(requests.Session(), live_idp.url, query, "marie", GOOD)]
    while after[-1] == 303 and len(after) < THREADS:
        after.append(_sign_in(requests.Session(), live_idp.url, query, "marie", GOOD))
    wrong = _sign_in(requests.Session(), live_idp.url, query, "paul", "wrong password")
    recovery = _start_recovery(requests.Session(), live_idp.url, "paul")
    private_redis.start()

    assert outcomes == [303] * THREADS * 2
    assert after[-1] == 429, after
    assert wrong == 200  # the form again, with its message
    assert recovery == 303  # on to the channel choice
    log = live_idp.log_text()
    assert "rate-limit storage unreachable: counting in this worker's memory" in log
    assert "Traceback" not in log
