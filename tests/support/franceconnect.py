"""A FranceConnect v2 test double (tests/upstream/franceconnect) started for the tests.

The `franceconnect` fixture starts `node server.mjs` on a free port with the clients of the
`franceconnect_clients` fixture (override it in a test module to give your own redirect URIs),
waits for its discovery document, and stops the process group at the end, whatever happens.
`FranceConnectDouble.sign_in` walks its development login and consent pages with `requests`, so
an HTTP test can run the whole journey without a browser.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
DOUBLE = ROOT / "tests" / "upstream" / "franceconnect"
SERVER = DOUBLE / "server.mjs"
START_TIMEOUT_SECONDS = 15.0
# Our own calls to the double must never go through a proxy from the environment.
NO_PROXY = {"http": "", "https": ""}

# The pivot identities the double offers unless told otherwise (the demo uses them too).
IDENTITIES: list[dict[str, str]] = json.loads((DOUBLE / "identities.json").read_text())
INTERACTION_FORM = re.compile(r'action="(/interaction/[\w-]+/(?:login|confirm))"')
BACK_LINK = re.compile(r'id="back" href="([^"]+)"')
LOGOUT_XSRF = re.compile(r'name="xsrf" value="([^"]+)"')


@dataclass(frozen=True)
class DoubleClient:
    """A relying party registered with the double (FranceConnect's "fournisseur de service")."""

    client_id: str
    client_secret: str
    redirect_uri: str
    post_logout_redirect_uri: str
    client_name: str = ""

    def registration(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "client_name": self.client_name or self.client_id,
            "redirect_uris": [self.redirect_uri],
            "post_logout_redirect_uris": [self.post_logout_redirect_uri],
        }


@dataclass
class FranceConnectDouble:
    issuer: str
    clients: list[DoubleClient]
    identities: list[dict[str, str]]
    log: Path
    _metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    @property
    def client(self) -> DoubleClient:
        return self.clients[0]

    @property
    def metadata(self) -> dict[str, Any]:
        if not self._metadata:
            self._metadata = requests.get(self.discovery_url, timeout=5, proxies=NO_PROXY).json()
        return self._metadata

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def open(self, http: requests.Session, url: str) -> requests.Response:
        """Follow redirects while they stay on the double; stop at a page or at the client."""
        response = http.get(url, allow_redirects=False, timeout=5, proxies=NO_PROXY)
        while response.is_redirect:
            target = urljoin(response.url, response.headers["Location"])
            if not target.startswith(self.issuer + "/"):
                break
            response = http.get(target, allow_redirects=False, timeout=5, proxies=NO_PROXY)
        return response

    def sign_in(
        self, http: requests.Session, authorize_url: str, identity: str | None = None
    ) -> str:
        """Pick `identity` (the first one by default), continue on the service; return the
        redirect to the client (its callback URL with `code`, `state` and `iss`)."""
        chosen = identity or self.identities[0]["sub"]
        response = self.open(http, authorize_url)
        while not response.is_redirect:
            match = INTERACTION_FORM.search(response.text)
            assert match, f"no login or consent form on {response.url}:\n{response.text[:500]}"
            action = urljoin(response.url, match.group(1))
            data = {"identity": chosen} if action.endswith("/login") else {}
            response = http.post(
                action, data=data, allow_redirects=False, timeout=5, proxies=NO_PROXY
            )
            if response.is_redirect:
                response = self.open(http, urljoin(action, response.headers["Location"]))
        return response.headers["Location"]

    def go_back(self, http: requests.Session, authorize_url: str) -> str:
        """Press "Revenir sur …" on the login page; return the redirect to the client."""
        page = self.open(http, authorize_url)
        match = BACK_LINK.search(page.text)
        assert match, f"no back link on {page.url}"
        response = self.open(http, urljoin(page.url, match.group(1)))
        assert response.is_redirect, response.text[:500]
        return response.headers["Location"]

    def sign_out(self, http: requests.Session, end_session_url: str) -> str:
        """Confirm the end-session page; return where the double sends the user next."""
        page = self.open(http, end_session_url)
        match = LOGOUT_XSRF.search(page.text)
        assert match, f"no logout form on {page.url}:\n{page.text[:500]}"
        response = http.post(
            f"{self.issuer}/session/end/confirm",
            data={"xsrf": match.group(1), "logout": "yes"},
            allow_redirects=False,
            timeout=5,
            proxies=NO_PROXY,
        )
        assert response.is_redirect, response.text[:500]
        return response.headers["Location"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _require_node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js 20 or later is needed for the FranceConnect double: no `node`")
    if not (DOUBLE / "node_modules" / "oidc-provider" / "package.json").is_file():
        pytest.fail(
            f"{DOUBLE / 'node_modules'} lacks oidc-provider: run `make upstream` "
            "(npm ci in tests/upstream/franceconnect) first"
        )
    return node


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End the double's process group: SIGTERM, then SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


@contextmanager
def running_franceconnect(
    clients: list[DoubleClient],
    identities: list[dict[str, str]] | None = None,
    code_ttl_seconds: int | None = None,
    port: int | None = None,
) -> Iterator[FranceConnectDouble]:
    """Start the double on `port` (a free one by default: give one when its issuer must be
    known before it starts), yield it once its discovery answers, then stop it."""
    node = _require_node()
    port = port or free_port()
    issuer = f"http://127.0.0.1:{port}"
    chosen = identities or IDENTITIES
    env = {
        **os.environ,
        "PORT": str(port),
        "ISSUER": issuer,
        "CLIENTS": json.dumps([client.registration() for client in clients]),
        "IDENTITIES": json.dumps(chosen),
    }
    if code_ttl_seconds is not None:
        env["CODE_TTL_SECONDS"] = str(code_ttl_seconds)
    with tempfile.TemporaryDirectory(prefix="fc-double-") as workdir:
        log = Path(workdir) / "server.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [node, str(SERVER)],
                cwd=DOUBLE,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        double = FranceConnectDouble(issuer, clients, chosen, log)
        try:
            _wait_until_ready(double, process)
            yield double
        finally:
            _stop(process)


def _wait_until_ready(double: FranceConnectDouble, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"the FranceConnect double exited ({process.returncode}):\n{double.log_tail()}"
            )
        try:
            if double.metadata.get("issuer") == double.issuer:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    pytest.fail(f"the FranceConnect double did not answer in time:\n{double.log_tail()}")


@pytest.fixture(scope="module")
def franceconnect_clients() -> list[DoubleClient]:
    """Two services on different hosts, hence different pairwise sectors; override at will."""
    return [
        DoubleClient(
            "fs-demarches",
            "demarches-secret-" + "x" * 32,
            "http://127.0.0.1:9/callback",
            "http://127.0.0.1:9/signed-out",
            "Démarches en ligne",
        ),
        DoubleClient(
            "fs-impots",
            "impots-secret-" + "y" * 32,
            "http://localhost:9/callback",
            "http://localhost:9/signed-out",
            "Impôts en ligne",
        ),
    ]


@pytest.fixture(scope="module")
def franceconnect(franceconnect_clients: list[DoubleClient]) -> Iterator[FranceConnectDouble]:
    """A FranceConnect v2 double for the module, stopped at its end."""
    with running_franceconnect(franceconnect_clients) as double:
        yield double
