"""Browser tests: the IdP and the demo application served in-process, Debian's Chromium
driven by Playwright, axe-core audits and the screenshots the README shows.

Each test gets its own IdP (fresh SQLite database copied from the session template, its own
free port) and its own browser context; the browser itself is launched once per session.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import BrowserContext, Page
from werkzeug.serving import WSGIRequestHandler, make_server

from clients import demo_rp
from idp import create_app
from idp.extensions import db
from idp.services.clients import RegisteredClient
from tests.browser import a11y
from tests.conftest import settings_for
from tests.support.factories import Factories
from tests.support.outbox import settle

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "tests" / "interop" / "node_modules" / "axe-core" / "axe.min.js"
# `make screens` (UPDATE_SCREENS=1) refreshes the README's pictures; other runs write to an
# ignored folder, so that running the tests leaves the working tree as it was.
SCREENS = (
    ROOT / "docs" / "screens"
    if os.environ.get("UPDATE_SCREENS") == "1"
    else ROOT / "tests" / "artifacts" / "screens"
)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--lang=fr-FR",  # date fields follow the browser's own language, not the page's
]
TIMEOUT_MS = 5_000

# -- Playwright on Debian's Chromium ---------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # French unless a test says otherwise (Chromium would send the machine's language).
    return {**browser_context_args, "locale": "fr-FR", "viewport": {"width": 1024, "height": 768}}


@pytest.fixture
def context(context: BrowserContext) -> BrowserContext:
    """Fail fast: every page here answers in milliseconds."""
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


# -- live servers ----------------------------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


def _listening_socket() -> socket.socket:
    """A socket bound to a free loopback port (port 0), already listening: no race."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


class _Settling:
    """The IdP's answers, each given once the work beside it has ended and the delivery worker
    has run (`settle`): a test reads the outboxes as soon as the browser shows the page."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.wsgi_app = app.wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        answer = self.wsgi_app(environ, start_response)
        try:
            body = b"".join(answer)
        finally:
            getattr(answer, "close", lambda: None)()
        settle(self.app)
        return [body]


@contextmanager
def _serving(app: Flask, sock: socket.socket) -> Iterator[None]:
    """Serve `app` on `sock` from a background thread until the block ends."""
    with sock:
        server = make_server(
            "127.0.0.1",
            sock.getsockname()[1],
            app,
            threaded=True,
            request_handler=_QuietHandler,
            fd=sock.fileno(),  # werkzeug duplicates the descriptor
        )
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name=f"live-{app.name}",
        daemon=True,
    )
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        thread.join(timeout=5)


@dataclass
class LiveIdP:
    app: Flask
    url: str  # also the issuer
    factories: Factories


@dataclass
class LiveDemoRP:
    app: Flask
    url: str
    client: RegisteredClient
    credentials: dict[str, str]


@pytest.fixture
def backend() -> str:
    """Browser tests exercise pages, not storage: SQLite only (the HTTP tests do both)."""
    return "sqlite"


@pytest.fixture
def live_idp_options() -> dict[str, Any]:
    """Extra keyword arguments for `create_app` (a clock, test doubles); override in a module."""
    return {}


@pytest.fixture
def live_idp(
    base_dir: Path,
    backend: str,
    settings_overrides: dict[str, dict[str, object]],
    live_idp_options: dict[str, Any],
) -> Iterator[LiveIdP]:
    """The IdP on http://127.0.0.1:<free port>, with that URL as its issuer."""
    sock = _listening_socket()
    issuer = f"http://127.0.0.1:{sock.getsockname()[1]}"
    sections = {name: dict(values) for name, values in settings_overrides.items()}
    sections.setdefault("server", {})["issuer"] = issuer
    try:
        app = create_app(settings_for(base_dir, backend, **sections), **live_idp_options)
        app.wsgi_app = _Settling(app)  # type: ignore[method-assign]
    except BaseException:
        sock.close()
        raise
    with _serving(app, sock):
        yield LiveIdP(app=app, url=issuer, factories=Factories(app))
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def demo_rp_client_options() -> dict[str, Any]:
    """Extra keyword arguments for the demo application's registration (parametrize to set)."""
    return {}


@pytest.fixture
def live_demo_rp(live_idp: LiveIdP, demo_rp_client_options: dict[str, Any]) -> Iterator[LiveDemoRP]:
    """The demo application on another free port, registered with the live IdP."""
    sock = _listening_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    try:
        client, secret = live_idp.factories.client(
            name="Application de démonstration",
            redirect_uris=(f"{url}/callback",),
            post_logout_redirect_uris=(f"{url}/",),
            **demo_rp_client_options,
        )
        assert secret is not None
        credentials = {
            "issuer": live_idp.url,
            "client_id": client.client_id,
            "client_secret": secret,
            "redirect_uri": f"{url}/callback",
            "post_logout_redirect_uri": f"{url}/",
        }
        app = demo_rp.create_app(credentials)
    except BaseException:
        sock.close()
        raise
    with _serving(app, sock):
        yield LiveDemoRP(app=app, url=url, client=client, credentials=credentials)


# -- accessibility audit and screenshots -----------------------------------------------------


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.is_file():
        pytest.fail(
            f"axe-core is missing ({AXE_JS.relative_to(ROOT)}): run `make node` first",
            pytrace=False,
        )
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture
def axe(axe_source: str) -> Callable[[Page], list[dict[str, Any]]]:
    """`axe(page)`: the page's serious and critical WCAG 2.1 A/AA violations (empty: clean).

    Assert with `assert not violations, describe(violations)` (from tests.browser.a11y).
    """
    return lambda page: a11y.audit(page, axe_source)


@pytest.fixture(scope="session")
def _screens_taken() -> dict[str, str]:
    SCREENS.mkdir(parents=True, exist_ok=True)
    return {}


@pytest.fixture
def screenshot(
    request: pytest.FixtureRequest, _screens_taken: dict[str, str]
) -> Callable[[Page, str], Path]:
    """`screenshot(page, name)`: a full-page PNG (docs/screens/ with `make screens`).

    Two tests writing the same name would overwrite each other's picture: that fails.
    """
    test = f"{request.node.module.__name__}::{request.node.originalname}"

    def take(page: Page, name: str) -> Path:
        owner = _screens_taken.setdefault(name, test)
        if owner != test:
            pytest.fail(f"screen {name}.png is already written by {owner}", pytrace=False)
        path = SCREENS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
        return path

    return take
