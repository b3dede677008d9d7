"""Access logs without the secrets some URLs carry.

An e-mailed invitation or reset link has to carry its token in its path, and a relying party
may put an ID token in the query of GET /logout (`id_token_hint`). The request that brings
one answers only a redirect to a URL without it, but the server's access log records that
request too: the loggers here print every such value as `[redacted]`. Used by the development
server (`idp serve`), by gunicorn (`--logger-class idp.access_log.GunicornLogger`) and by the
log line of an unhandled error.
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger
from werkzeug.serving import WSGIRequestHandler

REDACTED = "[redacted]"
_SECRETS = re.compile(
    # The token of a link: the path segment after its prefix.
    r"(?P<link>/invitation/|/recovery/reset/)[^/?#\s\"']+"
    # A hint parameter, its name as RPs send it or percent-encoded.
    r"|(?P<param>\bid(?:_|%5f)token(?:_|%5f)hint=)[^&#\s\"']*",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """`text` (a request line, a path, a query, a URL) with link tokens and hints replaced."""
    return _SECRETS.sub(lambda m: (m.group("link") or m.group("param")) + REDACTED, text)


class DevRequestHandler(WSGIRequestHandler):
    """The development server's request handler, its log lines redacted."""

    def log(self, type: str, message: str, *args: Any) -> None:
        super().log(type, "%s", redact(message % args))


# gunicorn atoms of headers that are credentials whole: a format naming them logs nothing.
_CREDENTIAL_ATOMS = frozenset(
    {"{authorization}i", "{cookie}i", "{set-cookie}o", "{http_authorization}e", "{http_cookie}e"}
)


class GunicornLogger(Logger):
    """gunicorn's logger, every access-log atom redacted (the request line, the path, the
    query, the Referer, environment values such as RAW_URI), whatever the log format; the
    Authorization and Cookie headers are never printed."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            k: REDACTED if k in _CREDENTIAL_ATOMS else redact(v) if isinstance(v, str) else v
            for k, v in atoms.items()
        }
