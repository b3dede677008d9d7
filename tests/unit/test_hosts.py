"""The Host check before the answers made ahead of Flask: remembered only when trusted."""

from __future__ import annotations

from typing import Any

import pytest

from idp.hosts import TrustedHostsFirst


def _app(name: str, seen: list[str]) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.append(name)
        return []

    return app


@pytest.fixture
def gate() -> tuple[TrustedHostsFirst, list[str]]:
    seen: list[str] = []
    return TrustedHostsFirst(_app("answers", seen), _app("flask", seen), ["idp.test"]), seen


def _call(gate: TrustedHostsFirst, host: str | None) -> None:
    environ = {"wsgi.url_scheme": "https", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "443"}
    if host is not None:
        environ["HTTP_HOST"] = host
    gate(environ, lambda *a: None)


def test_a_refused_host_is_refused_every_time_and_never_remembered(gate):
    middleware, seen = gate
    for host in ("idp.test", "evil.example", "idp.test", "evil.example", "idp.test.evil.example"):
        _call(middleware, host)
    assert seen == ["answers", "flask", "answers", "flask", "flask"]
    assert middleware._trusted == {"idp.test"}


def test_without_a_host_header_the_server_name_decides(gate):
    middleware, seen = gate
    _call(middleware, None)  # 127.0.0.1 is not idp.test
    assert seen == ["flask"]
    assert middleware._trusted == set()


def test_what_is_remembered_is_bounded(gate):
    """Every port of a trusted name is trusted: a stranger can send many, none grows it."""
    middleware, seen = gate
    for port in range(1, 500):
        _call(middleware, f"idp.test:{port}")
    assert seen == ["answers"] * 499
    assert len(middleware._trusted) == TrustedHostsFirst.REMEMBERED
