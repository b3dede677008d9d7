"""gunicorn's access log without secrets: `--logger-class idp.gunicorn_logger.GunicornLogger`.

Apart from idp.access_log, which every worker imports, so that granian's workers never load
gunicorn.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from idp.access_log import REDACTED, redact

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
