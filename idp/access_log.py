"""Access logs without the secrets some URLs carry, and the line and metrics of each request.

An e-mailed invitation or reset link has to carry its token in its path, and a relying party
may put an ID token in the query of GET /logout (`id_token_hint`). The request that brings
one answers only a redirect to a URL without it, but the server's access log records that
request too: the loggers here print every such value as `[redacted]`. Used by the development
server (`idp serve`), by gunicorn (through idp.gunicorn_logger) and by the log line of an
unhandled error.

`RequestLog` wraps the whole WSGI app, the answers made before Flask included (discovery, the
JWKS, the token fast path): every request gets its request id, is counted in the metrics and
writes one access line, which names the route rule, never the path or its query. Probes,
scrapes and the published documents write none unless they fail (see `RequestLog`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from time import perf_counter
from typing import Any

from flask import Flask, request
from werkzeug.serving import WSGIRequestHandler

from idp import metrics, request_id
from idp.logs import FIELDS

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


access = logging.getLogger("idp.access")

# The label of a request that matched no route: every unknown URL shares it.
UNMATCHED = "<unmatched>"
# Probes and scrapes, every few seconds: neither counted nor logged unless they fail.
QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})


ROUTE = "idp.route"


def _note_route() -> None:
    """Keep the matched rule where the middleware reads it after Flask (which drops its
    request object from the environ when the request ends)."""
    if request.url_rule is not None:
        request.environ[ROUTE] = request.url_rule.rule


class RequestLog:
    """WSGI middleware: the request id (kept from `X-Request-Id` when sane, else made, and
    sent back), the request metrics and the access line.

    The duration runs until the app returns its answer: the whole work for every answer
    here (none streams). A request answered before Flask has no URL rule: its path is its
    route when it is one of `documents` or a rule without variables.

    `documents` (discovery, the JWKS) are answered from bytes built once, the same for
    everyone, and relying parties fetch them over and over: they are counted, but their
    successful answers are logged only with `log_documents`: answered in a few microseconds,
    they would spend most of their time writing the line.
    """

    def __init__(
        self,
        app: Flask,
        wsgi_app: Any,
        *,
        documents: Iterable[str],
        log_requests: bool,
        log_documents: bool,
        count: bool,
    ) -> None:
        self._wsgi_app = wsgi_app
        documents = frozenset(documents)
        self._fixed_routes = documents | {
            r.rule for r in app.url_map.iter_rules() if not r.arguments
        }
        self._unlogged_documents = frozenset() if log_documents else documents
        self._log_requests = log_requests
        self._count = count
        # First of the hooks: one that answers early (CSRF) would skip the later ones.
        app.before_request_funcs.setdefault(None, []).insert(0, _note_route)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        started = perf_counter()
        rid = request_id.accept(environ.get("HTTP_X_REQUEST_ID"))
        bound = request_id.bind(rid)
        answered = ["500"]  # unless the app answers (it raised)

        def respond(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            answered[0] = status[:3]
            return start_response(status, [*headers, (request_id.HEADER, rid)], exc_info)

        try:
            return self._wsgi_app(environ, respond)
        finally:
            request_id.unbind(bound)
            self._record(environ, answered[0], perf_counter() - started, rid)

    def _route(self, environ: dict[str, Any]) -> str:
        rule = environ.get(ROUTE)
        if rule is not None:
            return rule
        path = environ.get("PATH_INFO", "")
        return path if path in self._fixed_routes else UNMATCHED

    def _record(self, environ: dict[str, Any], status: str, seconds: float, rid: str) -> None:
        route = self._route(environ)
        failed = status >= "400"
        if route in QUIET_ROUTES and not failed:
            return
        method = environ.get("REQUEST_METHOD", "")
        if self._count:
            metrics.observe_request(method, route, status, seconds)
        logged = failed or route not in self._unlogged_documents
        if self._log_requests and logged and access.isEnabledFor(logging.INFO):
            method = method if method in metrics.METHODS else "other"
            ms = round(seconds * 1000, 2)
            ip = environ.get("REMOTE_ADDR")  # as the app sees it: after ProxyFix
            # Built and handed on directly: `access.info` would also look up its caller in
            # the stack, which costs as much as the rest and is always this line.
            record = access.makeRecord(
                access.name,
                logging.INFO,
                __file__,
                0,
                "%s %s %s %.2fms from %s",
                (method, route, status, ms, ip),
                None,
                extra={
                    "request_id": rid,
                    FIELDS: {
                        "method": method,
                        "route": route,
                        "status": int(status),
                        "duration_ms": ms,
                        "ip": ip,
                    },
                },
            )
            access.handle(record)
