"""The Host header: only the configured names are answered, and URLs never come from it.

Flask refuses a Host outside `TRUSTED_HOSTS` (`[server] trusted_hosts` and the issuer's host)
with a SecurityError, a 400. Two gaps are closed here: Flask then has no URL adapter, so the
400 page itself failed to build its links (a bare 500 from the server); and the answers made
before Flask (discovery, JWKS, the token fast path) never looked at the Host.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NoReturn
from urllib.parse import urlsplit

from flask import Flask, Request
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.routing import MapAdapter
from werkzeug.wsgi import get_host

# Where a request's Host refusal waits for dispatching (routing may find another error).
REFUSAL = "idp.refused_host"


class IdentityProvider(Flask):
    """Flask, whose refused requests still get a URL adapter: on the issuer, for the page."""

    def create_url_adapter(self, request: Request | None) -> MapAdapter | None:
        try:
            return super().create_url_adapter(request)
        except HTTPException as refused:  # SecurityError: not ours; BadHost: not a name
            if request is None:
                raise
            request.routing_exception = request.environ[REFUSAL] = refused
            issuer = urlsplit(self.extensions["idp"].settings.issuer)
            return self.url_map.bind(
                issuer.netloc,
                script_name=request.root_path or "/",
                url_scheme=issuer.scheme,
                default_method=request.method,
                path_info=request.path,
            )

    def raise_routing_exception(self, request: Request) -> NoReturn:
        """A refused Host answers 400 whatever the path (not 404 for an unknown one)."""
        refused = request.environ.get(REFUSAL)
        if refused is not None:
            raise refused
        super().raise_routing_exception(request)


class TrustedHostsFirst:
    """WSGI middleware: a request for a Host that is not ours skips the answers made before
    Flask (`answers`) and goes straight to Flask (`flask_wsgi`), which refuses it."""

    # Host headers already found trusted, remembered up to this many: werkzeug's check
    # IDNA-encodes every trusted name on each call (~1 us, a tenth of a JWKS answer's time).
    REMEMBERED = 64

    def __init__(self, answers: Any, flask_wsgi: Any, hosts: Iterable[str]) -> None:
        self._answers = answers
        self._flask_wsgi = flask_wsgi
        self._hosts = list(hosts)
        self._trusted: set[str] = set()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if not self._is_trusted(environ):
            return self._flask_wsgi(environ, start_response)
        return self._answers(environ, start_response)

    def _is_trusted(self, environ: dict[str, Any]) -> bool:
        """werkzeug's verdict, which for a Host header depends on that header alone: a
        trusted one is remembered (a refused one never is: strangers choose those)."""
        header = environ.get("HTTP_HOST")
        if header is not None and header in self._trusted:
            return True
        try:
            get_host(environ, self._hosts)
        except SecurityError:
            return False
        if header is not None and len(self._trusted) < self.REMEMBERED:
            self._trusted.add(header)
        return True
