"""Does the token endpoint's fast path earn its keep under granian?

    .venv/bin/python bench/fast_path.py [--seconds 5] [--repeats 3]
        [--postgresql postgresql+psycopg://USER:PASS@127.0.0.1:5432/EMPTY_DB]

One granian worker (`--interface wsgi --workers 1 --blocking-threads 1`) on core 0, wrk on
core 1, with the instances, tokens and wrk runs of bench/run.py. Two builds of the same tree
serve client_credentials and refresh back to back: `fast` (the app as shipped) and `off` (no
fast path: Flask and Authlib answer every token request). Each round starts them in turn, so
the machine's load of the moment weighs on both alike; the ratios to `fast` (req/s, and the
worker's CPU per request) are given per round and as the median over the rounds, on SQLite
and, with --postgresql, on PostgreSQL (the database must be empty: `idp init` creates it).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench

# Each build is the shipped app with one part swapped before create_app() builds it.
BUILDS: dict[str, str] = {
    "fast": "",
    "off": "fast_token.FastTokenEndpoint = lambda wsgi_app, app: wsgi_app\n",
}
MODULE = """import idp.oidc.fast_token as fast_token
from idp import create_app
{patch}
app = create_app()
"""


@contextlib.contextmanager
def granian(instance: bench.Instance, build: str) -> Iterator[bench.Server]:
    """Serve `build` of the instance's tree; always stop the server (its process group)."""
    (instance.base / f"build_{build}.py").write_text(MODULE.format(patch=BUILDS[build]))
    command = [
        "taskset", "-c", str(bench.SERVER_CORE), str(bench.VENV_BIN / "granian"),
        "--interface", "wsgi", "--workers", "1", "--blocking-threads", "1",
        "--host", "127.0.0.1", "--port", str(instance.port), "--no-access-log",
        f"build_{build}:app",
    ]  # fmt: skip
    env = bench.clean_env(
        IDP_CONFIG=str(instance.config), PYTHONPATH=f"{instance.base}:{instance.source}"
    )
    log_path = instance.base / f"granian-{build}.log"
    with log_path.open("ab") as log_file:
        process = subprocess.Popen(
            command,
            cwd=instance.base,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"granian exited ({process.returncode}); see {log_path}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(instance.url + "/jwks.json", timeout=2).ok:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"granian did not answer; see {log_path}")
            time.sleep(0.1)
        yield bench.Server(process=process, port=instance.port, kind=build, log_path=log_path)
    finally:
        bench.stop_process_group(process)


def measure_build(instance: bench.Instance, build: str, seconds: float) -> dict[str, Any]:
    """client_credentials and refresh of one build (a fresh worker): req/s and the worker's
    CPU microseconds per request (less sensitive to the machine's other tenants)."""
    basic = bench.basic_header(instance.client_id, instance.client_secret)
    load = {"connections": 8, "headers": (basic, bench.FORM)}
    with granian(instance, build) as server:
        token_url = server.url + "/token"
        cc = ("method=POST", "body=grant_type=client_credentials", "expect=access_token")
        bench.wrk(token_url, seconds=1, args=cc, **load)
        client_credentials = server.measure(token_url, seconds=seconds, args=cc, **load)
        seeds = [
            bench.exchange(instance, body)
            for body in bench.mint_codes(instance, 2 * load["connections"], browsers=2)
        ]
        chain = instance.base / f"refresh-{build}.txt"
        chain.write_text("\n".join(s["refresh_token"] for s in seeds) + "\n")
        refresh = server.measure(
            token_url, seconds=seconds, args=(f"chain={chain}", "expect=refresh_token"), **load
        )
    figures = {}
    for name, result in (("client_credentials", client_credentials), ("refresh", refresh)):
        if result["errors"]:
            raise RuntimeError(
                f"{build} {name}: {result['errors']} errors, {result['first_error']}"
            )
        figures[name] = {"rps": result["rps"], "cpu_us": result["worker_cpu_us_per_request"]}
    return figures


def compare(instance: bench.Instance, repeats: int, seconds: float) -> dict[str, Any]:
    rounds = []
    for number in range(repeats):
        figures = {}
        for build in BUILDS:
            bench.log(f"{instance.base.name} round {number + 1}: {build}")
            figures[build] = measure_build(instance, build, seconds)
        rounds.append(figures)
    # Ratios to `fast`: of req/s (above 1: faster than the fast path) and of CPU per request
    # (above 1: costlier).
    medians = {
        build: {
            f"{scenario} {figure}": round(
                statistics.median(
                    r[build][scenario][figure] / r["fast"][scenario][figure] for r in rounds
                ),
                3,
            )
            for scenario in ("client_credentials", "refresh")
            for figure in ("rps", "cpu_us")
        }
        for build in BUILDS
        if build != "fast"
    }
    return {"rounds": rounds, "median_ratio_to_fast": medians}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5, help="per run (default 5)")
    parser.add_argument("--repeats", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("--postgresql", help="URL of an empty PostgreSQL database")
    options = parser.parse_args()
    bench.check_machine()
    databases = {"sqlite": None, "postgresql": options.postgresql}
    report = {}
    with tempfile.TemporaryDirectory(prefix="idp-fast-path-") as tmp:
        for name, url in databases.items():
            if name != "sqlite" and not url:
                continue
            base = Path(tmp) / name
            base.mkdir()
            instance = bench.make_instance(base, bench.REPO_DIR, database_url=url)
            report[name] = compare(instance, options.repeats, options.seconds)
            print(name, json.dumps(report[name]["median_ratio_to_fast"]), flush=True)
    bench.save_results("fast-path", report)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
