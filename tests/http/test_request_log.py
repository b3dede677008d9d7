"""One log line per request with its request id; the id on the answer and the audit trail;
no secret in any log line."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest
from sqlalchemy import select

from idp.extensions import db
from idp.models import AuditEvent
from idp.services import audit
from tests.support.factories import DEFAULT_PASSWORD
from tests.support.oidc import RelyingParty, session_cookie
from tests.support.outbox import last_email, text_part
from tests.support.recovery import CODE, post_page, walk_to_code_page
from tests.support.signin import submit

GENERATED = re.compile(r"[0-9a-f]{32}")


def access_lines(err: str) -> list[dict[str, Any]]:
    """The JSON access lines among what was written to stderr."""
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    return [line for line in lines if line["logger"] == "idp.access"]


def test_an_incoming_request_id_is_kept_sent_back_and_logged(client, capsys):
    response = client.get("/login", headers={"X-Request-Id": "lb-7f3a.12:ab=="})
    assert response.headers["X-Request-Id"] == "lb-7f3a.12:ab=="
    (line,) = access_lines(capsys.readouterr().err)
    assert line["request_id"] == "lb-7f3a.12:ab=="
    assert line["method"] == "GET" and line["route"] == "/login" and line["status"] == 200
    assert line["ip"] == "127.0.0.1"
    assert isinstance(line["duration_ms"], float)


@pytest.mark.parametrize(
    "incoming", ["", "two words", "x" * 65, "<script>", "é", "-leading", "a;b", "a\tb"]
)
def test_an_insane_request_id_is_replaced(client, incoming):
    answered = client.get("/login", headers={"X-Request-Id": incoming}).headers["X-Request-Id"]
    assert GENERATED.fullmatch(answered), answered


def test_requests_answered_before_flask_get_an_id_and_a_line(client, capsys):
    """The token fast path's answers are logged like Flask's; discovery and the JWKS,
    published documents, get an id and are counted, but are logged only when they fail."""
    first = client.get("/.well-known/openid-configuration").headers["X-Request-Id"]
    second = client.get("/jwks.json").headers["X-Request-Id"]
    token = client.post("/token", data={"grant_type": "client_credentials"})
    refused = client.post("/jwks.json")
    assert GENERATED.fullmatch(first) and first != second
    assert token.status_code == 401 and refused.status_code == 404
    lines = access_lines(capsys.readouterr().err)
    assert [(line["route"], line["status"], line["request_id"]) for line in lines] == [
        ("/token", 401, token.headers["X-Request-Id"]),
        ("/jwks.json", 404, refused.headers["X-Request-Id"]),
    ]


@pytest.mark.parametrize("settings_overrides", [{"logging": {"access_documents": True}}])
def test_the_published_documents_can_be_logged_too(client, capsys):
    first = client.get("/.well-known/openid-configuration").headers["X-Request-Id"]
    second = client.get("/jwks.json").headers["X-Request-Id"]
    lines = access_lines(capsys.readouterr().err)
    assert [(line["route"], line["request_id"]) for line in lines] == [
        ("/.well-known/openid-configuration", first),
        ("/jwks.json", second),
    ]


def test_the_audit_records_of_a_request_carry_its_id(app, client, factories, puzzles):
    factories.user()
    client.environ_base["HTTP_X_REQUEST_ID"] = "sign-in-1"
    submit(client, puzzles, password="wrong password")
    client.environ_base["HTTP_X_REQUEST_ID"] = "sign-in-2"
    submit(client, puzzles)
    with app.app_context():
        audit.record("cli_action", "ok", at=1)  # outside a request: no id
        db.session.commit()
        rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        found = [(row.event, row.outcome, row.request_id) for row in rows]
    assert ("sign_in", "invalid_credentials", "sign-in-1") in found
    assert ("sign_in", "success", "sign-in-2") in found
    assert found[-1] == ("cli_action", "ok", None)


def test_log_records_written_during_a_request_carry_its_id(app, client, caplog):
    caplog.set_level(logging.INFO, logger="idp")
    client.get("/login", headers={"X-Request-Id": "req-42"})
    assert {record.request_id for record in caplog.records} == {"req-42"}


@pytest.mark.parametrize("settings_overrides", [{"logging": {"format": "plain"}}])
def test_the_plain_format_for_development(client, capsys):
    client.get("/login", headers={"X-Request-Id": "req-42"})
    err = capsys.readouterr().err
    assert " INFO idp.access [req-42] GET /login 200 " in err
    assert "{" not in err


@pytest.mark.parametrize("settings_overrides", [{"logging": {"access": False}}])
def test_access_lines_can_be_turned_off(client, capsys):
    assert client.get("/login").headers["X-Request-Id"]
    assert access_lines(capsys.readouterr().err) == []


# -- no secret in any log line ----------------------------------------------------------------


@pytest.fixture
def settings_overrides():
    return {"logging": {"level": "DEBUG"}, "recovery": {"response_floor_ms": 1}}


def test_no_secret_in_the_logs_of_sign_in_token_and_recovery_flows(
    app, client, rp, factories, puzzles, clock, capsys, caplog
):
    """Every line written to stderr, and every record of every logger at DEBUG (SQL echo
    aside, an operator's debugging switch), scanned for what the flows exchanged."""
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    secrets: list[str] = [DEFAULT_PASSWORD, rp.secret]
    # Sign-in and the code flow, refresh, userinfo.
    code = rp.obtain_code(scope="openid profile offline_access")
    secrets += [code, session_cookie(client)]
    tokens = rp.exchange(code).get_json()
    refreshed = rp.refresh(tokens["refresh_token"]).get_json()
    assert rp.userinfo(refreshed["access_token"]).status_code == 200
    secrets += [tokens[k] for k in ("access_token", "refresh_token", "id_token")]
    secrets += [refreshed[k] for k in ("access_token", "refresh_token", "id_token")]
    # A service's token, its secret in the form (the fast path reads it).
    registered, service_secret = factories.client(
        grant_types=("client_credentials",), redirect_uris=(), auth_method="client_secret_post"
    )
    service = RelyingParty(client, registered.client_id, service_secret, auth_method="post")
    service_token = service.client_credentials().get_json()["access_token"]
    secrets += [service_secret, service_token]
    # Recovery: the code by e-mail, then the temporary password it sends.
    recovering = app.test_client()
    factories.user(identifier="paul", email="paul@example.org", last_login_at=clock.now() - 60)
    code_path = walk_to_code_page(recovering, puzzles, "paul")
    recovery_code = CODE.search(text_part(last_email(app))).group(1)
    assert post_page(recovering, code_path, code=recovery_code).status_code == 303
    temporary = re.search(r"Mot de passe provisoire : (\S+)", text_part(last_email(app)))
    assert submit(recovering, puzzles, "paul", temporary.group(1)).status_code == 303

    err = capsys.readouterr().err
    logged = err + "\n".join(
        f"{record.getMessage()} {record.__dict__}" for record in caplog.records
    )
    assert len(access_lines(err)) >= 15  # the scan saw the requests
    for secret in [*secrets, temporary.group(1)]:
        assert secret and secret not in logged, secret
    # Six digits: not inside a longer word (request ids, times).
    without_ids = GENERATED.sub("", logged)
    assert not re.search(rf"(?<![\w.:-]){recovery_code}(?![\w])", without_ids)
