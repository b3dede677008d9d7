"""A serving worker does not import what only rare paths need: each of these libraries costs
0.5-5 MiB of resident memory in every worker (bench/README.md, "Memory per worker"), and one
top-level import anywhere in the app would bring it back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Imported where first needed: federation and back-channel logout, drawing a captcha, a phone
# number, a NIR/IBAN/SIREN, an enrolment QR code, an e-mail address, a mail to send; gunicorn's
# logger class.
RARE = (
    "requests",
    "captcha",
    "PIL",
    "phonenumbers",
    "stdnum",
    "segno",
    "email_validator",
    "smtplib",
    "gunicorn",
)

PROBE = """
import json, sys
import wsgi
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""

# The in-process delivery worker's periodic pass, with no back-channel logout due.
DELIVERY_PASS = """
import json, sys
import wsgi
from idp import schema
from idp.notify.worker import DeliveryWorker
schema.upgrade(wsgi.app)
DeliveryWorker(wsgi.app).send_logouts()
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def _worker_imports(tmp_path: Path, probe: str, database_url: str | None = None) -> set[str]:
    """The top-level packages a fresh process holds after running `probe` on an app (SQLite
    unless `database_url` says otherwise)."""
    database_url = database_url or f"sqlite:///{tmp_path / 'instance' / 'idp.sqlite3'}"
    config = tmp_path / "idp.toml"
    config.write_text(
        f'[server]\ninstance_dir = "{tmp_path / "instance"}"\n'
        f'[database]\nurl = "{database_url}"\n'
        f'[keys]\ndir = "{tmp_path / "keys"}"\n'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("IDP_")}
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**env, "IDP_CONFIG": str(config)},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_the_app_as_a_worker_builds_it_leaves_rare_libraries_out(tmp_path: Path):
    loaded = _worker_imports(tmp_path, PROBE)
    assert "flask" in loaded  # the probe did build the app
    assert loaded.isdisjoint(RARE), sorted(loaded & set(RARE))


def test_a_postgresql_worker_leaves_sqlite3_out(tmp_path: Path):
    # Building the app opens no connection: the server need not exist.
    url = "postgresql+psycopg://nobody:nothing@127.0.0.1:9/none"
    loaded = _worker_imports(tmp_path, PROBE, url)
    assert "psycopg" in loaded  # the probe did build a PostgreSQL app
    assert "sqlite3" not in loaded


def test_a_delivery_pass_with_nothing_due_leaves_requests_out(tmp_path: Path):
    loaded = _worker_imports(tmp_path, DELIVERY_PASS)  # the pass ran: its process exited 0
    assert "requests" not in loaded
