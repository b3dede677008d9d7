"""Resident memory of one worker, after start and after a fixed mix of traffic, for this tree
and (optionally) a baseline tree, on SQLite and PostgreSQL, in one run.

    .venv/bin/python bench/memory.py [--baseline ../main] [--seconds 3] [--no-postgres]

The issue's target is a VmRSS at or under 100 MiB per worker. Each tree gets bench/compare.py's
instance (bench/run.py's, argon2id at its cheapest) and is served by `idp serve --production
--workers 1 --threads 2` (granian) and gunicorn gthread, one after the other; the mix is
compare.py's five scenarios (discovery, JWKS, client_credentials, a refresh chain, full
sign-in flows), `--seconds` each. The trees share this venv (a baseline runs with its own
source first on the path). PostgreSQL: a scratch database whose schema is dropped per tree.
After the mix, each worker's PSS too: what it costs the machine, shared pages counted once.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

import compare
import run as bench


def proportional_mb(pid: int) -> float:
    """A process's PSS (MiB): its private pages plus its share of those it shares. VmRSS counts
    a shared page in full in every process that maps it: granian's workers share with their
    master the pages it held when it forked them (the app it imported), and all share libraries'
    code; PSS adds up to the machine's use over the workers and the master."""
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    match = re.search(r"^Pss:\s+(\d+) kB", rollup, re.M)
    return round(int(match.group(1)) / 1024, 1) if match else 0.0


def measure_tree(
    source: Path, database_url: str | None, base: Path, options: argparse.Namespace
) -> dict[str, Any]:
    """VmRSS (MiB) of each server's worker once it answers, then after the mix (and its PSS)."""
    if database_url:
        bench.reset_postgres(database_url)
    instance = compare.make_instance(base, database_url, compare.CHEAP_ARGON2, source=source)
    out: dict[str, Any] = {}
    for kind in options.servers.split(","):
        with compare.our_server(kind, instance, instance.port) as target:
            started = target.rss_mb()
            seeds = compare.seeds_for(instance, options.connections * 4)
            results = compare.scenarios(target, False, seeds, instance, base, options)
            errors = sum(r.get("errors", 0) for r in results.values())
            out[kind] = {
                "started": started,
                "after_mix": target.rss_mb(),
                "after_mix_pss": [proportional_mb(pid) for pid in target.workers()],
                "errors": errors,
            }
        bench.log(f"{source.name} {kind}: {out[kind]}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, help="another source tree, measured first")
    parser.add_argument("--seconds", type=float, default=3, help="per scenario (default 3)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--flow-concurrency", type=int, default=8)
    parser.add_argument("--database-url", default=compare.DEFAULT_DATABASE_URL)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--servers", default="granian,gunicorn")
    options = parser.parse_args(argv)
    bench.check_machine()
    signal.signal(signal.SIGTERM, bench._interrupt)
    os.sched_setaffinity(0, {bench.LOAD_CORE})
    trees = {"baseline": options.baseline.resolve()} if options.baseline else {}
    trees["this tree"] = bench.REPO_DIR
    databases = {"sqlite": None}
    if not options.no_postgres:
        databases["postgresql"] = options.database_url
    report: dict[str, Any] = {
        name: {"revision": bench.source_revision(path)} for name, path in trees.items()
    }
    with tempfile.TemporaryDirectory(prefix="idp-memory-") as tmp:
        # Database by database, the trees back to back.
        for db, url in databases.items():
            for number, (name, source) in enumerate(trees.items()):
                base = Path(tmp) / f"{db}-{number}"
                report[name][db] = measure_tree(source, url, base, options)
    print(json.dumps(report, indent=2))
    lines = []
    for name, tree in report.items():
        for db in databases:
            for kind, rss in tree[db].items():
                lines.append(
                    f"{name:<10} {db:<11} {kind:<9} started {rss['started']} MiB, "
                    f"after the mix {rss['after_mix']} MiB, PSS {rss['after_mix_pss']} MiB "
                    f"({rss['errors']} errors)"
                )
    print("\n".join(lines))
    errors = sum(r["errors"] for t in report.values() for db in databases for r in t[db].values())
    return 1 if errors else 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
    sys.exit(130)
