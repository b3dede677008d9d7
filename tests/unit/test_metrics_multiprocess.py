"""With several worker processes (PROMETHEUS_MULTIPROC_DIR), a scrape of any one of them adds
up what all of them counted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import overrides_for
from tests.support.metrics import parse, value

ROOT = Path(__file__).resolve().parents[2]
# One worker: builds the app, answers `count` discovery requests, and prints a scrape if asked.
WORKER = """
import json, sys
from idp import create_app
from idp.config import load_settings
app = create_app(load_settings(None, overrides=json.loads(sys.argv[1]), environ={}))
http = app.test_client()
for _ in range(int(sys.argv[2])):
    assert http.get("/.well-known/openid-configuration").status_code == 200
if sys.argv[3] == "scrape":
    sys.stdout.write(http.get("/metrics").get_data(as_text=True))
"""


@pytest.mark.parametrize("backend", ["sqlite"])  # counting does not touch the database
def test_a_scrape_adds_up_every_worker(base_dir: Path, tmp_path: Path):
    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("IDP_")},
        "PROMETHEUS_MULTIPROC_DIR": str(folder),
    }
    overrides = json.dumps(overrides_for(base_dir))

    def worker(count: int, then: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-c", WORKER, overrides, str(count), then],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )

    workers = [worker(3, "exit"), worker(4, "exit")]
    try:
        assert [w.wait(timeout=120) for w in workers] == [0, 0]
    finally:
        for w in workers:
            w.kill()
            w.communicate()
    scraper = worker(0, "scrape")
    out, _ = scraper.communicate(timeout=120)
    assert scraper.returncode == 0
    samples = parse(out)
    labels = {"method": "GET", "route": "/.well-known/openid-configuration"}
    assert value(samples, "idp_http_requests_total", status="200", **labels) == 7
    assert value(samples, "idp_http_request_duration_seconds_count", **labels) == 7
    assert len(list(folder.glob("*.db"))) >= 2  # each process wrote its own file
