"""/metrics: each event moves its counter, labels stay bounded, the token is enforced."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import func, select

from idp.extensions import db
from idp.models import AuditEvent
from idp.web.metrics import gauges
from tests.support.metrics import scrape, series, value
from tests.support.oidc import RelyingParty
from tests.support.outbox import last_email
from tests.support.recovery import CODE, walk_to_code_page
from tests.support.signin import submit

REQUESTS = "idp_http_requests_total"
DURATIONS = "idp_http_request_duration_seconds_count"


def test_requests_are_counted_by_route_rule_and_status(client):
    before = scrape(client)
    client.get("/login")
    client.get("/login")
    client.post("/login")  # no CSRF token: refused
    after = scrape(client)
    ok = {"method": "GET", "route": "/login", "status": "200"}
    assert value(after, REQUESTS, **ok) - value(before, REQUESTS, **ok) == 2
    refused = {"method": "POST", "route": "/login", "status": "400"}
    assert value(after, REQUESTS, **refused) - value(before, REQUESTS, **refused) == 1
    get = {"method": "GET", "route": "/login"}
    assert value(after, DURATIONS, **get) - value(before, DURATIONS, **get) == 2


def service(client, factories) -> RelyingParty:
    registered, secret = factories.client(grant_types=("client_credentials",), redirect_uris=())
    return RelyingParty(client, registered.client_id, secret)


def test_requests_answered_before_flask_are_counted(client, factories):
    """Discovery, the JWKS and the token fast path never reach Flask's routing."""
    before = scrape(client)
    client.get("/.well-known/openid-configuration")
    client.get("/jwks.json")
    assert service(client, factories).client_credentials().status_code == 200
    after = scrape(client)
    for route, method in (
        ("/.well-known/openid-configuration", "GET"),
        ("/jwks.json", "GET"),
        ("/token", "POST"),
    ):
        labels = {"method": method, "route": route, "status": "200"}
        assert value(after, REQUESTS, **labels) - value(before, REQUESTS, **labels) == 1, route


def test_unknown_paths_and_methods_add_no_series(client):
    client.get("/nonexistent/warm-up")
    client.open("/login", method="BREW")
    before = scrape(client)
    token = secrets.token_hex(8)
    client.get(f"/nonexistent/{token}")
    client.get(f"/invitation/{token}")  # a rule with a variable: its rule, not its path
    client.open("/login", method="PROPFIND")
    body = client.get("/metrics").get_data(as_text=True)
    assert token not in body
    after = scrape(client)
    assert series(after, REQUESTS) - series(before, REQUESTS) <= {
        frozenset({"method": "GET", "route": "/invitation/<token>", "status": "303"}.items())
    }
    unmatched = {"method": "GET", "route": "<unmatched>", "status": "404"}
    assert value(after, REQUESTS, **unmatched) - value(before, REQUESTS, **unmatched) == 1
    other = {"method": "other", "route": "/login", "status": "405"}
    assert value(after, REQUESTS, **other) - value(before, REQUESTS, **other) == 1


def test_probes_and_scrapes_are_not_counted(client):
    """The counters are the process's: a failed probe of another test may have made a series,
    so what is checked is that these answered probes and scrapes add nothing to any."""
    before = scrape(client)
    client.get("/healthz")
    client.get("/readyz")
    after = scrape(client)
    for route in ("/healthz", "/readyz", "/metrics"):
        for status in ("200", "401", "403", "503"):
            labels = {"method": "GET", "route": route, "status": status}
            assert value(after, REQUESTS, **labels) == value(before, REQUESTS, **labels)


class TestSignIns:
    @pytest.fixture
    def settings_overrides(self):
        return {"captcha": {"mode": "always"}, "lockout": {"max_attempts": 2}}

    def test_each_outcome_locks_and_captcha_failures_are_counted(self, client, factories, puzzles):
        factories.user()
        before = scrape(client)
        submit(client, puzzles)
        submit(client, puzzles, captcha_answer="WRONG1")
        submit(client, puzzles, password="wrong password")
        submit(client, puzzles, password="wrong password")  # the second: locks
        submit(client, puzzles)
        after = scrape(client)

        def moved(name: str, **labels: str) -> float:
            return value(after, name, **labels) - value(before, name, **labels)

        assert moved("idp_sign_ins_total", outcome="success") == 1
        assert moved("idp_sign_ins_total", outcome="invalid_credentials") == 1
        assert moved("idp_sign_ins_total", outcome="locked") == 2
        assert moved("idp_captcha_failures_total") == 1
        assert moved("idp_locks_total") == 1


def test_tokens_are_counted_by_grant_type(client, rp, factories):
    before = scrape(client)
    tokens = rp.tokens(scope="openid profile offline_access")
    assert rp.refresh(tokens["refresh_token"]).status_code == 200
    assert service(client, factories).client_credentials().status_code == 200
    after = scrape(client)
    for grant in ("authorization_code", "refresh_token", "client_credentials"):
        labels = {"grant_type": grant}
        moved = value(after, "idp_tokens_issued_total", **labels)
        assert moved - value(before, "idp_tokens_issued_total", **labels) == 1, grant


@pytest.mark.parametrize("settings_overrides", [{"recovery": {"response_floor_ms": 1}}])
def test_codes_sent_are_counted_by_channel_and_template(app, client, factories, puzzles, clock):
    factories.user(last_login_at=clock.now() - 3600)
    labels = {"channel": "email", "template": "recovery_code"}
    before = value(scrape(client), "idp_messages_sent_total", **labels)
    walk_to_code_page(client, puzzles, "marie")
    assert CODE.search(last_email(app).get_body(("plain",)).get_content())
    assert value(scrape(client), "idp_messages_sent_total", **labels) == before + 1


def test_scrape_gauges_read_shared_state_and_survive_a_failing_callback(app, client, factories):
    factories.user()

    def audit_rows() -> float:
        return db.session.scalar(select(func.count()).select_from(AuditEvent))

    def broken() -> float:
        raise RuntimeError("outbox unreachable")

    gauges(app).register("idp_test_audit_rows", "Audit rows.", audit_rows)
    gauges(app).register("idp_test_broken", "Never read.", broken)
    gauges(app).register(
        "idp_test_queue", "Per channel.", lambda: {"sms": 2, "email": 1}, "channel"
    )
    samples = scrape(client)
    assert value(samples, "idp_test_audit_rows") >= 0
    assert ("idp_test_broken", frozenset()) not in samples
    assert value(samples, "idp_test_queue", channel="sms") == 2
    assert value(samples, "idp_test_queue", channel="email") == 1


class TestToken:
    TOKEN = "scrape-" + "k" * 32

    @pytest.fixture
    def settings_overrides(self):
        return {"metrics": {"token": self.TOKEN}}

    def test_a_scrape_needs_the_token(self, client):
        missing = client.get("/metrics")
        assert missing.status_code == 401
        assert missing.headers["WWW-Authenticate"].startswith("Bearer")
        assert "idp_http" not in missing.get_data(as_text=True)
        for header in ("Bearer wrong", f"Basic {self.TOKEN}", f"Bearer {self.TOKEN}x", "Bearer "):
            answer = client.get("/metrics", headers={"Authorization": header})
            assert answer.status_code in (401, 403), header
            assert "idp_http" not in answer.get_data(as_text=True)
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
        assert REQUESTS in str(scrape(client, self.TOKEN))


@pytest.mark.parametrize("settings_overrides", [{"metrics": {"enabled": False}}])
def test_metrics_can_be_turned_off(client):
    assert client.get("/metrics").status_code == 404
