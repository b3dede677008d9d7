"""The database cannot answer for a moment: a 503 with Retry-After, never a 500.

A restart, a failover or a lost connection is not a bug of the request: the client may try
again shortly, and says so to the user (pages) or retries (API callers, RFC 6749's
`temporarily_unavailable`). Flask's error handler and the token fast path answer the same.
"""

from __future__ import annotations

import json

from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

# OperationalError: connection refused or lost, server shutting down, lock wait too long;
# InterfaceError: a connection already closed; PoolTimeout: every connection busy.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)
RETRY_AFTER_SECONDS = 5
OAUTH_ERROR = {
    "error": "temporarily_unavailable",
    "error_description": "The service is temporarily unavailable; retry shortly.",
}
OAUTH_BODY = json.dumps(OAUTH_ERROR).encode()
HEADERS = (("Retry-After", str(RETRY_AFTER_SECONDS)), ("Cache-Control", "no-store"))
