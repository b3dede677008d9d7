"""Before/after: the CPU time of one refresh, in-process, on SQLite and PostgreSQL.

    .venv/bin/python bench/refresh_cpu.py [--baseline main] [--rounds 3] [--refreshes 300]
        [--postgresql postgresql+psycopg://USER:PASS@127.0.0.1:5432/SCRATCH_DB]

Two trees, the baseline revision (checked out in a temporary worktree) and this one, each in a
subprocess of its own per round and database, alternately, so that the machine's load of the
moment weighs on both alike. A subprocess builds bench/run.py's instance, signs in once
(profile_paths.py's front channel) and calls the app as a WSGI callable with a chain of
rotating refresh tokens (each used once, as a relying party does): the CPU time of the process
per refresh (time.process_time, fastest of 5 runs of `--refreshes`), the wall time, and the SQL
statements one refresh runs. The ratios after/before are the medians over the rounds. The
PostgreSQL database is a scratch one: its schema is dropped before each subprocess.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench

TREES = ("before", "after")


def measure(source: Path, database_url: str | None, refreshes: int) -> dict[str, Any]:
    """In this process: the refresh of `source`'s app (its `idp` package comes first)."""
    sys.path.insert(0, str(source))
    import profile_paths

    from idp import create_app
    from idp.extensions import db

    with tempfile.TemporaryDirectory(prefix="idp-refresh-cpu-") as tmp:
        if database_url:
            bench.reset_postgres(database_url)
        instance = bench.make_instance(Path(tmp), source, database_url=database_url)
        app = create_app(str(instance.config))
        app.config["SERVER_NAME"] = None
        ip = profile_paths.InProcess(app)
        ip.base_url = instance.url
        refresh = profile_paths.prepare(ip, instance, "refresh", 0)
        status, data = refresh()
        if not status.startswith("200"):
            raise RuntimeError(f"refresh: {status} {data[:300]!r}")
        for _ in range(50):
            refresh()
        with app.app_context():
            engine = db.engine
        with profile_paths.sql_recorder(engine) as statements:
            refresh()
        wall = bench.time_per_call(refresh, number=refreshes, clock=time.perf_counter)
        cpu = bench.time_per_call(refresh, number=refreshes, clock=time.process_time)
        with app.app_context():
            db.engine.dispose()
    return {
        "cpu_us": round(cpu * 1e6, 1),
        "wall_us": round(wall * 1e6, 1),
        "statements": [s.split(None, 1)[0] for s in statements],
    }


def run_child(source: Path, database_url: str | None, refreshes: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", str(source), "--refreshes", str(refreshes)]
    if database_url:
        command += ["--postgresql", database_url]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{source} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def compare(trees: dict[str, Path], database_url: str | None, options: Any) -> dict[str, Any]:
    rounds = []
    for number in range(options.rounds):
        figures = {}
        for name in TREES:
            figures[name] = run_child(trees[name], database_url, options.refreshes)
            bench.log(f"round {number + 1} {name}: {json.dumps(figures[name])}")
        rounds.append(figures)
    ratios = {
        figure: round(
            statistics.median(r["after"][figure] / r["before"][figure] for r in rounds), 3
        )
        for figure in ("cpu_us", "wall_us")
    }
    return {"rounds": rounds, "median_ratio_after_to_before": ratios}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default="main", help="git revision (default main)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--refreshes", type=int, default=300, help="per timed run")
    parser.add_argument("--postgresql", help="URL of a scratch PostgreSQL database")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        print(json.dumps(measure(options.child, options.postgresql, options.refreshes)))
        return 0
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="idp-refresh-base-") as tmp:
        baseline = Path(tmp) / "tree"
        git = ["git", "-C", str(bench.REPO_DIR)]
        subprocess.run([*git, "worktree", "add", "--detach", "-q", str(baseline),
                        options.baseline], check=True)  # fmt: skip
        try:
            trees = {"before": baseline, "after": bench.REPO_DIR}
            report["revisions"] = {k: bench.source_revision(v) for k, v in trees.items()}
            for database, url in (("sqlite", None), ("postgresql", options.postgresql)):
                if database == "sqlite" or url:
                    report[database] = compare(trees, url, options)
                    print(database, json.dumps(report[database]["median_ratio_after_to_before"]))
        finally:
            subprocess.run([*git, "worktree", "remove", "--force", str(baseline)], check=False)
    bench.save_results("refresh-cpu", report)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
