"""Where the time of one request goes, endpoint by endpoint (see bench/README.md).

    .venv/bin/python bench/profile_paths.py [--requests 2000] [--scenarios discovery,jwks]
    .venv/bin/python bench/profile_paths.py --py-spy /path/to/py-spy [--seconds 8]

In-process (default): the app from a throw-away instance (same setup as bench/run.py) is
called as a WSGI callable in a loop, without a server: the time per request without a
profiler, the SQL statements one request runs, then cProfile's self time grouped by component
(Flask, Werkzeug, Authlib, SQLAlchemy, sqlite3, our code, ...) and the heaviest functions.
cProfile inflates Python-heavy code; the shares are scaled to the unprofiled time.

With --py-spy: also samples the real gunicorn worker (gthread, core 0) under wrk (core 1)
with py-spy, which sees gunicorn too and has no per-call overhead.

Writes bench/results/profile-<timestamp>.json and prints a summary.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import re
import signal
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run

SCENARIOS = (
    "baseline_flask",
    "discovery",
    "jwks",
    "token_client_credentials",
    "refresh",
    "token_authorization_code",
    "userinfo",
    "introspection",
)
STDLIB = sysconfig.get_paths()["stdlib"]

# First match wins: (component, substring of the file path).
COMPONENTS = (
    ("gunicorn", "/gunicorn/"),
    ("flask_sqlalchemy", "/flask_sqlalchemy/"),
    ("flask_limiter", "/flask_limiter/"),
    ("flask_limiter", "/limits/"),
    ("flask_babel", "/flask_babel/"),
    ("flask_babel", "/babel/"),
    ("flask_wtf", "/flask_wtf/"),
    ("flask_wtf", "/wtforms/"),
    ("flask", "/flask/"),
    ("werkzeug", "/werkzeug/"),
    ("jinja2", "/jinja2/"),
    ("authlib", "/authlib/"),
    ("sqlalchemy", "/sqlalchemy/"),
    ("joserfc", "/joserfc/"),
    ("cryptography", "/cryptography/"),
    ("idp", "/idp/"),
    ("bench", "/bench/"),
)


def component(filename: str, funcname: str = "") -> str:
    if filename == "~" or filename.startswith("<"):
        if "sqlite3" in funcname:
            return "sqlite3 (C)"
        return "builtins"
    # py-spy shortens paths to be relative to sys.path ("flask/app.py", "threading.py").
    relative = not filename.startswith("/")
    path = "/" + filename if relative else filename
    for name, marker in COMPONENTS:
        if marker in path:
            return name
    if filename.startswith(STDLIB) or relative:
        return "stdlib"
    return "other"


def short(filename: str, line: int, funcname: str) -> str:
    for marker in ("/site-packages/", "/work/main/", STDLIB + "/"):
        if marker in filename:
            filename = filename.split(marker, 1)[1]
            break
    return f"{funcname} ({filename}:{line})"


# -- the app in-process ----------------------------------------------------------------------


class InProcess:
    """Drives the app as a WSGI callable: one environ per request, no server, no test client."""

    def __init__(self, app: Any) -> None:
        from werkzeug.test import EnvironBuilder

        self.app = app
        self.builder = EnvironBuilder
        self.http = app.test_client()

    def environ(self, path: str, method: str = "GET", **kwargs: Any) -> tuple[dict, bytes]:
        builder = self.builder(path=path, method=method, base_url=self.base_url or None, **kwargs)
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        body = environ["wsgi.input"].read()
        return environ, body

    def call(self, environ: dict, body: bytes) -> tuple[str, bytes]:
        environ = dict(environ)
        environ["wsgi.input"] = io.BytesIO(body)
        status: list[str] = []

        def start_response(s: str, headers: list, exc_info: Any = None) -> None:
            status.append(s)

        iterable = self.app(environ, start_response)
        try:
            data = b"".join(iterable)
        finally:
            if hasattr(iterable, "close"):
                iterable.close()
        return status[0], data

    base_url = ""


def front_channel_code(client: Any, instance: run.Instance) -> tuple[str, str]:
    """Sign in (once per test client) and return (code, verifier), as run.Browser does."""
    verifier, challenge = run.pkce_pair()
    state = "s" + os.urandom(6).hex()
    params = {
        "response_type": "code",
        "client_id": instance.client_id,
        "redirect_uri": run.REDIRECT_URI,
        "scope": run.USER_SCOPE,
        "state": state,
        "nonce": os.urandom(8).hex(),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    response = client.get("/authorize?" + urlencode(params))
    for _ in range(6):
        location = response.headers.get("Location", "")
        if response.status_code == 302 and location.startswith(run.REDIRECT_URI):
            query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
            return query["code"], verifier
        if response.status_code not in (302, 303):
            raise RuntimeError(f"front channel: {response.status_code}")
        path = urlsplit(location)
        target = path.path + ("?" + path.query if path.query else "")
        if path.path == "/login":
            page = client.get(target)
            match = run.CSRF.search(page.get_data(as_text=True))
            if match is None:
                raise RuntimeError("no csrf_token on the sign-in page")
            response = client.post(
                target,
                data={
                    "csrf_token": match.group(1) or match.group(2),
                    "identifier": run.USER_IDENTIFIER,
                    "password": run.USER_PASSWORD,
                },
            )
        else:
            response = client.get(target)
    raise RuntimeError("front channel did not end")


@contextlib.contextmanager
def sql_recorder(engine: Any) -> Iterator[list[str]]:
    from sqlalchemy import event

    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(" ".join(statement.split())[:160])

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def prepare(ip: InProcess, instance: run.Instance, name: str, count: int) -> Callable[[], Any]:
    """A zero-argument callable doing one request of `name` (count calls will be made)."""
    basic = {"Authorization": run.basic_header(instance.client_id, instance.client_secret)[15:]}
    form = "application/x-www-form-urlencoded"
    if name in ("discovery", "jwks"):
        path = "/.well-known/openid-configuration" if name == "discovery" else "/jwks.json"
        environ, body = ip.environ(path)
        return lambda: ip.call(environ, body)
    if name == "token_client_credentials":
        environ, body = ip.environ(
            "/token",
            "POST",
            headers=basic,
            data="grant_type=client_credentials",
            content_type=form,
        )
        return lambda: ip.call(environ, body)
    # The rest needs a user's tokens, from the front channel.
    browser = ip.app.test_client()
    seed_code, seed_verifier = front_channel_code(browser, instance)
    seed = exchange(ip, basic, run.exchange_body(seed_code, seed_verifier))
    if name in ("userinfo", "introspection"):
        if name == "userinfo":
            environ, body = ip.environ(
                "/userinfo", headers={"Authorization": f"Bearer {seed['access_token']}"}
            )
        else:
            environ, body = ip.environ(
                "/introspect",
                "POST",
                headers=basic,
                data=f"token={seed['access_token']}",
                content_type=form,
            )
        return lambda: ip.call(environ, body)
    environ, _ = ip.environ("/token", "POST", headers=basic, data="x=y", content_type=form)
    if name == "refresh":
        state = {"token": seed["refresh_token"]}

        def refresh() -> Any:
            body = f"grant_type=refresh_token&refresh_token={state['token']}".encode()
            env = dict(environ, CONTENT_LENGTH=str(len(body)))
            status, data = ip.call(env, body)
            state["token"] = json.loads(data)["refresh_token"]
            return status, data

        return refresh
    if name == "token_authorization_code":
        bodies = [
            run.exchange_body(*front_channel_code(browser, instance)).encode() for _ in range(count)
        ]
        bodies.reverse()

        def exchange_one() -> Any:
            body = bodies.pop()
            return ip.call(dict(environ, CONTENT_LENGTH=str(len(body))), body)

        return exchange_one
    raise ValueError(name)


def exchange(ip: InProcess, basic: dict[str, str], body: str) -> dict[str, Any]:
    response = ip.http.post(
        "/token", data=body, headers=basic, content_type="application/x-www-form-urlencoded"
    )
    if response.status_code != 200:
        raise RuntimeError(f"exchange: {response.status_code} {response.get_data(as_text=True)}")
    return response.get_json()


def baseline_app() -> Any:
    from flask import Flask

    app = Flask("baseline")

    @app.get("/")
    def hello() -> dict[str, str]:
        return {"hello": "world"}

    return app


def profile_in_process(
    name: str,
    one: Callable[[], Any],
    *,
    requests: int,
    engine: Any,
    top: int,
    rounds_count: int = 5,
    with_profile: bool = True,
) -> dict[str, Any]:
    # Warm-up, and a check that the request succeeds.
    status, data = one()
    if not status.startswith("2"):
        raise RuntimeError(f"{name}: {status} {data[:300]!r}")
    for _ in range(20):
        one()
    rounds = []
    wall_rounds = []
    per_round = max(1, requests // (rounds_count + 1))
    for _ in range(rounds_count):
        # CPU time of this thread: other processes on the core do not inflate it.
        start, wall = time.thread_time(), time.perf_counter()
        for _ in range(per_round):
            one()
        rounds.append((time.thread_time() - start) / per_round)
        wall_rounds.append((time.perf_counter() - wall) / per_round)
    # The fastest round: noise (other processes, the hypervisor) only ever adds time.
    us_per_request = min(rounds) * 1e6

    timing = {
        "us_per_request": round(us_per_request, 1),
        "median_us_per_request": round(statistics.median(rounds) * 1e6, 1),
        "wall_us_per_request": round(min(wall_rounds) * 1e6, 1),
    }
    if with_profile:
        profiler = cProfile.Profile(time.thread_time)
        profiler.enable()
        for _ in range(per_round):
            one()
        profiler.disable()
    # Last: a listener, even once removed, leaves SQLAlchemy dispatching engine events.
    statements: list[str] = []
    if engine is not None:
        with sql_recorder(engine) as statements:
            one()
    timing["sql_statements"] = statements
    if not with_profile:
        return timing
    stats = pstats.Stats(profiler)
    total = sum(v[2] for v in stats.stats.values())  # type: ignore[attr-defined]
    by_component: Counter[str] = Counter()
    self_rows = []
    cumulative_rows = []
    for (filename, line, funcname), (_, ncalls, tottime, cumtime, callers) in stats.stats.items():  # type: ignore[attr-defined]
        where = component(filename, funcname)
        if where == "builtins" and callers:
            # A C function's time goes to whoever called it, split by the callers' shares.
            share_total = sum(c[2] for c in callers.values()) or 1
            for (cfile, _cline, cfunc), c in callers.items():
                by_component[component(cfile, cfunc)] += tottime * c[2] / share_total
        else:
            by_component[where] += tottime
        label = short(filename, line, funcname)
        self_rows.append((tottime, ncalls, label))
        cumulative_rows.append((cumtime, ncalls, label))
    scale = us_per_request / (total / per_round * 1e6) if total else 0
    self_rows.sort(reverse=True)
    cumulative_rows.sort(reverse=True)

    def per_request(seconds: float) -> float:
        return round(seconds / per_round * 1e6 * scale, 1)

    return {
        **timing,
        "profiled_us_per_request": round(total / per_round * 1e6, 1),
        "components_us": {
            k: per_request(v) for k, v in by_component.most_common() if per_request(v) >= 0.5
        },
        "top_self_us": [
            {"us": per_request(t), "calls_per_request": round(n / per_round, 2), "function": f}
            for t, n, f in self_rows[:top]
        ],
        "top_cumulative_us": [
            {"us": per_request(t), "calls_per_request": round(n / per_round, 2), "function": f}
            for t, n, f in cumulative_rows[:top]
        ],
    }


# -- py-spy on the real worker ---------------------------------------------------------------

FRAME = re.compile(r"^(?P<func>.*) \((?P<file>.*?)(?::(?P<line>\d+))?\)$")


def py_spy_profile(
    py_spy: str, instance: run.Instance, names: list[str], seconds: float, top: int, kind: str
) -> dict[str, Any]:
    """Sample the worker under wrk for each scenario; self time by component.

    The sync worker (the default) has one thread, so every sample is the request's own time;
    with gthread, samples of threads waiting for the GIL show up where they wait.
    """
    options = run.Options(
        seconds=seconds,
        connections=8,
        threads=4,
        kinds=[kind],
        warmup=1,
        codes=int(600 * seconds),
        source=instance.source,
        micro=False,
        scenarios=[],
    )
    basic = run.basic_header(instance.client_id, instance.client_secret)
    results: dict[str, Any] = {}
    with run.gunicorn(
        "wsgi:app",
        port=instance.port,
        kind=kind,
        threads=options.threads,
        cwd=instance.source,
        env=instance.env(),
        log_path=instance.base / "gunicorn-py-spy.log",
        ready_path="/jwks.json",
    ) as server:
        seeds = [run.exchange(instance, b) for b in run.mint_codes(instance, 17, browsers=1)]
        plans: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
            "discovery": ("/.well-known/openid-configuration", (), ("expect=issuer",)),
            "jwks": ("/jwks.json", (), ("expect=keys",)),
            "token_client_credentials": (
                "/token",
                (basic, run.FORM),
                ("method=POST", "body=grant_type=client_credentials", "expect=access_token"),
            ),
            "userinfo": (
                "/userinfo",
                (f"Authorization: Bearer {seeds[0]['access_token']}",),
                ("expect=sub",),
            ),
            "introspection": (
                "/introspect",
                (basic, run.FORM),
                ("method=POST", f"body=token={seeds[0]['access_token']}"),
            ),
        }
        chain = instance.base / "py-spy-refresh.txt"
        chain.write_text("\n".join(s["refresh_token"] for s in seeds[1:]) + "\n")
        plans["refresh"] = ("/token", (basic, run.FORM), (f"chain={chain}", "expect=refresh_token"))
        for name in names:
            if name == "token_authorization_code":
                pool = instance.base / "py-spy-codes.txt"
                pool.write_text("\n".join(run.mint_codes(instance, options.codes)) + "\n")
                plans[name] = ("/token", (basic, run.FORM), (f"pool={pool}",))
            if name not in plans:
                continue
            path, headers, args = plans[name]
            raw = instance.base / f"py-spy-{name}.txt"
            run.log(f"py-spy: {name}")
            sampler = subprocess.Popen(
                [
                    "taskset",
                    "-c",
                    str(run.LOAD_CORE),
                    py_spy,
                    "record",
                    "--pid",
                    str(server.worker_pid()),
                    "--rate",
                    "250",
                    "--duration",
                    str(max(1, round(seconds))),
                    "--format",
                    "raw",
                    "--nonblocking",
                    "--output",
                    str(raw),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                load = server.measure(
                    server.url + path,
                    seconds=seconds,
                    connections=options.connections,
                    headers=headers,
                    args=args,
                )
            finally:
                sampler.wait(timeout=seconds + 60)
            results[name] = {"load": load, **collapse(raw, top)}
    return results


def collapse(raw: Path, top: int) -> dict[str, Any]:
    """Self samples by component and by function, from py-spy's collapsed stacks."""
    by_component: Counter[str] = Counter()
    by_function: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        frames = stack.split(";")
        total += count
        leaf = FRAME.match(frames[-1])
        if leaf is None:
            continue
        filename, func = leaf.group("file"), leaf.group("func")
        where = component(filename, func)
        if where == "sqlalchemy" and func.startswith(("do_execute", "do_commit", "do_rollback")):
            where = "sqlite3 (C, under SQLAlchemy)"
        by_component[where] += count
        by_function[short(filename, int(leaf.group("line") or 0), func)] += count
        seen: set[str] = set()
        for frame in frames:
            match = FRAME.match(frame)
            if match is None:
                continue
            label = f"{match.group('func')} ({component(match.group('file'), match.group('func'))})"
            if label not in seen:
                seen.add(label)
                inclusive[label] += count
    if not total:
        return {"samples": 0}

    def share(counter: Counter[str], limit: int | None = None) -> dict[str, float]:
        return {k: round(100 * v / total, 1) for k, v in counter.most_common(limit)}

    return {
        "samples": total,
        "components_percent": share(by_component),
        "top_self_percent": share(by_function, top),
        "top_inclusive_percent": share(inclusive, top * 2),
    }


# -- main ------------------------------------------------------------------------------------


def print_in_process(name: str, result: dict[str, Any], top: int) -> None:
    print(
        f"\n== {name}: {result['us_per_request']} us CPU/request in-process"
        f" (wall {result['wall_us_per_request']} us)"
    )
    if result["sql_statements"]:
        print(f"   SQL statements per request: {len(result['sql_statements'])}")
        for statement in result["sql_statements"]:
            print(f"     {statement[:110]}")
    if "components_us" not in result:
        return
    print("   self time by component (us/request, cProfile, scaled):")
    print("     " + ", ".join(f"{k} {v}" for k, v in result["components_us"].items()))
    print("   heaviest functions, cumulative (us/request):")
    for row in result["top_cumulative_us"][:top]:
        print(f"     {row['us']:>8} {row['calls_per_request']:>6}x  {row['function'][:100]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--source", type=Path, default=run.REPO_DIR)
    parser.add_argument("--py-spy", dest="py_spy", help="path of py-spy: also sample the worker")
    parser.add_argument("--seconds", type=float, default=8, help="per scenario, with --py-spy")
    parser.add_argument("--py-spy-kind", choices=("sync", "gthread"), default="sync")
    parser.add_argument("--no-in-process", action="store_true")
    parser.add_argument("--id-token-alg", choices=("RS256", "ES256"))
    parser.add_argument(
        "--timing-only",
        action="store_true",
        help="no cProfile: the CPU time per request only (fastest of --rounds rounds)",
    )
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per scenario")
    parser.add_argument(
        "--database-url", help="a scratch PostgreSQL database (its schema is dropped first)"
    )
    args = parser.parse_args(argv)
    # SIGTERM unwinds like Ctrl-C, so a gunicorn started for --py-spy is always stopped.
    signal.signal(signal.SIGTERM, run._interrupt)
    names = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = set(names) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenario(s): {unknown}")
    for key in [k for k in os.environ if k.startswith("IDP_")]:
        del os.environ[key]
    source = args.source.resolve()
    if source != run.REPO_DIR:
        sys.path.insert(0, str(source))
    report: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": run.machine(),
        "revision": run.source_revision(source),
        "in_process": {},
    }
    with tempfile.TemporaryDirectory(prefix="idp-profile-") as tmp:
        if args.database_url:
            run.reset_postgres(args.database_url)
        instance = run.make_instance(
            Path(tmp), source, args.id_token_alg, database_url=args.database_url
        )
        if not args.no_in_process:
            from idp import create_app
            from idp.extensions import db

            app = create_app(str(instance.config))
            app.config["SERVER_NAME"] = None
            ip = InProcess(app)
            with app.app_context():
                engine = db.engine
            ip.base_url = instance.url
            for name in names:
                if name == "baseline_flask":
                    flask_ip = InProcess(baseline_app())
                    environ, body = flask_ip.environ("/")

                    def one(ip: InProcess = flask_ip, e: dict = environ, b: bytes = body) -> Any:
                        return ip.call(e, b)

                    engine_for = None
                else:
                    one = prepare(ip, instance, name, args.requests + 30)
                    engine_for = engine
                result = profile_in_process(
                    name,
                    one,
                    requests=args.requests,
                    engine=engine_for,
                    top=args.top,
                    rounds_count=args.rounds,
                    with_profile=not args.timing_only,
                )
                report["in_process"][name] = result
                print_in_process(name, result, args.top)
        if args.py_spy:
            report["py_spy"] = py_spy_profile(
                args.py_spy,
                instance,
                [n for n in names if n != "baseline_flask"],
                args.seconds,
                20,
                args.py_spy_kind,
            )
            for name, result in report["py_spy"].items():
                print(
                    f"\n== {name} (py-spy, {args.py_spy_kind} worker under wrk: "
                    f"{result['load']['rps']}/s, {result['load']['worker_cpu_us_per_request']} "
                    "us CPU/request)"
                )
                print("   self samples by component (%):")
                print(
                    "     " + ", ".join(f"{k} {v}" for k, v in result["components_percent"].items())
                )
                print("   heaviest functions, self (%):")
                for label, pct in list(result["top_self_percent"].items())[:12]:
                    print(f"     {pct:>6}  {label[:100]}")
                print("   heaviest, inclusive (%):")
                for label, pct in list(result["top_inclusive_percent"].items())[:25]:
                    print(f"     {pct:>6}  {label[:100]}")
    output = run.save_results("profile", report)
    print(f"\nresults: {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
