"""The least a WSGI app can do under granian: fixed bytes, the size of our JWKS.

`bench/compare.py` serves it like our IdP (one worker on core 0, the same threads) to show
the server's own cost per request, the floor under which no answer of ours can go.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

BODY = (
    b'{"keys":[{"kty":"RSA","alg":"RS256","use":"sig","kid":"' + b"k" * 43 + b'","e":"AQAB","n":"'
)
BODY += b"n" * 342 + b'"},{"kty":"EC","crv":"P-256","alg":"ES256","use":"sig","x":"' + b"x" * 43
BODY += b'","y":"' + b"y" * 43 + b'"}]}'
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", HEADERS)
    return [BODY]
