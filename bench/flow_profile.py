"""The CPU cost of one full authorization-code flow, in-process, request by request.

    .venv/bin/python bench/flow_profile.py [--flows 40] [--rounds 5] [--profile 12] [--sql]
    .venv/bin/python bench/flow_profile.py --database-url postgresql+psycopg://U:P@H/scratch
    .venv/bin/python bench/flow_profile.py --against /tmp/base   # before/after, same run

The flow is bench/flow.mjs's (what compare.py serves to granian), on compare.py's instance
(argon2id at its cheapest, a client that goes through the consent page): authorize with
`prompt=consent`, the sign-in page and form, the consent page and form, the redirect with the
code, the code exchange (PKCE, RS256 ID token), one refresh; a fresh cookie jar per flow.
The app is called through Flask's test client, without a server; a WSGI wrapper adds up the
process CPU time spent inside the app, by step, so the client's own work does not count.

`--against TREE` (another checkout, e.g. `git archive BASE | tar -x -C /tmp/base`) measures
that tree and this one in turn, `--repeat` times each, every one in a process of its own,
and prints the ratio of their best CPU times per flow (after / before).

Prints the CPU time per flow and per step (fastest of --rounds rounds: noise only adds time),
the SQL statements of each step, and with --profile N cProfile's N heaviest functions (self and
cumulative) over one round. The PostgreSQL database is a scratch one: its schema is dropped.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import cProfile
import hashlib
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import compare
import run


class Steps:
    """Wraps a WSGI app: the process CPU time and SQL statements of each request, by step."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.step = ""
        self.cpu: Counter[str] = Counter()
        self.statements: dict[str, list[str]] = {}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        start = time.process_time()
        iterable = self.app(environ, start_response)
        try:
            body = list(iterable)
        finally:
            if hasattr(iterable, "close"):
                iterable.close()
        self.cpu[self.step] += time.process_time() - start
        return body

    def record(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        flat = " ".join(statement.split())
        # The start names the table, the end the condition.
        short = flat if len(flat) <= 160 else f"{flat[:90]} … {flat[-65:]}"
        self.statements.setdefault(self.step, []).append(short)


def pkce() -> tuple[str, str]:
    verifier = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def csrf_of(response: Any) -> str:
    match = run.CSRF.search(response.get_data(as_text=True))
    if response.status_code != 200 or match is None:
        raise RuntimeError(f"no form: {response.status_code}")
    return match.group(1) or match.group(2)


def one_flow(app: Any, steps: Steps, client: dict[str, str], base_url: str) -> None:
    """bench/flow.mjs's fullFlow, step by step (a step names the page or the endpoint)."""
    browser = app.test_client()
    verifier, challenge = pkce()
    query = {
        "client_id": client["client_id"],
        "response_type": "code",
        "redirect_uri": run.REDIRECT_URI,
        "scope": "openid email offline_access",
        "prompt": "consent",
        "state": "st" + os.urandom(4).hex(),
        "nonce": "n" + os.urandom(4).hex(),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    seen: Counter[str] = Counter()
    steps.step = "authorize"
    response = browser.get("/authorize?" + urlencode(query), base_url=base_url)
    location = response.headers["Location"]
    while not location.startswith(run.REDIRECT_URI):
        parts = urlsplit(location)
        target = parts.path + ("?" + parts.query if parts.query else "")
        if parts.path == "/login":
            fields = {"identifier": run.USER_IDENTIFIER, "password": run.USER_PASSWORD}
            name = "login"
        elif parts.path.startswith("/consent/"):
            fields, name = {"approve": "1"}, "consent"
        else:
            # /authorize/resume/<ref>: the step's name without the reference.
            fields, name = {}, " ".join(parts.path.strip("/").split("/")[:2])
        seen[name] += 1
        name += f" {seen[name]}" if seen[name] > 1 else ""
        steps.step = f"{name} page" if fields else name
        response = browser.get(target, base_url=base_url)
        if fields:
            steps.step = f"{name} form"
            fields["csrf_token"] = csrf_of(response)
            response = browser.post(target, data=fields, base_url=base_url)
        if response.status_code not in (302, 303):
            raise RuntimeError(f"{steps.step}: {response.status_code}")
        location = response.headers["Location"]
    code = parse_qs(urlsplit(location).query)["code"][0]
    basic = {"Authorization": run.basic_header(client["client_id"], client["client_secret"])[15:]}
    steps.step = "token (code)"
    tokens = browser.post(
        "/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": run.REDIRECT_URI,
            "code_verifier": verifier,
        },
        headers=basic,
        base_url=base_url,
    ).get_json()
    steps.step = "token (refresh)"
    refreshed = browser.post(
        "/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        headers=basic,
        base_url=base_url,
    ).get_json()
    if "id_token" not in tokens or "refresh_token" not in refreshed:
        raise RuntimeError(f"tokens: {tokens} {refreshed}")


@contextlib.contextmanager
def statements(engine: Any, steps: Steps) -> Iterator[None]:
    from sqlalchemy import event

    event.listen(engine, "before_cursor_execute", steps.record)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", steps.record)


def measure(args: argparse.Namespace, instance: run.Instance) -> dict[str, Any]:
    from idp import create_app
    from idp.extensions import db

    app = create_app(str(instance.config))
    client = json.loads((instance.base / "flow-client.json").read_text())
    steps = Steps(app.wsgi_app)
    app.wsgi_app = steps  # type: ignore[method-assign]

    def flows(count: int) -> None:
        for _ in range(count):
            one_flow(app, steps, client, instance.url)

    flows(5)  # warm-up: templates compiled, pools and caches filled
    rounds: list[tuple[float, dict[str, float]]] = []
    for _ in range(args.rounds):
        steps.cpu.clear()
        start = time.process_time()
        flows(args.flows)
        elapsed = time.process_time() - start
        rounds.append((elapsed, {k: v / args.flows for k, v in steps.cpu.items()}))
    best_total, best_steps = min(rounds, key=lambda r: r[0])
    server = sum(best_steps.values())
    result: dict[str, Any] = {
        "process_ms_per_flow": round(best_total / args.flows * 1e3, 2),
        "server_ms_per_flow": round(server * 1e3, 2),
        "server_ms_by_step": {k: round(v * 1e3, 3) for k, v in best_steps.items()},
    }
    if args.profile:
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        flows(args.flows)
        profiler.disable()
        result["profile"] = profile_rows(profiler, args.profile, args.flows)
    # Last: a listener, even once removed, leaves SQLAlchemy dispatching engine events.
    with app.app_context():
        engine = db.engine
    steps.statements.clear()
    with statements(engine, steps):
        flows(1)
    result["sql_by_step"] = dict(steps.statements)
    return result


def profile_rows(profiler: cProfile.Profile, top: int, count: int) -> dict[str, list[str]]:
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    rows = [
        (tottime / count * 1e3, cumtime / count * 1e3, ncalls / count, file, line, func)
        for (file, line, func), (_, ncalls, tottime, cumtime, _callers) in stats.items()
    ]

    def label(row: tuple[float, float, float, str, int, str]) -> str:
        file = row[3].split("/site-packages/")[-1].split("/wt-flow/")[-1]
        return f"{row[0]:7.3f} {row[1]:7.3f} {row[2]:6.1f}x {row[5]} ({file}:{row[4]})"

    return {
        "self": [label(r) for r in sorted(rows, key=lambda r: -r[0])[:top]],
        "cumulative": [label(r) for r in sorted(rows, key=lambda r: -r[1])[:top]],
    }


def report(name: str, result: dict[str, Any]) -> None:
    print(
        f"\n== {name}: {result['server_ms_per_flow']} ms of CPU per flow in the app "
        f"({result['process_ms_per_flow']} ms with the test client)"
    )
    for step, ms in result["server_ms_by_step"].items():
        count = len(result["sql_by_step"].get(step, []))
        print(f"   {step:<18} {ms:8.3f} ms  {count:3} SQL")
    for kind, rows in result.get("profile", {}).items():
        print(f"   cProfile, {kind} (ms/flow self, cumulative, calls/flow):")
        for row in rows:
            print("     " + row[:150])


def against(args: argparse.Namespace) -> int:
    """Measure `args.against` and this tree in turn; the ratio of their best times."""
    trees = {"before": args.against.resolve(), "after": args.source}
    best: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="idp-flow-against-") as tmp:
        output = Path(tmp) / "result.json"
        for _ in range(args.repeat):
            for name, tree in trees.items():
                command = [sys.executable, __file__, "--source", str(tree), "--json", str(output)]
                command += ["--flows", str(args.flows), "--rounds", str(args.rounds)]
                if args.database_url:
                    command += ["--database-url", args.database_url]
                subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
                result = json.loads(output.read_text())
                ms = result["server_ms_per_flow"]
                print(f"   {name:<6} {tree}: {ms} ms of CPU per flow", flush=True)
                if name not in best or ms < best[name]["server_ms_per_flow"]:
                    best[name] = result
    before, after = best["before"], best["after"]
    print(f"\n   {'step':<18} {'before ms':>9} {'after ms':>9} {'ratio':>6}  SQL before/after")
    for step, ms in before["server_ms_by_step"].items():
        now = after["server_ms_by_step"].get(step, 0.0)
        sql = [len(r["sql_by_step"].get(step, [])) for r in (before, after)]
        print(f"   {step:<18} {ms:9.3f} {now:9.3f} {now / ms:6.2f}  {sql[0]}/{sql[1]}")
    total = [r["server_ms_per_flow"] for r in (before, after)]
    print(
        f"   {'flow':<18} {total[0]:9.2f} {total[1]:9.2f} {total[1] / total[0]:6.3f}  "
        f"{sum(map(len, before['sql_by_step'].values()))}/"
        f"{sum(map(len, after['sql_by_step'].values()))}"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flows", type=int, default=40, help="flows per timed round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", type=int, default=0, help="cProfile's N heaviest functions")
    parser.add_argument("--database-url", help="a scratch PostgreSQL database (dropped)")
    parser.add_argument("--sql", action="store_true", help="print each step's statements")
    parser.add_argument("--json", type=Path, help="also write the results there")
    parser.add_argument("--source", type=Path, default=run.REPO_DIR, help="the tree to measure")
    parser.add_argument("--against", type=Path, help="a tree to compare with (before)")
    parser.add_argument("--repeat", type=int, default=2, help="measures of each, with --against")
    args = parser.parse_args(argv)
    args.source = args.source.resolve()
    for key in [k for k in os.environ if k.startswith("IDP_")]:
        del os.environ[key]
    if args.against:
        return against(args)
    if args.source != run.REPO_DIR:
        sys.path.insert(0, str(args.source))
    with tempfile.TemporaryDirectory(prefix="idp-flow-") as tmp:
        if args.database_url:
            run.reset_postgres(args.database_url)
        name = "postgresql" if args.database_url else "sqlite"
        instance = compare.make_instance(
            Path(tmp) / name, args.database_url, compare.CHEAP_ARGON2, source=args.source
        )
        result = measure(args, instance)
    report(name, result)
    if args.sql:
        for step, sql in result["sql_by_step"].items():
            print(f"\n   {step}:")
            for statement in sql:
                print("     " + statement)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
