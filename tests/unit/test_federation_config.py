"""`[[federation.providers]]`: an array of tables, each checked at start with a clear message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from idp.config import ConfigError, load_settings

FRANCECONNECT = """
[[federation.providers]]
name = "franceconnect"
label = "FranceConnect"
kind = "franceconnect"
discovery_url = "https://fcp-low.sbx.dev-franceconnect.fr/api/v2/.well-known/openid-configuration"
client_id = "fc-client"
client_secret_file = "fc-secret"
scopes = ["openid", "given_name", "family_name", "birthdate"]
acr_values = "eidas1"
categories = "particulier"
"""


def provider(**values: Any) -> dict[str, Any]:
    table = {
        "name": "up",
        "label": "Amont",
        "discovery_url": "https://op.example/.well-known/openid-configuration",
        "client_id": "client",
        "client_secret": "secret",
    }
    table.update(values)
    return {k: v for k, v in table.items() if v is not None}


def load(*tables: dict[str, Any]) -> Any:
    return load_settings(None, overrides={"federation": {"providers": list(tables)}}, environ={})


def test_none_by_default() -> None:
    assert load_settings(None, environ={}).federation.providers == ()


def test_a_franceconnect_table_from_toml(tmp_path: Path) -> None:
    (tmp_path / "fc-secret").write_text("s3cret\n")
    path = tmp_path / "idp.toml"
    path.write_text(FRANCECONNECT)
    [fc] = load_settings(path, environ={}).federation.providers
    assert fc.kind == "franceconnect"
    assert fc.pkce is False  # forced off: FranceConnect refuses code_challenge
    assert fc.scopes == "openid given_name family_name birthdate"
    assert fc.link_policy == "confirm" and fc.create_accounts is False


def test_defaults_of_a_generic_provider() -> None:
    [up] = load(provider()).federation.providers
    assert (up.kind, up.pkce, up.scopes) == ("oidc", True, "openid")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (provider(colour="blue"), "unknown key(s) in [federation.providers #1]: colour"),
        (provider(client_id=None), "client_id is required"),
        (provider(discovery_url=None), "discovery_url is required"),
        (provider(kind="saml"), 'kind must be "franceconnect" or "oidc"'),
        (provider(button="blue"), 'button must be "franceconnect" or "plain"'),
        (provider(link_policy="email"), 'link_policy must be "confirm" or "pivot_identity"'),
        (provider(kind="franceconnect", pkce=True), "pkce must be false"),
        (provider(discovery_url="http://op.example/x"), "discovery_url must be https"),
        (provider(client_secret=None), "set one of client_secret, client_secret_file and"),
        (provider(private_key_file="key.json"), "set one of client_secret"),
        (provider(client_secret=None, private_key_file="/nowhere"), "private_key_file not found"),
        (provider(claims="amr"), "claims must be a JSON object"),
        (provider(claims='{"access_token": {}}'), "claims must be a JSON object"),
        (provider(claims='{"id_token": "amr"}'), "claims must be a JSON object"),
        (provider(client_secret_file="nowhere"), "set one of client_secret"),
        (provider(client_secret=None, client_secret_file="/nowhere"), "client_secret_file not"),
        (provider(scopes="profile"), 'scopes must include "openid"'),
        (provider(name="Bad Name"), "name must be 1 to 32"),
        (provider(pkce="maybe"), "pkce must be true or false"),
    ],
)
def test_refused_with_a_clear_message(table: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load(table)
    assert message in str(refused.value)


def test_duplicate_names() -> None:
    with pytest.raises(ConfigError, match="name is used by another provider"):
        load(provider(), provider(label="Again"))


def test_loopback_discovery_may_be_http() -> None:
    [up] = load(provider(discovery_url="http://127.0.0.1:8080/x")).federation.providers
    assert up.discovery_url.startswith("http://127.0.0.1")


def test_providers_must_be_an_array_of_tables(tmp_path: Path) -> None:
    path = tmp_path / "idp.toml"
    path.write_text('[federation]\nproviders = "franceconnect"\n')
    with pytest.raises(ConfigError, match="array of tables"):
        load_settings(path, environ={})
    path.write_text("[federation]\nother = 1\n")
    with pytest.raises(ConfigError, match=r"unknown key\(s\) in \[federation\]: other"):
        load_settings(path, environ={})
