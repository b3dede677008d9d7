"""Single-use secrets and one-answer requests hold when the same browser sends twice at once
(a double click, two tabs): one recovery code, one e-mail code, one consent each give one
result, and the other request gets a normal page, never a 500."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from idp.extensions import db
from idp.models import AuthorizationCode, Consent, OneTimeCode, User
from tests.support.concurrency import together
from tests.support.oidc import RelyingParty, csrf_token
from tests.support.outbox import emails, last_email, text_part
from tests.support.recovery import CODE, walk_to_code_page
from tests.support.signin import submit


@pytest.fixture
def settings_overrides() -> dict[str, dict[str, object]]:
    return {"recovery": {"response_floor_ms": 1}}


def twin(app: Flask, http: FlaskClient) -> FlaskClient:
    """Another connection from the same browser: the same cookies."""
    other = app.test_client()
    for (domain, path, name), cookie in http._cookies.items():
        other.set_cookie(name, cookie.value, domain=domain, path=path)
    return other


def posted_twice(app: Flask, http: FlaskClient, url: str, **fields: str) -> list[Any]:
    """The form at `url` submitted twice at once by the same browser."""
    token = csrf_token(http.get(url).get_data(as_text=True))
    browsers = [http, twin(app, http)]
    data = {"csrf_token": token, **fields}
    return together(2, lambda i: lambda: browsers[i].post(url, data=data))


def count(app: Flask, model: Any, *conditions: Any) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def test_one_recovery_code_used_twice_at_once_sends_one_password(
    app, client, factories, puzzles, clock
):
    factories.user(last_login_at=clock.now() - 3600)
    code_path = walk_to_code_page(client, puzzles, "marie")
    code = CODE.search(text_part(last_email(app))).group(1)
    before = len(emails(app))
    answers = posted_twice(app, client, code_path, code=code)
    statuses = sorted(a.status_code for a in answers)
    assert 500 not in statuses
    assert statuses.count(303) == 1, statuses  # one success; the other stays on the page
    sent = [m for m in emails(app)[before:] if "Mot de passe provisoire" in text_part(m)]
    assert len(sent) == 1
    assert count(app, OneTimeCode, OneTimeCode.used_at.is_not(None)) == 1


def test_one_email_code_used_twice_at_once_changes_the_address_once(
    app, client, factories, puzzles
):
    factories.user()
    assert submit(client, puzzles).status_code == 303
    page = client.get("/account/email").get_data(as_text=True)
    sent = client.post(
        "/account/email",
        data={"csrf_token": csrf_token(page), "email": "marie.nouvelle@example.org"},
    )
    assert sent.location == "/contacts/verify"
    code = re.search(r"\b(\d{4})\b", text_part(last_email(app))).group(1)
    before = len(emails(app))
    answers = posted_twice(app, client, "/contacts/verify", code=code)
    assert 500 not in {a.status_code for a in answers}
    assert count(app, User, User.email == "marie.nouvelle@example.org") == 1
    assert count(app, OneTimeCode, OneTimeCode.used_at.is_not(None)) == 1
    # The change is notified once, not once per request.
    assert len(emails(app)) - before <= 1


def test_two_consents_at_once_give_one_consent_and_one_code(app, rp: RelyingParty):
    response = rp.walk(rp.authorize(), consent=False)
    assert response.status_code == 200
    consent_path = response.request.path
    assert consent_path.startswith("/consent/"), consent_path
    # Each answer goes on with the same pending request: one code, one refusal.
    answers = posted_twice(app, rp.http, consent_path, approve="1")
    assert sorted(a.status_code for a in answers) == [302, 400]
    assert sum(rp.leaves(a) for a in answers) == 1
    assert count(app, Consent) == 1
    assert count(app, AuthorizationCode) == 1


def test_a_recovery_password_used_twice_at_once_replaces_the_password_once(
    app, client, factories, puzzles, clock
):
    """Two sign-ins with the temporary password a recovery sent: it becomes the password
    once (one history row, one notification), and neither answer is a 500."""
    from idp.models import PasswordHistory

    factories.user(last_login_at=clock.now() - 3600)
    code_path = walk_to_code_page(client, puzzles, "marie")
    code = CODE.search(text_part(last_email(app))).group(1)
    posted_twice(app, client, code_path, code=code)  # any one of them sends the password
    temporary = re.search(r"Mot de passe provisoire : (\S+)", text_part(last_email(app))).group(1)
    signing_in = app.test_client()
    answers = posted_twice(app, signing_in, "/login", identifier="marie", password=temporary)
    assert 500 not in {a.status_code for a in answers}
    assert count(app, PasswordHistory) == 1
    assert sum("vient d'être modifié" in text_part(m) for m in emails(app)) == 1
