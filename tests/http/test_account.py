"""The signed-in account: password change and its effects, e-mail change, the gauge."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from idp.extensions import db
from idp.i18n import text
from idp.models import BrowserSession, User
from idp.services import password_policy
from tests.support.cli import Operator
from tests.support.factories import DEFAULT_PASSWORD
from tests.support.oidc import RelyingParty, csrf_token
from tests.support.outbox import emails, last_email, text_part
from tests.support.signin import submit

NEW_PASSWORDS = [f"Quatre chevaux galopent vers Nantes {n}" for n in range(8)]


def page_text(key: str, **params: object) -> str:
    return text(key, "fr", **params).replace("'", "&#39;")


def post_form(client, url: str, **fields: str):
    page = client.get(url)
    return client.post(url, data={"csrf_token": csrf_token(page.get_data(as_text=True)), **fields})


def change(client, current: str, new: str, confirmation: str | None = None):
    return post_form(
        client,
        "/account/password",
        current_password=current,
        new_password=new,
        confirmation=new if confirmation is None else confirmation,
    )


@pytest.fixture
def signed_in(client, factories, puzzles):
    factories.user()
    assert submit(client, puzzles).status_code == 303
    return client


def test_account_page_needs_a_sign_in_and_comes_back(client, factories, puzzles):
    factories.user()
    first = client.get("/account")
    assert first.location == "/login?next=/account"
    signed = submit(client, puzzles, url="/login?next=/account")
    assert signed.location == "/account"
    page = client.get("/account").get_data(as_text=True)
    assert "marie@example.org" in page and text("account.change_password", "fr") in page


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_sign_in_never_redirects_off_site(client, factories, puzzles, target):
    factories.user()
    response = submit(client, puzzles, url=f"/login?next={target}")
    assert response.location == "/account"


def test_password_change_confirms_and_notifies(app, signed_in):
    done = change(signed_in, DEFAULT_PASSWORD, NEW_PASSWORDS[0])
    assert done.location == "/account/password/done"
    page = signed_in.get(done.location).get_data(as_text=True)
    assert text("account.password_done", "fr") in page
    assert page_text("account.password_done_next") in page
    notice = last_email(app)
    assert notice["To"] == "marie@example.org"
    assert "Le mot de passe de votre compte marie vient d'être modifié" in text_part(notice)
    assert app.extensions["idp"].settings.branding.support_phone in text_part(notice)


def test_wrong_current_password_is_refused_and_counted(app, signed_in):
    response = change(signed_in, "not the password", NEW_PASSWORDS[0])
    assert page_text("account.current_password_wrong") in response.get_data(as_text=True)
    for _ in range(4):
        change(signed_in, "not the password", NEW_PASSWORDS[0])
    # Five failures lock the identifier, at the sign-in page as well.
    status = app.extensions["idp"].lockout
    with app.app_context():
        assert status.status("marie", now=app.extensions["idp"].now()).locked(
            app.extensions["idp"].now()
        )
    # Locked, even the right current password is refused: a stolen session cannot guess on.
    right = change(signed_in, DEFAULT_PASSWORD, NEW_PASSWORDS[0])
    assert page_text("account.current_password_locked") in right.get_data(as_text=True)
    with app.app_context():
        stored = db.session.scalar(select(User))
        assert app.extensions["idp"].passwords.verify(stored.password_hash, DEFAULT_PASSWORD)


def test_rules_apply_on_the_account_page(signed_in):
    weak = change(signed_in, DEFAULT_PASSWORD, "soleil2024")
    assert page_text("password.too_weak") in weak.get_data(as_text=True)
    mismatch = change(signed_in, DEFAULT_PASSWORD, NEW_PASSWORDS[0], NEW_PASSWORDS[1])
    assert page_text("password.mismatch") in mismatch.get_data(as_text=True)


def test_the_last_five_passwords_cannot_come_back(signed_in):
    current = DEFAULT_PASSWORD
    for new in NEW_PASSWORDS[:5]:
        assert change(signed_in, current, new).status_code == 303
        current = new
    # DEFAULT_PASSWORD is now the 6th most recent: allowed again; the last five are not.
    reused = change(signed_in, current, NEW_PASSWORDS[1])
    assert page_text("password.reused") in reused.get_data(as_text=True)
    assert change(signed_in, current, DEFAULT_PASSWORD).status_code == 303


def test_a_change_ends_other_sessions_and_refresh_tokens(app, client, factories, puzzles):
    factories.user()
    rp_client, secret = factories.client(first_party=True)
    other = app.test_client()
    rp = RelyingParty(other, rp_client.client_id, secret)
    tokens = rp.tokens(scope="openid offline_access")
    assert submit(client, puzzles).status_code == 303
    assert change(client, DEFAULT_PASSWORD, NEW_PASSWORDS[0]).status_code == 303
    assert rp.refresh(tokens["refresh_token"]).status_code == 400
    assert rp.userinfo(tokens["access_token"]).status_code == 401
    with app.app_context():
        live = db.session.scalars(
            select(BrowserSession).where(BrowserSession.ended_at.is_(None))
        ).all()
    assert len(live) == 1  # this browser stays signed in
    assert client.get("/account").status_code == 200


def test_agent_reset_notifies_and_ends_sessions(app, signed_in, tmp_path):
    result = Operator(app, tmp_path)("users", "reset-password", "marie", "--json")
    assert result.exit_code == 0
    assert "vient d'être modifié" in text_part(last_email(app))
    assert signed_in.get("/account").status_code == 303  # signed out


def test_email_change_waits_for_the_code(app, signed_in):
    sent = post_form(signed_in, "/account/email", email="marie.nouvelle@example.org")
    assert sent.location == "/contacts/verify"
    message = last_email(app)
    assert message["To"] == "marie.nouvelle@example.org"
    with app.app_context():
        assert db.session.scalar(select(User.email)) == "marie@example.org"
    code = re.search(r"\b(\d{4})\b", text_part(message)).group(1)
    post_form(signed_in, "/contacts/verify", code=code)
    with app.app_context():
        assert db.session.scalar(select(User.email)) == "marie.nouvelle@example.org"
    # The verified address it replaces is told, once, in the account's language.
    to_old = [sent for sent in emails(app) if sent["To"] == "marie@example.org"]
    assert len(to_old) == 1 and len(emails(app)) == 2
    assert to_old[0]["Subject"] == "Modification de votre adresse email"
    assert "marie" in text_part(to_old[0]) and "marie.nouvelle" not in text_part(to_old[0])


def test_same_or_invalid_address_is_refused(app, signed_in):
    same = post_form(signed_in, "/account/email", email="marie@example.org")
    assert page_text("account.email_unchanged") in same.get_data(as_text=True)
    invalid = post_form(signed_in, "/account/email", email="marie@")
    assert page_text("contacts.email_invalid") in invalid.get_data(as_text=True)
    empty = post_form(signed_in, "/account/email", email="  ")
    assert empty.status_code == 200
    assert 'aria-describedby="email-error"' in empty.get_data(as_text=True)
    assert page_text("login.required") in empty.get_data(as_text=True)
    assert emails(app) == []


GAUGE_TABLE = [
    "azerty",
    "motdepasse1",
    "Soleil2024!",
    "marie2024",
    "Xk9#mQ2!",
    "Kalimba-trompette",
    "Tr0ub4dor&3",
    "Quatre chevaux galopent vers Nantes",
    "correcthorsebatterystaple",
    "Marie-Dupont-1",
]


def test_gauge_verdict_is_the_server_verdict(app, signed_in):
    page = signed_in.get("/account/password").get_data(as_text=True)
    token = csrf_token(page)
    rt = app.extensions["idp"]
    with app.app_context():
        user = db.session.scalar(select(User))
        from idp.services.credentials import user_inputs

        inputs = user_inputs(user)
    seen = set()
    for password in GAUGE_TABLE:
        answer = signed_in.post(
            "/password/strength", data={"password": password}, headers={"X-CSRFToken": token}
        ).get_json()
        expected = password_policy.evaluate(password, rt.settings.password, user_inputs=inputs)
        assert answer["strength"] == expected.strength.name.lower(), password
        assert answer["acceptable"] is expected.acceptable, password
        seen.add(answer["strength"])
    assert seen == {"weak", "medium", "strong"}


def test_gauge_needs_the_csrf_token(signed_in):
    assert signed_in.post("/password/strength", data={"password": "x"}).status_code == 400
