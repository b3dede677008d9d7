"""config.example.toml is the documentation of every key: it must load and be complete."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

from idp.config import SECTIONS, Settings, load_settings

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"


def test_example_loads_and_equals_the_defaults():
    loaded = load_settings(EXAMPLE, environ={})
    defaults = Settings(base_dir=loaded.base_dir)
    assert loaded == defaults


def test_example_documents_every_key():
    data = tomllib.loads(EXAMPLE.read_text())
    for section, cls in SECTIONS.items():
        documented = set(data.get(section, {}))
        keys = {f.name for f in dataclasses.fields(cls)}
        assert documented == keys, (section, keys ^ documented)
