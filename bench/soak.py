"""A bounded soak: two granian workers on PostgreSQL + Redis under a mixed load at ~80 % of
the measured maximum, for minutes; says whether anything failed, leaked or grew.

    .venv/bin/python bench/soak.py [--minutes 10] [--lifetime 120] [--database-url URL]

Builds an instance (bench/run.py's, on the scratch PostgreSQL database, whose schema is
dropped; rate limits in Redis, sign-in limits raised for the load), starts
`idp serve --production --workers 2` on both cores, then:

1. calibrates: the mix as fast as the load threads can go, for `--calibrate` seconds;
2. soaks: the same mix paced at `--load` (0.8) of that rate, for `--minutes`;
3. reports errors by operation, p50/p99 latency, each worker's resident memory at the start
   and end of the soak, the row count of every table at start and end, and runs
   `idp db purge` every `--purge-every` seconds if this tree has it (else says so), with the
   row counts after each purge.

With the bench's lifetimes (access tokens 2 h, refresh tokens 30 days) no row ends within a
soak of minutes. `--lifetime S` shortens every token's lifetime to S seconds and the session's
idle time to S rounded up to a minute, so that rows end during the soak and the counts after
each purge show the tables level off at rate x lifetime; a refresh token whose family is near
its end leaves the pool then (its client would sign in again).

The mix, by count: sign-ins (authorize, the sign-in page and form at the configured argon2id
cost, the code exchange), refreshes (rotating: each answer's token goes back to the pool) and
client_credentials, 1 : 8 : 16 by default.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from pathlib import Path
from typing import Any

import compare
import requests
import run as bench

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/2"
# Seconds before its family's end when a refresh token leaves the pool (a request in flight
# must not reach the server after the end).
FAMILY_MARGIN = 10
TOKEN_LIFETIMES = (
    "authorization_code_ttl_seconds",
    "access_token_ttl_seconds",
    "id_token_ttl_seconds",
    "refresh_token_ttl_seconds",
    "client_credentials_ttl_seconds",
    "pending_request_ttl_seconds",
)


class Load:
    """Load threads drawing operations from one mix, optionally paced to a total rate."""

    def __init__(self, instance: bench.Instance, url: str, weights: dict[str, int]) -> None:
        self.instance = instance
        self.url = url
        self.ops = [op for op, weight in weights.items() for _ in range(weight)]
        # Refresh tokens with the end of their family (monotonic seconds; inf: none soon).
        self.refresh_tokens: collections.deque[tuple[str, float]] = collections.deque()
        self.refresh_lifetime = float("inf")
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = collections.defaultdict(list)
        self.errors: collections.Counter[str] = collections.Counter()
        self.first_errors: list[str] = []
        self.interval = 0.0  # seconds between two operations of all threads; 0: unpaced
        self.next_slot = 0.0

    def _pace(self) -> None:
        if not self.interval:
            return
        with self.lock:
            slot = max(self.next_slot, time.monotonic())
            self.next_slot = slot + self.interval
        delay = slot - time.monotonic()
        if delay > 0:
            time.sleep(delay)

    def _sign_in(self, _http: requests.Session) -> None:
        browser = bench.Browser(self.instance)
        code, verifier = browser.sign_in()
        ends = time.monotonic() + self.refresh_lifetime
        tokens = bench.exchange(self.instance, bench.exchange_body(code, verifier))
        self.refresh_tokens.append((tokens["refresh_token"], ends))

    def _refresh(self, http: requests.Session) -> None:
        try:
            token, ends = self.refresh_tokens.popleft()
            while ends - time.monotonic() < FAMILY_MARGIN:  # about to end: signs in again
                token, ends = self.refresh_tokens.popleft()
        except IndexError:
            return self._client_credentials(http)
        answer = self._token(http, {"grant_type": "refresh_token", "refresh_token": token})
        self.refresh_tokens.append((answer["refresh_token"], ends))
        return None

    def _client_credentials(self, http: requests.Session) -> None:
        self._token(http, {"grant_type": "client_credentials"})

    def _token(self, http: requests.Session, data: dict[str, str]) -> dict[str, Any]:
        auth = (self.instance.client_id, self.instance.client_secret)
        response = http.post(f"{self.url}/token", data=data, auth=auth, timeout=30)
        if response.status_code != 200:
            raise RuntimeError(f"{response.status_code} {response.text[:200]}")
        return response.json()

    def run(self, threads: int, seconds: float) -> dict[str, Any]:
        self.latencies.clear()
        self.errors.clear()
        end = time.monotonic() + seconds
        self.next_slot = time.monotonic()
        operations = {
            "sign_in": self._sign_in,
            "refresh": self._refresh,
            "client_credentials": self._client_credentials,
        }

        def worker() -> None:
            http = requests.Session()
            rng = random.Random()  # noqa: S311 - picks the next operation, no secret
            while time.monotonic() < end:
                self._pace()
                op = rng.choice(self.ops)
                started = time.monotonic()
                try:
                    operations[op](http)
                except Exception as exc:  # every failure is counted and kept
                    with self.lock:
                        self.errors[op] += 1
                        if len(self.first_errors) < 5:
                            self.first_errors.append(f"{op}: {exc!s:.300}")
                    continue
                elapsed = time.monotonic() - started
                with self.lock:
                    self.latencies[op].append(elapsed)

        started = time.monotonic()
        pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        wall = time.monotonic() - started
        return self.summary(wall)

    def summary(self, wall: float) -> dict[str, Any]:
        def pct(values: list[float], q: float) -> float | None:
            if not values:
                return None
            ordered = sorted(values)
            return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1e3, 1)

        every = [x for values in self.latencies.values() for x in values]
        return {
            "seconds": round(wall, 1),
            "operations": len(every),
            "per_s": round(len(every) / wall, 1),
            "errors": dict(self.errors),
            "first_errors": list(self.first_errors),
            "p50_ms": pct(every, 0.5),
            "p99_ms": pct(every, 0.99),
            "by_operation": {
                op: {
                    "count": len(values),
                    "per_s": round(len(values) / wall, 1),
                    "p50_ms": pct(values, 0.5),
                    "p99_ms": pct(values, 0.99),
                }
                for op, values in self.latencies.items()
            },
        }


def row_counts(database_url: str) -> dict[str, int]:
    from sqlalchemy import create_engine, func, inspect, select, table

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            names = inspect(conn).get_table_names()
            return {
                name: conn.execute(select(func.count()).select_from(table(name))).scalar_one()
                for name in sorted(names)
                if name != "alembic_version"
            }
    finally:
        engine.dispose()


def has_purge(instance: bench.Instance) -> bool:
    result = subprocess.run(
        [sys.executable, "-m", "idp", "--config", str(instance.config), "db", "--help"],
        env=instance.env(),
        capture_output=True,
        text=True,
        check=False,
    )
    return any(line.split()[:1] == ["purge"] for line in result.stdout.splitlines())


def shorten_lifetimes(config: Path, seconds: int) -> None:
    """Every token of the instance lives `seconds`, a session `seconds` rounded up to a
    minute of idle time."""
    settings = tomllib.loads(config.read_text())
    settings.setdefault("tokens", {}).update(dict.fromkeys(TOKEN_LIFETIMES, seconds))
    settings.setdefault("session", {})["idle_minutes"] = -(-seconds // 60)
    config.write_text(bench.toml_text(settings))


def purger(
    instance: bench.Instance,
    database_url: str,
    every: float,
    stop: threading.Event,
    log: list[dict[str, Any]],
) -> None:
    """`idp db purge` every `every` seconds, and the row counts right after each."""
    began = time.monotonic()
    while not stop.wait(every):
        started = time.monotonic()
        try:
            out = instance.idp("db", "purge").strip()[:300]
        except RuntimeError as exc:
            out = f"failed: {exc!s:.300}"
        log.append(
            {
                "at_s": round(started - began),
                "took_s": round(time.monotonic() - started, 1),
                "output": out,
                "rows": row_counts(database_url),
            }
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--load", type=float, default=0.8, help="share of the measured maximum")
    parser.add_argument("--calibrate", type=float, default=20, help="seconds at full speed")
    parser.add_argument("--threads", type=int, default=16, help="load threads")
    parser.add_argument("--mix", default="1:8:16", help="sign-ins : refreshes : client_credentials")
    parser.add_argument("--purge-every", type=float, default=60)
    parser.add_argument(
        "--lifetime", type=int, help="seconds every token lives (default: the bench's)"
    )
    parser.add_argument("--database-url", default=compare.DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    options = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, bench._interrupt)
    weights = dict(
        zip(
            ("sign_in", "refresh", "client_credentials"),
            map(int, options.mix.split(":")),
            strict=True,
        )
    )
    started_at = dt.datetime.now(dt.UTC)
    report: dict[str, Any] = {
        "date": started_at.isoformat(timespec="seconds"),
        "revision": bench.source_revision(bench.REPO_DIR),
        "options": vars(options),
        "load_average_start": os.getloadavg(),
    }
    bench.reset_postgres(options.database_url)
    import redis

    redis.Redis.from_url(options.redis_url).flushdb()
    with tempfile.TemporaryDirectory(prefix="idp-soak-") as tmp:
        instance = compare.make_instance(Path(tmp) / "soak", options.database_url, None)
        if options.lifetime:
            shorten_lifetimes(instance.config, options.lifetime)
        env = {"IDP_RATELIMIT_STORAGE_URI": options.redis_url}
        with compare.our_server(
            "granian", instance, instance.port, workers=2, cores="0,1", env=env
        ) as target:
            load = Load(instance, target.url, weights)
            if options.lifetime:
                load.refresh_lifetime = options.lifetime
            bench.log("seeding refresh tokens")
            for _ in range(8):
                load._sign_in(requests.Session())
            bench.log(f"calibrating: {options.calibrate} s at full speed")
            report["calibration"] = load.run(options.threads, options.calibrate)
            rate = report["calibration"]["per_s"] * options.load
            load.interval = 1 / rate if rate else 0
            report["target_per_s"] = round(rate, 1)
            report["purge"] = has_purge(instance)
            report["rows_start"] = row_counts(options.database_url)
            report["rss_mb_start"] = target.rss_mb()
            purges: list[dict[str, Any]] = []
            stop = threading.Event()
            if report["purge"]:
                threading.Thread(
                    target=purger,
                    args=(instance, options.database_url, options.purge_every, stop, purges),
                    daemon=True,
                ).start()
            bench.log(f"soaking: {options.minutes} min at {rate:.0f} operations/s")
            report["soak"] = load.run(options.threads, options.minutes * 60)
            stop.set()
            report["purges"] = purges
            report["rss_mb_end"] = target.rss_mb()
            report["rows_end"] = row_counts(options.database_url)
    report["load_average_end"] = os.getloadavg()
    start, end = report["rss_mb_start"], report["rss_mb_end"]
    report["rss_growth"] = [round(b / a - 1, 3) for a, b in zip(start, end, strict=False)]
    output = bench.save_results("soak", report, started_at)
    print(summary(report))
    print(f"\nresults: {output}")
    return 1 if report["soak"]["errors"] else 0


def summary(report: dict[str, Any]) -> str:
    soak, calibration = report["soak"], report["calibration"]
    lines = [
        f"{report['date']} {report['revision']}; load average {report['load_average_start'][0]:.1f}"
        f" at start, {report['load_average_end'][0]:.1f} at end",
        f"maximum (calibration): {calibration['per_s']} operations/s; soak target "
        f"{report['target_per_s']}/s, achieved {soak['per_s']}/s over {soak['seconds']} s",
        f"errors: {soak['errors'] or 0} {soak['first_errors'] or ''}",
        f"latency: p50 {soak['p50_ms']} ms, p99 {soak['p99_ms']} ms",
    ]
    for op, figures in soak["by_operation"].items():
        lines.append(
            f"  {op:<20}{figures['count']:>8} ({figures['per_s']}/s)  p50 {figures['p50_ms']} ms"
            f"  p99 {figures['p99_ms']} ms"
        )
    lines.append(
        f"worker RSS (MiB): {report['rss_mb_start']} -> {report['rss_mb_end']} "
        f"(growth {report['rss_growth']})"
    )
    lines.append(
        "idp db purge: "
        + (f"run {len(report['purges'])} times" if report["purge"] else "not in this tree")
    )
    after = [p["rows"] for p in report["purges"]]
    lines.append(
        f"{'table':<28}{'start':>8}"
        + "".join(f"{str(p['at_s']) + 's':>8}" for p in report["purges"])
        + f"{'end':>8}   (rows at the start, after each purge, at the end)"
    )
    for name, count in report["rows_end"].items():
        before = report["rows_start"].get(name, 0)
        if count or before:
            middle = "".join(f"{rows.get(name, 0):>8}" for rows in after)
            lines.append(f"{name:<28}{before:>8}{middle}{count:>8}")
    return "\n".join(lines)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
