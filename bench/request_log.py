"""What `RequestLog` (request id, metrics, access line) adds to each request, in-process.

Calls the app's WSGI callable directly, bare and wrapped, on the cheapest answer (discovery,
made before Flask), so that the difference is the layer's own cost: the request id alone,
with the metrics, and with the JSON access line (written to /dev/null: formatting and write
counted). The best of five rounds; a loaded machine inflates every figure alike.

    .venv/bin/python bench/request_log.py [--requests 20000] [--multiprocess]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _environ(path: str) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "5000",
        "HTTP_HOST": "127.0.0.1:5000",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": None,
        "wsgi.errors": sys.stderr,
    }


def _per_request_us(wsgi: Any, path: str, requests: int) -> float:
    def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
        return None

    best = float("inf")
    for _ in range(5):  # the best of five rounds: the least disturbed by the machine
        started = time.perf_counter()
        for _ in range(requests):
            body = wsgi(_environ(path), start_response)
            for _chunk in body:
                pass
            getattr(body, "close", lambda: None)()
        best = min(best, (time.perf_counter() - started) / requests * 1e6)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--multiprocess", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    if args.multiprocess:
        (folder / "prometheus").mkdir()
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder / "prometheus")
    from idp import create_app, schema
    from idp.access_log import RequestLog
    from idp.config import load_settings

    settings = load_settings(
        None,
        overrides={
            "server": {"instance_dir": str(folder / "instance")},
            "keys": {"dir": str(folder / "keys")},
        },
        environ={},
    )
    app = create_app(settings)
    with app.app_context():
        schema.upgrade(app)
        app.extensions["idp"].keys.ensure(app.extensions["idp"].now())
    logging.getLogger().handlers.clear()  # the migrations' logging set up a root handler
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115 (the access lines' destination)
    inner = app.wsgi_app._wsgi_app
    paths = ["/.well-known/openid-configuration"]
    layers = {
        "request id only": RequestLog(
            app, inner, documents=paths, log_requests=False, log_documents=True, count=False
        ),
        "+ metrics": RequestLog(
            app, inner, documents=paths, log_requests=False, log_documents=True, count=True
        ),
        "+ metrics + JSON line": RequestLog(
            app, inner, documents=paths, log_requests=True, log_documents=True, count=True
        ),
    }
    mode = "multiprocess" if args.multiprocess else "single process"
    print(f"RequestLog cost per request, {mode}, load average {os.getloadavg()[0]:.1f}:")
    path = paths[0]
    bare = _per_request_us(inner, path, args.requests)
    print(f"  {path}: bare {bare:.1f} us")
    for name, layer in layers.items():
        cost = _per_request_us(layer, path, args.requests) - bare
        print(f"    {name:24} +{cost:6.1f} us")


if __name__ == "__main__":
    main()
