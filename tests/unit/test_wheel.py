"""The built package carries the templates, which sit at the top level of the source tree:
a wheel is built, unzipped, and serves the sign-in page from its own files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import overrides_for

ROOT = Path(__file__).resolve().parents[2]
# What the build reads; copied so that the build leaves nothing in the work tree.
SOURCES = ("idp", "templates", "pyproject.toml", "setup.py")

SERVE_LOGIN = """
import json, sys
import idp
from idp import create_app
from idp.config import load_settings
from idp.resources import templates_dir

app = create_app(load_settings(None, overrides=json.loads(sys.argv[1]), environ={}))
answer = app.test_client().get("/login")
print(json.dumps({
    "package": idp.__file__,
    "templates": str(templates_dir()),
    "status": answer.status_code,
    "body": answer.get_data(as_text=True),
}))
"""


@pytest.fixture
def backend() -> str:
    return "sqlite"  # what is read here is files, not the database


def _build_wheel(tmp_path: Path) -> Path:
    source = tmp_path / "source"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy(ROOT / name, source / name)
    dist = tmp_path / "dist"
    # No build isolation: the build uses the venv's setuptools (test extras), no index.
    build = ["wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(source)]
    subprocess.run(
        [sys.executable, "-m", "pip", *build],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = dist.glob("idp-*.whl")
    return wheel


def test_an_installed_wheel_renders_the_sign_in_page_from_its_own_templates(tmp_path, base_dir):
    wheel = _build_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    assert "idp/templates/login/sign_in.html" in names
    assert "idp/templates/messages/letter/fonts/DejaVuSans.ttf" in names
    assert not any(name.startswith("templates/") for name in names)  # no top-level package
    site = tmp_path / "site"
    # The unzipped wheel first, then the source tree: the wheel's files must be enough.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)])}
    served = subprocess.run(
        [sys.executable, "-c", SERVE_LOGIN, json.dumps(overrides_for(base_dir))],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    answer = json.loads(served.stdout.splitlines()[-1])
    assert Path(answer["package"]).parent == site / "idp"
    assert answer["templates"] == str(site / "idp" / "templates")
    assert answer["status"] == 200
    assert "Se connecter" in answer["body"]


def test_in_the_source_tree_the_templates_are_found_at_the_top_level():
    from idp.resources import templates_dir

    assert templates_dir() == ROOT / "templates"
    assert (templates_dir() / "login" / "sign_in.html").is_file()
