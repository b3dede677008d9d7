"""constraints.txt pins what the venv holds: a fresh machine installs the libraries the suite
passes with here, and a dependency added to pyproject.toml without its pin is caught."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

CONSTRAINTS = Path(__file__).resolve().parents[2] / "constraints.txt"
# Installed by the venv or the editable install itself, not by pyproject.toml's dependencies.
NOT_PINNED = frozenset({"idp", "pip", "setuptools", "wheel"})


def canonical(name: str) -> str:
    """A distribution's name as PyPI compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(text: str) -> dict[str, str]:
    found = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, equals, version = line.partition("==")
            assert equals, f"not pinned with ==: {line}"
            found[canonical(name)] = version
    return found


def installed() -> dict[str, str]:
    return {
        canonical(d.metadata["Name"]): d.version
        for d in metadata.distributions()
        if canonical(d.metadata["Name"]) not in NOT_PINNED
    }


def test_the_venv_holds_exactly_the_pinned_versions() -> None:
    assert installed() == pins(CONSTRAINTS.read_text())


def test_a_pin_is_read_whatever_the_spelling_of_its_name() -> None:
    assert pins("# a comment\nFlask-SQLAlchemy==3.1.1\n\ntyping_extensions==4.16.0\n") == {
        "flask-sqlalchemy": "3.1.1",
        "typing-extensions": "4.16.0",
    }
