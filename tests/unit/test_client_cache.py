"""Each worker's client cache: another process's change is seen within the refresh time."""

from __future__ import annotations

from dataclasses import replace

from idp.extensions import db
from idp.request_scope import first_in_request
from idp.services.clients import ClientRegistry, ClientSpec

SPEC = ClientSpec(name="RP", redirect_uris=("https://rp.example/cb",))


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_change_by_another_worker_is_seen_within_the_refresh_time(app):
    rt = app.extensions["idp"]
    ticks = Ticks()
    worker = ClientRegistry(rt.hash_key, refresh_seconds=1, monotonic=ticks)
    other_worker = ClientRegistry(rt.hash_key)
    with app.app_context():
        other_worker.register(SPEC, now=rt.now(), by="test", client_id="rp")
        db.session.commit()
        assert worker.lookup("rp") is not None
        other_worker.remove("rp", now=rt.now(), by="test")
        db.session.commit()
        ticks.now += 0.5
        assert worker.lookup("rp") is not None  # cached: not re-checked within the second
        ticks.now += 0.6
        assert worker.lookup("rp") is None


def test_with_zero_every_lookup_checks(app):
    rt = app.extensions["idp"]
    worker = ClientRegistry(rt.hash_key, refresh_seconds=0)
    other_worker = ClientRegistry(rt.hash_key)
    with app.app_context():
        other_worker.register(SPEC, now=rt.now(), by="test", client_id="rp")
        db.session.commit()
        assert worker.lookup("rp").name == "RP"
        other_worker.update("rp", replace(SPEC, name="Renamed"), now=rt.now(), by="test")
        db.session.commit()
        assert worker.lookup("rp").name == "Renamed"
        other_worker.remove("rp", now=rt.now(), by="test")
        db.session.commit()
        assert worker.lookup("rp") is None


def test_a_workers_own_change_is_seen_at_once(app):
    rt = app.extensions["idp"]
    worker = ClientRegistry(rt.hash_key, refresh_seconds=3600)
    with app.app_context():
        worker.register(SPEC, now=rt.now(), by="test", client_id="rp")
        db.session.commit()
        assert worker.lookup("rp") is not None
        worker.remove("rp", now=rt.now(), by="test")
        db.session.commit()
        assert worker.lookup("rp") is None


def test_within_one_request_the_generation_is_read_once(app):
    """`first_check` says when a request began: later lookups in it trust the cache."""
    rt = app.extensions["idp"]
    first = first_in_request("clients_generation")
    worker = ClientRegistry(rt.hash_key, refresh_seconds=0, first_check=first)
    other_worker = ClientRegistry(rt.hash_key)
    with app.app_context():
        other_worker.register(SPEC, now=rt.now(), by="test", client_id="rp")
        db.session.commit()
    with app.test_request_context():
        assert worker.lookup("rp") is not None
        other_worker.remove("rp", now=rt.now(), by="test")
        db.session.commit()
        assert worker.lookup("rp") is not None  # same request: not re-read
    with app.test_request_context():
        assert worker.lookup("rp") is None


def test_outside_a_request_every_check_is_a_first():
    first = first_in_request("anything")
    assert first() and first()
