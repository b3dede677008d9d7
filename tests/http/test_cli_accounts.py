"""Operator commands on accounts: show, unlock, disable/enable, audit tail."""

from __future__ import annotations

import json

import pytest

from tests.support.cli import Operator
from tests.support.oidc import RelyingParty, query
from tests.support.signin import submit


@pytest.fixture
def idp(app, tmp_path) -> Operator:
    return Operator(app, tmp_path)


def test_unlock_ends_a_lock_and_is_audited(client, factories, puzzles, idp):
    factories.user()
    for _ in range(5):
        submit(client, puzzles, password="wrong")
    shown = json.loads(idp("users", "show", "marie", "--json").output)
    assert shown["state"] == "locked" and shown["locked_until"]
    result = idp("users", "unlock", "marie")
    assert result.exit_code == 0 and "unlocked" in result.output
    assert submit(client, puzzles).status_code == 303
    tail = idp("audit", "tail", "-n", "50")
    assert "unlock" in tail.output and "account_locked" in tail.output
    assert "account=marie" in tail.output


def test_unlock_of_an_unlocked_account_says_so(factories, idp):
    factories.user()
    assert "was not locked" in idp("users", "unlock", "marie").output


def test_show_tells_never_connected_then_active(client, factories, puzzles, idp):
    factories.user()
    assert json.loads(idp("users", "show", "marie", "--json").output)["state"] == "never_connected"
    submit(client, puzzles)
    assert json.loads(idp("users", "show", "marie", "--json").output)["state"] == "active"


def test_disable_ends_sessions_and_tokens_and_enable_restores(client, factories, puzzles, idp):
    factories.user()
    rp_client, secret = factories.client(first_party=True)
    rp = RelyingParty(client, rp_client.client_id, secret)
    tokens = rp.tokens()
    assert idp("users", "disable", "marie").exit_code == 0
    assert rp.userinfo(tokens["access_token"]).status_code == 401
    silent = rp.authorize(prompt="none")
    assert query(silent.location)["error"] == "login_required"
    assert json.loads(idp("users", "show", "marie", "--json").output)["state"] == "disabled"
    assert idp("users", "enable", "marie").exit_code == 0
    assert "code" in query(rp.walk(rp.authorize()).location)


def test_audit_tail_json_has_time_account_client_ip_outcome(client, factories, puzzles, idp):
    factories.user()
    submit(client, puzzles, password="wrong")
    client.environ_base["HTTP_X_REQUEST_ID"] = "req-ghost"
    submit(client, puzzles, "ghost", "wrong")
    lines = idp("audit", "tail", "-n", "2", "--json").output
    events = [json.loads(chunk) for chunk in lines.replace("}\n{", "}\x00{").split("\x00")]
    assert [e["account"] for e in events] == ["marie", "ghost"]
    assert [e["known_account"] for e in events] == [True, False]
    assert all(e["outcome"] == "invalid_credentials" and e["ip"] == "127.0.0.1" for e in events)
    assert all(e["at"].startswith("20") for e in events)
    assert len(events[0]["request_id"]) == 32 and events[1]["request_id"] == "req-ghost"
    assert "request=req-ghost" in idp("audit", "tail", "-n", "1").output


def test_unknown_account_is_a_clear_error(idp):
    result = idp("users", "show", "nobody")
    assert result.exit_code == 1
    assert "no account 'nobody'" in result.output


def test_contacts_verified_skips_the_first_connection_confirmation(app, client, puzzles, idp):
    result = idp(
        "users",
        "add",
        "--identifier",
        "kim",
        "--email",
        "kim@example.org",
        "--password",
        "Quatre chevaux galopent vers Nantes",
        "--contacts-verified",
    )
    assert result.exit_code == 0, result.output
    signed = submit(client, puzzles, "kim", "Quatre chevaux galopent vers Nantes")
    assert signed.location == "/account"
    shown = json.loads(idp("users", "show", "kim", "--json").output)
    assert shown["email_verified"] is True


def test_without_it_the_first_sign_in_confirms_the_contacts(app, client, puzzles, idp):
    idp(
        "users",
        "add",
        "--identifier",
        "kim",
        "--email",
        "kim@example.org",
        "--password",
        "Quatre chevaux galopent vers Nantes",
    )
    signed = submit(client, puzzles, "kim", "Quatre chevaux galopent vers Nantes")
    assert signed.location == "/contacts/confirm"


def test_users_list_filters_by_state_and_organisation(client, factories, puzzles, idp):
    factories.user()  # never connected yet
    factories.user("paul", email="paul@example.org", status="disabled")
    primary = factories.organisation()
    factories.secondary(primary, "cs1")
    listed = {row["identifier"]: row for row in json.loads(idp("users", "list", "--json").output)}
    assert set(listed) == {"marie", "paul", "asp1ent", "cs1.asp1ent"}
    assert listed["paul"]["state"] == "disabled"
    assert listed["cs1.asp1ent"]["organisation"] == "00001"
    assert listed["cs1.asp1ent"]["role"] == "secondary"
    disabled = json.loads(idp("users", "list", "--state", "disabled", "--json").output)
    assert [row["identifier"] for row in disabled] == ["paul"]
    members = json.loads(idp("users", "list", "--org", "asp1ent", "--json").output)
    assert [row["identifier"] for row in members] == ["asp1ent", "cs1.asp1ent"]
    assert idp("users", "list", "--org", "nowhere").exit_code != 0
    plain = idp("users", "list", "--state", "disabled").output
    assert plain.startswith("paul\tdisabled")


def test_users_revoke_ends_the_habilitation_and_its_tokens_at_once(app, factories, idp, clock):
    registered, secret = factories.client(first_party=True, requires_habilitation=True)
    marie = factories.user()
    idp("users", "grant", "marie", registered.client_id)
    rp = RelyingParty(app.test_client(), registered.client_id, secret, clock=clock)
    tokens = rp.tokens(scope="openid offline_access")
    assert rp.userinfo(tokens["access_token"]).status_code == 200
    result = idp("users", "revoke", "marie", registered.client_id)
    assert "no longer granted" in result.output
    assert rp.userinfo(tokens["access_token"]).status_code == 401
    assert rp.refresh(tokens["refresh_token"]).status_code == 400
    again = rp.sign_in(rp.authorize().location)
    assert again.location.startswith("/login/habilitation/")
    assert "was not granted" in idp("users", "revoke", "marie", registered.client_id).output
    assert any(e.user_id == marie.id for e in factories.audit("habilitation_revoked"))
