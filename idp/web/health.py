"""Probes for the load balancer and the orchestrator: is the process alive, can it serve.

`/healthz` answers from the process alone, so that a database outage does not get every
worker restarted (restarting would not bring the database back). `/readyz` asks what a
request needs: the database, and Redis when the rate limits are counted there; a worker
that cannot reach them is taken out of rotation until they answer. Both are cheap,
unauthenticated, never cached and outside the rate limits: a probe every second must not
use up a client's budget, nor be refused by it.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, jsonify
from limits.storage import Storage, storage_from_string
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from idp.extensions import db, limiter

bp = Blueprint("health", __name__)
limiter.exempt(bp)

# A probe that waits longer than its orchestrator's timeout tells it nothing.
REDIS_TIMEOUT_SECONDS = 1.0
_REDIS = "idp.health.redis"


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz() -> Response:
    return _no_store(Response("ok", mimetype="text/plain"))


def _database_answers() -> bool:
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    return True


@bp.get("/readyz")
def readyz() -> Response:
    checks = {"database": _database_answers()}
    redis: Storage | None = current_app.extensions[_REDIS]
    if redis is not None:
        checks["redis"] = redis.check()  # PING; False when it cannot be reached
    failed = sorted(name for name, answered in checks.items() if not answered)
    response = jsonify(
        status="unavailable" if failed else "ok", checked=sorted(checks), failed=failed
    )
    response.status_code = 503 if failed else 200
    return _no_store(response)


def _redis_storage(storage_uri: str) -> Storage | None:
    """The rate limits' Redis (any of its URL forms), with its own short timeouts; None when
    the limits are not counted in Redis."""
    if not storage_uri.startswith("redis"):
        return None
    storage = storage_from_string(
        storage_uri,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
    )
    assert isinstance(storage, Storage)  # a redis:// URI names a synchronous storage
    return storage


def init_app(app: Flask) -> None:
    app.extensions[_REDIS] = _redis_storage(app.extensions["idp"].settings.ratelimit.storage_uri)
    app.register_blueprint(bp)
