"""Log lines: one JSON object a line (production) or plain text (development), each with the
id of the request it was written during (`idp.request_id`).

The handler sits on the `idp` logger, which our modules log under: a server's own loggers
(gunicorn, granian, the development server) keep their handlers, and records still propagate
to the root logger's handlers if an operator configures any.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

from idp import request_id
from idp.config import LoggingSettings

LOGGER = "idp"
# Fields a record carries for the JSON line beyond its message (the access line's).
FIELDS = "fields"


class RequestIdFilter(logging.Filter):
    """Stamp each record with the current request's id (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.current()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, request id, fields.

    Written for every request: one encoder made once, and the time's seconds formatted once
    a second.
    """

    _encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode

    def __init__(self) -> None:
        super().__init__()
        self._second: tuple[int, str] = (0, "")

    def _time(self, created: float) -> str:
        whole = int(created)
        second, text = self._second
        if second != whole:
            text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole))
            self._second = (whole, text)
        return f"{text}.{int((created - whole) * 1000):03d}Z"

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self._time(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        entry.update(getattr(record, FIELDS, None) or {})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return self._encode(entry)


PLAIN = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class _Handler(logging.StreamHandler):
    """Ours (found and replaced when another app is configured in the same process), on
    `sys.stderr` as it is at each record: a test's capture may have replaced it."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self) -> Any:
        return sys.stderr


def configure(settings: LoggingSettings) -> None:
    """Give the `idp` logger one handler on stderr in the configured format and level."""
    logger = logging.getLogger(LOGGER)
    for handler in [h for h in logger.handlers if isinstance(h, _Handler)]:
        logger.removeHandler(handler)
    handler = _Handler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if settings.format == "json" else logging.Formatter(PLAIN))
    logger.addHandler(handler)
    logger.setLevel(settings.level.upper())
    # Authlib logs every token it issues, whole, at DEBUG ("Issue token {...}"): its records
    # never go below INFO, whatever level an operator gives the root logger.
    logging.getLogger("authlib").setLevel(logging.INFO)
