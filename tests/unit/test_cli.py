"""The `idp` command, driven with click's CliRunner on an instance made from a TOML file alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from idp import create_app
from idp.cli import root
from idp.extensions import db
from idp.services import clients, subscriptions, users
from tests.support.oidc import basic

REDIRECT = "https://rp.example/callback"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "idp.toml"
    path.write_text(
        f"""
[server]
issuer = "http://127.0.0.1:5000"
instance_dir = "instance"
# The commands change clients under the test app's feet: let it see changes at once.
client_cache_seconds = 0

[database]
url = "sqlite:///{tmp_path / "instance" / "idp.sqlite3"}"

[keys]
dir = "keys"

[password]
argon2_time_cost = 1
argon2_memory_kib = 1024
"""
    )
    return path


@pytest.fixture
def idp(config: Path):
    """Run `idp --config <file> ARGS`; fails the test on a non-zero exit unless told."""
    runner = CliRunner()

    def run(*args: str, ok: bool = True) -> Result:
        result = runner.invoke(root, ["--config", str(config), *args], catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    run("init")
    return run


def _json(result: Result):
    return json.loads(result.stdout)


@pytest.fixture
def http(config: Path, idp):
    app = create_app(str(config))
    yield app.test_client()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _client_credentials(http, client_id: str, secret: str) -> int:
    response = http.post(
        "/token", data={"grant_type": "client_credentials"}, headers=basic(client_id, secret)
    )
    return response.status_code


# -- init ------------------------------------------------------------------------------------


def test_init_creates_schema_keys_and_secrets(config, tmp_path):
    result = CliRunner().invoke(root, ["--config", str(config), "init"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "created RS256 signing key" in result.output
    assert "created ES256 signing key" in result.output
    assert len(list((tmp_path / "keys").glob("*.json"))) == 2
    assert (tmp_path / "instance" / "secret_key").read_text().strip()
    assert (tmp_path / "instance" / "hash_key").read_text().strip()


def test_init_is_idempotent(idp, tmp_path):
    keys = sorted(p.name for p in (tmp_path / "keys").glob("*.json"))
    result = idp("init")
    assert "created" not in result.output
    assert sorted(p.name for p in (tmp_path / "keys").glob("*.json")) == keys


def test_missing_config_file_is_an_error(tmp_path):
    result = CliRunner().invoke(root, ["--config", str(tmp_path / "none.toml"), "keys", "list"])
    assert result.exit_code != 0
    assert "configuration file not found" in result.output


def test_misspelt_config_key_is_an_error(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[server]\nisuer = "http://127.0.0.1:5000"\n')
    result = CliRunner().invoke(root, ["--config", str(path), "init"])
    assert result.exit_code != 0
    assert "isuer" in result.output


# -- clients ---------------------------------------------------------------------------------


def _add_service(idp) -> dict:
    result = idp(
        "clients", "add", "--name", "Service", "--grant-type", "client_credentials", "--json"
    )
    return _json(result)


def test_clients_add_json_prints_id_and_secret_that_work(idp, http):
    created = _json(
        idp("clients", "add", "--name", "Portail", "--redirect-uri", REDIRECT, "--json")
    )
    # Enough to configure a relying application from this output alone.
    assert set(created) == {
        "issuer",
        "client_id",
        "client_secret",
        "redirect_uris",
        "post_logout_redirect_uris",
    }
    assert created["client_id"] and created["client_secret"]
    assert created["issuer"].startswith("http") and created["redirect_uris"] == [REDIRECT]
    assert created["post_logout_redirect_uris"] == []
    service = _add_service(idp)
    assert _client_credentials(http, service["client_id"], service["client_secret"]) == 200
    assert _client_credentials(http, service["client_id"], "wrong") == 401


def test_generated_client_id_can_be_passed_to_commands(idp, monkeypatch):
    """A random id starting with '-' would read as an option: `idp clients show -x...`."""
    drawn = iter(["-looks-like-an-option", "plain-id-" + "a" * 16])
    monkeypatch.setattr(clients, "new_secret", lambda n=32: next(drawn, "s" * 43))
    created = _json(
        idp("clients", "add", "--name", "Portail", "--redirect-uri", REDIRECT, "--json")
    )
    assert not created["client_id"].startswith("-")
    shown = _json(idp("clients", "show", created["client_id"], "--json"))
    assert shown["client_id"] == created["client_id"]


def test_clients_add_public_has_no_secret(idp):
    created = _json(
        idp("clients", "add", "--name", "App", "--redirect-uri", REDIRECT, "--public", "--json")
    )
    assert created["client_secret"] is None
    shown = _json(idp("clients", "show", created["client_id"], "--json"))
    assert shown["token_endpoint_auth_method"] == "none"


def test_clients_add_refuses_a_bad_redirect_uri(idp):
    result = idp(
        "clients", "add", "--name", "Bad", "--redirect-uri", "http://rp.example/cb", ok=False
    )
    assert result.exit_code != 0
    assert "https" in result.output


def test_clients_list_and_show(idp):
    created = _json(
        idp(
            "clients",
            "add",
            "--name",
            "Portail",
            "--redirect-uri",
            REDIRECT,
            "--post-logout-redirect-uri",
            "https://rp.example/bye",
            "--requires-habilitation",
            "--first-party",
            "--scope",
            "openid email",
            "--json",
        )
    )
    listed = _json(idp("clients", "list", "--json"))
    assert [c["client_id"] for c in listed] == [created["client_id"]]
    shown = _json(idp("clients", "show", created["client_id"], "--json"))
    assert shown["name"] == "Portail"
    assert shown["redirect_uris"] == [REDIRECT]
    assert shown["post_logout_redirect_uris"] == ["https://rp.example/bye"]
    assert shown["requires_habilitation"] is True and shown["first_party"] is True
    assert shown["scope"] == "email openid"
    assert shown["token_endpoint_auth_method"] == "client_secret_basic"
    assert "secret" not in json.dumps(shown).replace("client_secret_basic", "")


def test_clients_show_unknown_is_an_error(idp):
    result = idp("clients", "show", "nobody", ok=False)
    assert result.exit_code != 0 and "nobody" in result.output


def test_clients_remove(idp, http):
    service = _add_service(idp)
    idp("clients", "remove", service["client_id"], "--yes")
    assert _json(idp("clients", "list", "--json")) == []
    assert idp("clients", "show", service["client_id"], ok=False).exit_code != 0
    assert _client_credentials(http, service["client_id"], service["client_secret"]) == 401


def test_clients_remove_asks_for_confirmation(idp, config):
    service = _add_service(idp)
    result = CliRunner().invoke(
        root, ["--config", str(config), "clients", "remove", service["client_id"]], input="n\n"
    )
    assert result.exit_code != 0
    assert len(_json(idp("clients", "list", "--json"))) == 1


def test_rotate_secret_refuses_the_old_one(idp, http):
    service = _add_service(idp)
    assert _client_credentials(http, service["client_id"], service["client_secret"]) == 200
    rotated = _json(idp("clients", "rotate-secret", service["client_id"], "--json"))
    assert rotated["client_id"] == service["client_id"]
    assert rotated["client_secret"] != service["client_secret"]
    assert _client_credentials(http, service["client_id"], service["client_secret"]) == 401
    assert _client_credentials(http, service["client_id"], rotated["client_secret"]) == 200


def test_rotate_secret_of_a_public_client_is_an_error(idp):
    created = _json(
        idp("clients", "add", "--name", "App", "--redirect-uri", REDIRECT, "--public", "--json")
    )
    assert idp("clients", "rotate-secret", created["client_id"], ok=False).exit_code != 0


# -- users -----------------------------------------------------------------------------------


def _account(config: Path, identifier: str):
    app = create_app(str(config))
    with app.app_context():
        user = users.find_by_identifier(identifier)
        passwords = app.extensions["idp"].passwords
        result = (user, passwords)
        db.session.expunge_all()
        db.engine.dispose()
    return result


def test_users_add_json(idp, config):
    added = _json(
        idp(
            "users",
            "add",
            "--identifier",
            "Marie.Dupont",
            "--email",
            "marie@example.org",
            "--password",
            "Correct-Horse-42",
            "--json",
        )
    )
    assert added["identifier"] == "marie.dupont"
    assert added["subject"]
    user, passwords = _account(config, "marie.dupont")
    assert user.subject == added["subject"]
    assert user.email == "marie@example.org"
    assert passwords.verify(user.password_hash, "Correct-Horse-42")


def test_users_add_temporary_password(idp, config):
    added = _json(idp("users", "add", "--identifier", "paul", "--temporary-password", "--json"))
    user, passwords = _account(config, "paul")
    assert user.password_temporary is True
    assert passwords.verify(user.password_hash, added["temporary_password"])


def test_users_add_duplicate_is_an_error(idp):
    idp("users", "add", "--identifier", "paul", "--password", "Correct-Horse-42")
    result = idp("users", "add", "--identifier", "PAUL", "--password", "x-Y-z-123456", ok=False)
    assert result.exit_code != 0 and "already exists" in result.output


def test_users_grant(idp, config):
    idp("users", "add", "--identifier", "paul", "--password", "Correct-Horse-42")
    created = _json(
        idp(
            "clients",
            "add",
            "--name",
            "Restreint",
            "--redirect-uri",
            REDIRECT,
            "--requires-habilitation",
            "--json",
        )
    )
    assert "granted" in idp("users", "grant", "paul", created["client_id"]).output
    assert "already" in idp("users", "grant", "paul", created["client_id"]).output
    user, _ = _account(config, "paul")
    app = create_app(str(config))
    with app.app_context():
        assert created["client_id"] in subscriptions.usable_clients(user.id)
        db.engine.dispose()


def test_users_grant_unknown_client_or_user_is_an_error(idp):
    idp("users", "add", "--identifier", "paul", "--password", "Correct-Horse-42")
    assert idp("users", "grant", "paul", "nobody", ok=False).exit_code != 0
    service = _add_service(idp)
    assert idp("users", "grant", "nobody", service["client_id"], ok=False).exit_code != 0


def test_users_reset_password(idp, config):
    idp("users", "add", "--identifier", "paul", "--password", "Correct-Horse-42")
    reset = _json(idp("users", "reset-password", "paul", "--json"))
    assert reset["identifier"] == "paul"
    user, passwords = _account(config, "paul")
    assert passwords.verify(user.password_hash, reset["temporary_password"])
    assert not passwords.verify(user.password_hash, "Correct-Horse-42")
    assert user.password_temporary is True


# -- keys ------------------------------------------------------------------------------------


def test_keys_list(idp):
    listed = _json(idp("keys", "list", "--json"))
    assert sorted(k["alg"] for k in listed) == ["ES256", "RS256"]
    assert {k["state"] for k in listed} == {"active"}
    assert all(k["retires_at"] is None for k in listed)


def test_keys_rotate(idp, http):
    before = {k["kid"] for k in _json(idp("keys", "list", "--json"))}
    result = idp("keys", "rotate")
    assert "new RS256 signing key" in result.output and "new ES256 signing key" in result.output
    listed = _json(idp("keys", "list", "--json"))
    states = {k["kid"]: k["state"] for k in listed}
    assert len(states) == 4
    assert {kid for kid, state in states.items() if state == "superseded"} == before
    assert all(k["retires_at"] for k in listed if k["state"] == "superseded")
    published = {k["kid"] for k in http.get("/jwks.json").get_json()["keys"]}
    assert published == set(states)


def test_clients_disable_and_enable_go_through_the_registry(idp, http):
    service = _add_service(idp)
    client_id, secret = service["client_id"], service["client_secret"]
    assert idp("clients", "disable", client_id).output.strip() == f"disabled {client_id}"
    assert _client_credentials(http, client_id, secret) == 401
    assert _json(idp("clients", "show", client_id, "--json"))["disabled"] is True
    idp("clients", "enable", client_id)
    assert _client_credentials(http, client_id, secret) == 200
    refused = idp("clients", "disable", "nobody", ok=False)
    assert refused.exit_code != 0 and "No client 'nobody'." in refused.output


def test_clients_add_prints_the_registrys_refusal_in_english(idp):
    refused = idp(
        "clients", "add", "--name", "Portail", "--redirect-uri", "http://rp.example/cb", ok=False
    )
    assert refused.exit_code != 0
    assert "redirect URI must be https (or http on loopback): http://rp.example/cb" in (
        refused.output
    )
