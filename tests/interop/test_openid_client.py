"""Interop: the certified relying-party library openid-client (Node) against a live server.

One server per production server (granian as `idp serve --production` runs it, gunicorn as
the README runs it), started from a config file alone (`idp init`, then the server on a free
port), with an account and one client per authentication method registered through the `idp`
command. For each client, `rp.mjs` runs the whole relying-party life cycle with openid-client v6
and prints what it saw as JSON; this test asserts on it:

- discovery; code flow with PKCE (S256), nonce and state through the hosted sign-in and consent
  pages (forms submitted with fetch and a cookie jar); RFC 9207 `iss` in the response;
- ID token validated by openid-client: signature against the JWKS (non-repudiation checks on,
  proven by a tampered token being refused), iss, aud, nonce, exp; at_hash is checked by the
  script, as openid-client does not check it in the code flow (OIDC Core §3.1.3.8: optional);
- userinfo (same subject); refresh with rotation and an ID token per OIDC Core §12.2; the old
  refresh token refused and its reuse ending the grant; silent SSO with prompt=none;
- revocation (RFC 7009) of the access token then the refresh token;
- RP-initiated logout with id_token_hint, a registered post_logout_redirect_uri and state, after
  which prompt=none answers login_required.

Needs Node 20 and `tests/interop/node_modules` (`make node`).
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from idp.config import SECTIONS
from tests.support import servers
from tests.support.servers import SERVERS, clean_env, free_port

pytestmark = pytest.mark.interop

HERE = Path(__file__).resolve().parent
RP_SCRIPT = HERE / "rp.mjs"
NODE_MODULES = HERE / "node_modules"

IDENTIFIER = "jeanne.martin"
PASSWORD = "Interop-Connexion-2026!"
EMAIL = "jeanne.martin@example.org"
GIVEN_NAME = "Jeanne"
FAMILY_NAME = "Martin"

# name -> (extra `idp clients add` options, ID token algorithm)
SCENARIOS: dict[str, tuple[tuple[str, ...], str]] = {
    "client_secret_post": (("--auth-method", "client_secret_post"), "RS256"),
    "client_secret_basic": (("--auth-method", "client_secret_basic"), "RS256"),
    "public": (("--public",), "RS256"),
    "private_key_jwt": (("--auth-method", "private_key_jwt", "--id-token-alg", "ES256"), "ES256"),
}
AUTH_METHODS = {
    "client_secret_post": "client_secret_post",
    "client_secret_basic": "client_secret_basic",
    "public": "none",
    "private_key_jwt": "private_key_jwt",
}


def require_node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js (20 or later) is needed for the interop tests: `node` is not on PATH")
    if not (NODE_MODULES / "openid-client" / "package.json").is_file():
        pytest.fail(
            "tests/interop/node_modules is missing (openid-client not installed): "
            "run `make node` (cd tests/interop && npm ci) first"
        )
    return node


@dataclass
class LiveServer:
    issuer: str
    config: Path
    log: Path
    workdir: Path
    node: str
    subject: str = ""
    clients: dict[str, dict[str, Any]] = field(default_factory=dict)

    def log_tail(self, lines: int = 60) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def run_idp(config: Path, *args: str) -> str:
    command = [sys.executable, "-m", "idp", "--config", str(config), *args]
    done = subprocess.run(command, env=clean_env(), capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        pytest.fail(
            f"`idp {' '.join(args)}` failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        )
    return done.stdout


def run_node(node: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [node, str(RP_SCRIPT), *args],
        cwd=HERE,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@dataclass(frozen=True)
class ConfigFile:
    """The instance's TOML configuration; only the issuer's port may change between writes."""

    base: Path
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    hash_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    @property
    def path(self) -> Path:
        return self.base / "idp.toml"

    def write(self, port: int) -> Path:
        def q(value: str) -> str:
            return json.dumps(value)  # a JSON string is a valid TOML basic string

        lines = [
            "[server]",
            f"issuer = {q(f'http://127.0.0.1:{port}')}",
            f"instance_dir = {q(str(self.base / 'instance'))}",
            f"secret_key = {q(self.secret_key)}",
            f"hash_key = {q(self.hash_key)}",
            "",
            "[keys]",
            f"dir = {q(str(self.base / 'keys'))}",
            "",
            "[password]",
            "argon2_time_cost = 1",
            "argon2_memory_kib = 1024",
            "",
            # A script cannot read a captcha: this test is about the protocol.
            *(["[captcha]", 'mode = "never"', ""] if "captcha" in SECTIONS else []),
        ]
        draft = self.path.with_suffix(".draft")
        draft.write_text("\n".join(lines))
        draft.replace(self.path)
        return self.path


def register_clients(live: LiveServer, rp_base: str, generated: dict[str, Any]) -> None:
    """One client per scenario; the private_key_jwt one with the key made by `rp.mjs keygen`."""
    jwks_file = live.workdir / "client-jwks.json"
    jwks_file.write_text(json.dumps(generated["public_jwks"]))

    for name, (options, alg) in SCENARIOS.items():
        redirect_uri = f"{rp_base}/callback/{name}"
        post_logout = f"{rp_base}/signed-out/{name}"
        extra = ("--jwks", str(jwks_file)) if name == "private_key_jwt" else ()
        out = run_idp(
            live.config,
            "clients",
            "add",
            "--name",
            f"Interop {name}",
            "--redirect-uri",
            redirect_uri,
            "--post-logout-redirect-uri",
            post_logout,
            *options,
            *extra,
            "--json",
        )
        credentials = json.loads(out)
        live.clients[name] = {
            "name": name,
            "client_id": credentials["client_id"],
            "client_secret": credentials.get("client_secret"),
            "auth_method": AUTH_METHODS[name],
            "id_token_alg": alg,
            "redirect_uri": redirect_uri,
            "post_logout_redirect_uri": post_logout,
            "identifier": IDENTIFIER,
            "password": PASSWORD,
            **({"private_jwk": generated["private_jwk"]} if name == "private_key_jwt" else {}),
        }


@pytest.fixture(scope="module", params=SERVERS)
def live_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """The IdP under each production server in turn (granian, gunicorn)."""
    node = require_node()
    base = tmp_path_factory.mktemp(f"interop-{request.param}")
    config = ConfigFile(base)
    config.write(free_port())
    rp_base = f"http://127.0.0.1:{free_port()}"  # the RP's callbacks: never contacted
    # The client key pair (Node) is made while `idp init` creates the schema and keys.
    keygen = subprocess.Popen(
        [node, str(RP_SCRIPT), "keygen"],
        cwd=HERE,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        run_idp(config.path, "init")
    finally:
        key_out, key_err = keygen.communicate(timeout=30)
    if keygen.returncode != 0:
        pytest.fail(f"rp.mjs keygen failed:\n{key_out}\n{key_err}")

    with servers.serving(request.param, config.write, base / "server.log") as served:
        live = LiveServer(
            issuer=served.url, config=config.path, log=served.log, workdir=base, node=node
        )
        # The account and clients are registered from another process while the server
        # runs: it must see them (its client cache follows the registry's generation).
        user = json.loads(
            run_idp(
                config.path,
                "users",
                "add",
                "--identifier",
                IDENTIFIER,
                "--email",
                EMAIL,
                "--given-name",
                GIVEN_NAME,
                "--family-name",
                FAMILY_NAME,
                "--password",
                PASSWORD,
                # Past its first connection: the flows here are the protocol's.
                "--contacts-verified",
                "--json",
            )
        )
        live.subject = user["subject"]
        register_clients(live, rp_base, json.loads(key_out))
        yield live


def run_scenario(live: LiveServer, name: str) -> tuple[dict[str, Any], str]:
    scenario_file = live.workdir / f"scenario-{name}.json"
    scenario_file.write_text(json.dumps({**live.clients[name], "issuer": live.issuer}))
    done = run_node(live.node, "run", str(scenario_file))
    lines = done.stdout.strip().splitlines()
    try:
        result = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        pytest.fail(
            f"rp.mjs printed no JSON (exit {done.returncode}):\n{done.stdout}\n{done.stderr}\n"
            f"--- server log ---\n{live.log_tail()}"
        )
    context = (
        f"scenario {name}: {json.dumps(result, indent=1)[:12000]}\n{done.stderr[-2000:]}\n"
        f"--- server log ---\n{live.log_tail()}"
    )
    if not result.get("ok") or done.returncode != 0:
        pytest.fail(f"rp.mjs failed at step {result.get('step')!r}:\n{context}")
    return result, context


def refused(outcome: dict[str, Any], error: str) -> bool:
    return bool(outcome.get("failed")) and outcome.get("error") == error


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_openid_client_full_life_cycle(live_server: LiveServer, name: str) -> None:
    live = live_server
    client = live.clients[name]
    result, context = run_scenario(live, name)

    # Discovery, as openid-client read it.
    discovery = result["discovery"]
    assert discovery["issuer"] == live.issuer, context
    assert discovery["authorization_response_iss_parameter_supported"] is True, context
    assert discovery["code_challenge_methods_supported"] == ["S256"], context

    # The hosted pages: sign-in, then consent; the response names its issuer (RFC 9207).
    authorization = result["authorization"]
    assert authorization["forms_submitted"] == ["login", "consent"], context
    assert authorization["iss"] == live.issuer, context
    assert authorization["state_matches"] is True, context
    assert {"code", "state", "iss"} <= set(authorization["callback_parameters"]), context

    # Tokens and the ID token openid-client validated (signature, iss, aud, nonce, exp).
    tokens = result["tokens"]
    assert tokens["token_type"] == "bearer", context
    assert {"openid", "offline_access"} <= set(tokens["scope"].split()), context
    assert tokens["has_refresh_token"] is True, context
    id_token = result["id_token"]
    claims = id_token["claims"]
    assert id_token["alg"] == client["id_token_alg"], context
    assert claims["iss"] == live.issuer, context
    assert claims["aud"] in (client["client_id"], [client["client_id"]]), context
    assert claims["sub"] == live.subject, context
    assert id_token["nonce_matches"] is True, context
    assert id_token["at_hash_matches"] is True, context
    assert isinstance(claims["auth_time"], int), context
    assert claims.get("sid"), context
    assert claims["exp"] > claims["iat"], context

    # UserInfo: same subject (openid-client checks it too), the profile and email claims.
    userinfo = result["userinfo"]
    assert userinfo["sub_matches"] is True, context
    assert userinfo["sub"] == live.subject, context
    assert userinfo["email"] == EMAIL, context
    assert userinfo["given_name"] == GIVEN_NAME, context
    assert userinfo["family_name"] == FAMILY_NAME, context

    # Refresh: a new access token, a rotated refresh token, an ID token per OIDC Core §12.2.
    refresh = result["refresh"]
    assert refresh["ok"] is True, context
    assert refresh["new_access_token"] is True, context
    assert refresh["rotated"] is True, context
    assert refresh["userinfo_sub_matches"] is True, context
    if refresh["id_token"] is not None:
        assert refresh["same_sub"] is True, context
        assert refresh["same_aud"] is True, context
        assert refresh["same_auth_time"] is True, context
        assert refresh["id_token"]["claims"]["iss"] == live.issuer, context
        assert refresh["id_token"]["at_hash_matches"] is True, context
        refreshed_nonce = refresh["id_token"]["claims"].get("nonce")
        assert refreshed_nonce in (None, claims["nonce"]), context

    # The old refresh token is refused; its reuse ends the whole grant (RFC 9700 §4.14.2).
    assert refused(result["old_refresh"], "invalid_grant"), context
    assert refused(result["after_reuse"]["new_refresh"], "invalid_grant"), context
    assert refused(result["after_reuse"]["new_access"], "invalid_token"), context
    assert result["after_reuse"]["new_access"]["status"] == 401, context

    # Single sign-on: no page at all the second time, the same session.
    sso = result["sso"]
    assert sso["forms_submitted"] == [], context
    assert sso["same_sub"] is True, context
    assert sso["same_sid"] is True, context
    assert sso["nonce_matches"] is True, context
    assert sso["at_hash_matches"] is True, context
    assert sso["has_refresh_token"] is True, context

    # The RP does verify signatures: an ID token altered in transit is refused.
    tampered = result["tampered_signature"]
    assert tampered["failed"] is True, context
    assert "signature" in tampered.get("cause", {}).get("message", ""), context

    # Revocation (RFC 7009).
    revocation = result["revocation"]
    assert refused(revocation["access_token_userinfo"], "invalid_token"), context
    assert revocation["access_token_userinfo"]["status"] == 401, context
    assert refused(revocation["refresh_token_grant"], "invalid_grant"), context
    assert revocation["unknown_token_ok"] is True, context

    # RP-initiated logout: back to the registered URI with the state.
    logout = result["logout"]
    assert logout["redirected"] is True, context
    assert logout["at_registered_uri"] is True, context
    assert logout["location"].startswith(client["post_logout_redirect_uri"]), context
    assert logout["state_matches"] is True, context

    # The session is over: prompt=none answers login_required, with state and iss.
    after = result["after_logout"]
    assert after["redirected"] is True, context
    assert after["error"] == "login_required", context
    assert after["state_matches"] is True, context
    assert after["iss"] == live.issuer, context
    assert refused(after["openid_client"], "login_required"), context
