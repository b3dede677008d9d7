"""Where the app's templates are: `templates/` beside the package in a source tree, and
`idp/templates` inside an installed wheel (see `[tool.setuptools.package-dir]`)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


@cache
def templates_dir() -> Path:
    installed = PACKAGE / "templates"
    return installed if installed.is_dir() else PACKAGE.parent / "templates"
