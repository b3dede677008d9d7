"""The layers keep to their places: services know no web framework and no running app."""

from __future__ import annotations

import ast
from pathlib import Path

import idp.services

SERVICES = Path(idp.services.__file__).parent


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
        if (reached := web_reaches(path.read_text()))
    }
    assert offenders == {}


def test_the_scan_sees_each_way_in():
    assert web_reaches("from flask import g") == ["flask"]
    assert web_reaches("import flask_babel") == ["flask_babel"]
    assert web_reaches("def f():\n    from idp.runtime import runtime") == ["idp.runtime.runtime"]
    assert web_reaches("rt = runtime()") == ["runtime()"]
    assert web_reaches("from idp.runtime import Runtime\nfrom idp.extensions import db") == []


def imported_modules(source: str) -> set[str]:
    """Every idp module `source` imports, at load time or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return {name for name in found if name.startswith("idp.")}


def test_no_import_circle_between_the_notify_modules():
    """The letter box and its PDF layout met in a circle; their shared types now sit apart."""
    folder = SERVICES.parent / "notify"
    modules = {f"idp.notify.{path.stem}": path for path in folder.glob("*.py")}
    graph = {
        name: imported_modules(path.read_text()) & modules.keys() for name, path in modules.items()
    }

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        for nxt in graph[start] - seen:
            if nxt == target or reaches(nxt, target, seen | {nxt}):
                return True
        return False

    circles = sorted(name for name in graph if reaches(name, name, set()))
    assert circles == []
