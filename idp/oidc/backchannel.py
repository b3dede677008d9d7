"""Sending back-channel logout tokens to relying applications, one attempt per due delivery.

Runs beside the response (the web layer hands it the deliveries a request queued) and in the
delivery worker (`idp deliveries run`, idp.notify.worker): the retries, and the deliveries
queued outside a web request. A slow, failing or vanished application raises nothing here: it
costs at most `TIMEOUT_SECONDS` on a worker thread, an audit record and a later retry.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from idp.extensions import db
from idp.oidc.logout_token import issue_logout_token
from idp.runtime import Runtime
from idp.services import audit, logout_deliveries
from idp.services.logout_deliveries import Outcome

if TYPE_CHECKING:
    import requests

log = logging.getLogger(__name__)

# The whole attempt (connect and answer): the application is told at once or retried later.
TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class _Subject:
    subject: str


def send_due(
    rt: Runtime,
    *,
    ids: Collection[int] | None = None,
    stopping: Callable[[], bool] = lambda: False,
) -> dict[str, int]:
    """Make one attempt at each due delivery (among `ids` when given); counts by outcome.
    Once `stopping()` says so, the attempt under way is the last: the rest wait for the next
    sender, so that a worker asked to stop is done within one attempt's timeout."""
    counts = {"delivered": 0, "retrying": 0, "abandoned": 0}
    due = logout_deliveries.due(now=rt.now(), ids=ids)
    if not due:  # the in-process worker's pass, most of the time
        return counts
    # Imported on the first due delivery: ~5 MiB that most workers never need.
    import requests

    with requests.Session() as http:
        for delivery_id in due:
            if stopping():
                break
            outcome = _attempt(rt, http, delivery_id)
            if outcome is not None:
                counts[outcome] += 1
    return counts


def _attempt(rt: Runtime, http: requests.Session, delivery_id: int) -> str | None:
    """Reserve, POST, record; each step in its own transaction, so a crash mid-way leaves
    the delivery reserved (and retried after its lease), never lost."""
    delivery = logout_deliveries.reserve(delivery_id, now=rt.now())
    db.session.commit()
    if delivery is None:
        return None
    client = rt.clients.lookup(delivery.client_id)
    if client is None or not client.backchannel_logout_uri:
        logout_deliveries.give_up(delivery, "the client no longer has a back-channel logout URI")
        audit.record(
            "backchannel_logout",
            "error",
            at=rt.now(),
            client_id=delivery.client_id,
            status=None,
            attempt=delivery.attempts,
            error=delivery.last_error,
            retrying=False,
        )
        db.session.commit()
        return "abandoned"
    token = issue_logout_token(
        keys=rt.keys,
        issuer=rt.settings.issuer,
        client=client,
        user=_Subject(delivery.user_subject),
        sid=delivery.sid,
        now=rt.now(),
        hash_key=rt.hash_key,
    )
    outcome = _post(http, client.backchannel_logout_uri, token)
    retrying = logout_deliveries.record(delivery, outcome, now=rt.now())
    failure: dict[str, Any] = (
        {} if outcome.delivered else {"error": delivery.last_error, "retrying": retrying}
    )
    audit.record(
        "backchannel_logout",
        "success" if outcome.delivered else "error",
        at=rt.now(),
        client_id=client.client_id,
        status=outcome.status,
        attempt=delivery.attempts,
        **failure,
    )
    db.session.commit()
    if outcome.delivered:
        return "delivered"
    return "retrying" if retrying else "abandoned"


def _post(http: requests.Session, uri: str, token: str) -> Outcome:
    """POST the token as a form (spec §2.5); redirects are not followed (an answer, not a
    delivery)."""
    import requests

    try:
        response = http.post(
            uri,
            data={"logout_token": token},
            timeout=TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        log.warning("back-channel logout to %s failed: %s", uri, type(exc).__name__)
        return Outcome(error=type(exc).__name__)
    response.close()
    if response.status_code in (200, 204):
        return Outcome(status=response.status_code)
    return Outcome(status=response.status_code, error=f"HTTP {response.status_code}")
