"""The layers keep to their places: services know no web framework and no running app."""

from __future__ import annotations

import ast
from pathlib import Path

import idp.services

SERVICES = Path(idp.services.__file__).parent
# The outbox helper is rewriting deliveries.py; remove this exception once it takes its
# collaborators explicitly like the rest.
NOT_YET = {"deliveries.py"}


def web_reaches(source: str) -> list[str]:
    """What in `source` reaches for Flask or the running app: imports of flask (or a
    flask_* extension) and of `idp.runtime.runtime`, and calls of `runtime()`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0].startswith("flask")]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if module.split(".")[0].startswith("flask"):
                found.append(module)
            elif module == "idp.runtime" and any(a.name == "runtime" for a in node.names):
                found.append("idp.runtime.runtime")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "runtime"
        ):
            found.append("runtime()")
    return found


def test_no_service_reaches_for_flask_or_the_running_app():
    offenders = {
        path.name: reached
        for path in sorted(SERVICES.rglob("*.py"))
        if path.name not in NOT_YET and (reached := web_reaches(path.read_text()))
    }
    assert offenders == {}


def test_the_scan_sees_each_way_in():
    assert web_reaches("from flask import g") == ["flask"]
    assert web_reaches("import flask_babel") == ["flask_babel"]
    assert web_reaches("def f():\n    from idp.runtime import runtime") == ["idp.runtime.runtime"]
    assert web_reaches("rt = runtime()") == ["runtime()"]
    assert web_reaches("from idp.runtime import Runtime\nfrom idp.extensions import db") == []
