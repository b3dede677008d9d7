"""A relying application's back-channel logout endpoint on a real port, and the checks it
makes of a logout token with an independent library (PyJWT, the published JWKS)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import jwt
from flask.testing import FlaskClient

from tests.support.factories import ISSUER
from tests.support.jose import published_jwks

EVENT = "http://schemas.openid.net/event/backchannel-logout"


@dataclass
class Receiver:
    """A relying application's back-channel logout endpoint: records what it is sent and
    answers the statuses it is told to (then 200), after `delay` seconds."""

    statuses: list[int] = field(default_factory=list)
    delay: float = 0.0
    received: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def answer(self) -> int:
        return self.statuses.pop(0) if self.statuses else 200

    def tokens(self) -> list[str]:
        return [r["form"]["logout_token"][0] for r in self.received]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            receiver.received.append(
                {"content_type": self.headers.get("Content-Type"), "form": parse_qs(body)}
            )
            time.sleep(receiver.delay)
            self.send_response(receiver.answer())
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


def serve_receiver(receiver: Receiver) -> Iterator[Receiver]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/backchannel-logout"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def verify_logout_token(
    http: FlaskClient, token: str, audience: str, *, issuer: str = ISSUER
) -> dict[str, Any]:
    """What a relying application checks (spec §2.6), with PyJWT against our JWKS."""
    header = jwt.get_unverified_header(token)
    assert header["typ"] == "logout+jwt", header
    key = jwt.PyJWKSet.from_dict(published_jwks(http))[header["kid"]]
    claims = jwt.decode(
        token,
        key=key,
        algorithms=[header["alg"]],
        audience=audience,
        issuer=issuer,
        options={
            "require": ["iss", "aud", "iat", "exp", "jti", "events"],
            # The test clock is not the wall clock: checked below against it.
            "verify_exp": False,
            "verify_iat": False,
        },
    )
    assert claims["events"] == {EVENT: {}}
    assert "nonce" not in claims
    return claims
