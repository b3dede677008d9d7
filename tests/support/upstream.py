"""A second instance of our own IdP, served on a free port, as the upstream provider of the
instance under test; and a browser that walks it (the upstream's pages, over real HTTP)."""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from flask import Flask
from flask.testing import FlaskClient

from idp import create_app
from idp.clock import SystemClock
from idp.extensions import db
from tests.browser.conftest import _listening_socket, _serving
from tests.conftest import settings_for
from tests.support.factories import DEFAULT_PASSWORD, Factories
from tests.support.oidc import csrf_token

# The instance under test, on a loopback issuer (the upstream registers http redirect URIs
# only on loopback); nothing listens there: the test client plays the browser.
DOWNSTREAM = "http://127.0.0.1:9"


@dataclass
class Upstream:
    app: Flask
    url: str
    factories: Factories
    client_id: str
    secret: str

    @property
    def discovery_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    def provider(self, **extra: Any) -> dict[str, Any]:
        """The `[[federation.providers]]` table naming this upstream `up`."""
        return {
            "name": "up",
            "label": "Fournisseur amont",
            "discovery_url": self.discovery_url,
            "client_id": self.client_id,
            "client_secret": self.secret,
            "scopes": "openid profile email",
            **extra,
        }

    def walk(self, authorize_url: str, identifier: str, password: str = DEFAULT_PASSWORD) -> str:
        """Sign in on the upstream's pages; the URL it sends the browser back to (ours)."""
        http = requests.Session()
        url = authorize_url
        for _ in range(10):
            response = http.get(url, allow_redirects=False, timeout=5)
            if response.status_code == 200 and "/login" in url:
                response = http.post(
                    url,
                    data={
                        "csrf_token": csrf_token(response.text),
                        "identifier": identifier,
                        "password": password,
                    },
                    allow_redirects=False,
                    timeout=5,
                )
            assert response.status_code in (302, 303), (url, response.status_code)
            url = urljoin(url, response.headers["Location"])
            if url.startswith(DOWNSTREAM):
                return url
        raise AssertionError(f"the upstream never sent the browser back: {url}")

    def register(self, downstream: str, **spec: Any) -> tuple[str, str]:
        """Register the instance under test at `downstream` as this upstream's client; its
        id and secret (none for private_key_jwt)."""
        client, secret = self.factories.client(
            name="IdP aval",
            redirect_uris=(f"{downstream}/federation/up/callback",),
            post_logout_redirect_uris=(f"{downstream}/federation/logged-out",),
            **{"first_party": True, "id_token_alg": "ES256", **spec},
        )
        return client.client_id, secret or ""


@contextmanager
def serve_upstream(
    base: Path, template: Path, clock: SystemClock, **spec: Any
) -> Iterator[Upstream]:
    """Our IdP on its own SQLite database and keys, its issuer its own loopback URL, with the
    instance under test (at DOWNSTREAM) registered as its client (`spec`: ClientSpec fields)."""
    shutil.copytree(template / "keys", base / "keys")
    (base / "instance").mkdir(mode=0o700)
    shutil.copy(template / "instance" / "idp.sqlite3", base / "instance")
    sock = _listening_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    try:
        app = create_app(
            settings_for(
                base,
                "sqlite",
                server={"issuer": url},
                # Cookies ignore ports: on the same 127.0.0.1 the two instances' would clash.
                session={"cookie_name": "upstream_session"},
            ),
            clock=clock,
        )
        upstream = Upstream(app, url, Factories(app), "", "")
        upstream.client_id, upstream.secret = upstream.register(DOWNSTREAM, **spec)
    except BaseException:
        sock.close()
        raise
    with _serving(app, sock):
        yield upstream
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def callback_path(url: str) -> str:
    """The path and query of a URL of ours, for the test client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def replace_query(url: str, **values: str) -> str:
    """`url` with some query parameters replaced (a tampered callback)."""
    for name, value in values.items():
        url = re.sub(rf"([?&]{name}=)[^&]*", rf"\g<1>{value}", url)
    return url


LEAVING_REFRESH = re.compile(r'<meta http-equiv="refresh" content="0; url=([^"]+)">')


def upstream_logout_url(http: FlaskClient, ended: Any) -> str:
    """Our sign-out's answer leads to our "leaving" page, which goes on to the provider's
    logout (meta refresh, and a link for whoever stops it): that URL."""
    assert ended.status_code == 303 and ended.location == "/federation/leaving", ended.location
    page = http.get(ended.location)
    assert page.status_code == 200, page.status_code
    body = page.get_data(as_text=True)
    match = LEAVING_REFRESH.search(body)
    assert match, body
    target = html.unescape(match.group(1))
    assert f'href="{match.group(1)}"' in body  # the same target as a link
    return target
