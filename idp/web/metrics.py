"""`/metrics` for Prometheus: outside the rate limits, optionally behind a bearer token.

A scrape every few seconds must not use up a client's budget. With `[metrics] token` set, a
request without `Authorization: Bearer <token>` gets 401 and one with another token 403;
the token is compared in constant time.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, Flask, Response, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST

from idp import metrics
from idp.extensions import limiter
from idp.services import outbox

bp = Blueprint("metrics", __name__)
limiter.exempt(bp)

GAUGES = "idp.metrics.gauges"


def _refusal(token: str) -> Response | None:
    """401 without a bearer token, 403 with a wrong one, None when it may read."""
    kind, _, presented = request.headers.get("Authorization", "").partition(" ")
    if kind.lower() != "bearer" or not presented.strip():
        response = Response("bearer token required\n", 401, mimetype="text/plain")
        response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if not hmac.compare_digest(presented.strip().encode(), token.encode()):
        return Response("wrong token\n", 403, mimetype="text/plain")
    return None


@bp.get("/metrics")
def scrape() -> Response:
    token = current_app.extensions["idp"].settings.metrics.token
    refusal = _refusal(token) if token else None
    if refusal is not None:
        refusal.headers["Cache-Control"] = "no-store"
        return refusal
    response = Response(metrics.exposition(current_app.extensions[GAUGES]))
    response.headers["Content-Type"] = CONTENT_TYPE_LATEST
    response.headers["Cache-Control"] = "no-store"
    return response


def gauges(app: Flask) -> metrics.ScrapeGauges:
    """The app's scrape-time gauges, to register a callback (see metrics.ScrapeGauges)."""
    return app.extensions[GAUGES]


def init_app(app: Flask) -> None:
    app.extensions[GAUGES] = metrics.ScrapeGauges()
    app.extensions[GAUGES].register(
        "idp_deliveries_messages",
        "Messages in the delivery outbox by state (pending: the queue's depth)",
        outbox.counts,
        "state",
    )
    if app.extensions["idp"].settings.metrics.enabled:
        app.register_blueprint(bp)
