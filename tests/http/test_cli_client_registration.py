"""`idp clients registration-token` and `registration-tokens`: tokens an operator hands to
whoever may register clients, printed once, listed without their value, revocable."""

from __future__ import annotations

import json

import pytest

from tests.support.cli import Operator
from tests.support.client_registration import assert_invalid_token, register
from tests.support.factories import ISSUER


@pytest.fixture
def settings_overrides() -> dict[str, dict[str, object]]:
    return {"client_registration": {"enabled": True, "token_ttl_hours": 5}}


@pytest.fixture
def idp(app, tmp_path) -> Operator:
    return Operator(app, tmp_path)


def issued(idp: Operator, *args: str) -> dict[str, object]:
    result = idp("clients", "registration-token", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_token_is_printed_once_and_registers_one_client(idp, client, clock, factories):
    token = issued(idp)
    assert token["uses"] == 1
    assert token["expires_at"] == clock.now() + 5 * 3600  # [client_registration] token_ttl_hours
    assert token["registration_endpoint"] == f"{ISSUER}/connect/register"
    assert register(client, token["token"]).status_code == 201
    assert_invalid_token(register(client, token["token"]))
    listed = idp("clients", "registration-tokens")
    assert token["token"] not in listed.output
    assert f"{token['id']}  used  0 use(s) left" in listed.output
    (event,) = factories.audit("registration_token_issued")
    assert event.detail["by"] == "cli" and event.detail["token_id"] == token["id"]


def test_uses_and_expiry_can_be_chosen(idp, client, clock):
    token = issued(idp, "--uses", "3", "--expires-in", "2")
    assert token["expires_at"] == clock.now() + 2 * 3600
    (row,) = json.loads(idp("clients", "registration-tokens", "--json").stdout)
    assert row == {
        "id": token["id"],
        "uses_left": 3,
        "expires_at": token["expires_at"],
        "state": "active",
        "created_by": "cli",
    }
    clock.advance(2 * 3600)
    (row,) = json.loads(idp("clients", "registration-tokens", "--json").stdout)
    assert row["state"] == "expired"
    assert_invalid_token(register(client, token["token"]))


def test_a_revoked_token_registers_nothing(idp, client, factories):
    token = issued(idp, "--uses", "5")
    result = idp("clients", "registration-tokens", "--revoke", str(token["id"]))
    assert result.exit_code == 0 and f"revoked {token['id']}" in result.output
    assert_invalid_token(register(client, token["token"]))
    assert "revoked" in idp("clients", "registration-tokens").output
    (event,) = factories.audit("registration_token_revoked")
    assert event.detail["by"] == "cli"


def test_revoking_an_unknown_token_is_an_error(idp):
    result = idp("clients", "registration-tokens", "--revoke", "99")
    assert result.exit_code != 0 and "no registration token 99" in result.output


def test_zero_uses_is_refused(idp):
    assert idp("clients", "registration-token", "--uses", "0").exit_code != 0


@pytest.mark.parametrize("settings_overrides", [{}])
def test_the_operator_is_told_when_registration_is_off(idp):
    result = idp("clients", "registration-token")
    assert result.exit_code == 0
    assert "enabled is false" in result.stderr
