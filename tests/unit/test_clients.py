"""Client registration rules (what `idp clients add` and the factories rely on)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from idp.extensions import db
from idp.services.clients import ClientError, ClientSpec

BASE = ClientSpec(name="Application", redirect_uris=("https://rp.example/cb",))


@pytest.fixture
def register(app):
    registry = app.extensions["idp"].clients

    def run(**changes):
        with app.app_context():
            registered = registry.register(replace(BASE, **changes), now=0, by="test")
            db.session.commit()
            return registered

    return run


@pytest.mark.parametrize(
    "uri",
    [
        "https://rp.example/cb",
        "https://rp.example:8443/cb?tenant=1",
        "http://127.0.0.1:8080/cb",
        "http://localhost/cb",
        "http://[::1]/cb",
    ],
)
def test_accepted_redirect_uris(register, uri):
    client, secret = register(redirect_uris=(uri,))
    assert client.redirect_uris == (uri,)
    assert secret


@pytest.mark.parametrize(
    "uri",
    [
        "http://rp.example/cb",
        "https://rp.example/cb#frag",
        "https://rp.example/cb#",
        "https:///cb",
        "http://localhost.evil.example/cb",
        "javascript:alert(1)",
        "fr.example.app:/cb",  # private-use schemes are for native (public) apps only
        "/relative/cb",
        "",
    ],
)
def test_refused_redirect_uris(register, uri):
    with pytest.raises(ClientError):
        register(redirect_uris=(uri,))


def test_native_app_scheme_for_a_public_client(register):
    client, secret = register(public=True, redirect_uris=("fr.example.app:/cb",))
    assert secret is None and client.is_public


def test_post_logout_uris_follow_the_same_rules(register):
    with pytest.raises(ClientError):
        register(post_logout_redirect_uris=("http://rp.example/bye",))


@pytest.mark.parametrize(
    "changes",
    [
        {"name": "  "},
        {"auth_method": "client_secret_jwt"},
        {"public": True, "auth_method": "client_secret_basic"},
        {"auth_method": "none"},
        {"auth_method": "private_key_jwt"},
        {"grant_types": ("password",)},
        {"public": True, "grant_types": ("client_credentials",)},
        {"redirect_uris": ()},
        {"scope": "openid admin"},
        {"subject_type": "secret"},
        {"id_token_alg": "HS256"},
        {
            "subject_type": "pairwise",
            "redirect_uris": ("https://a.example/cb", "https://b.example/cb"),
        },
    ],
)
def test_refused_registrations(register, changes):
    with pytest.raises(ClientError):
        register(**changes)


def test_duplicate_client_id_is_refused(app):
    registry = app.extensions["idp"].clients
    with app.app_context():
        registry.register(BASE, now=0, by="test", client_id="portal")
        with pytest.raises(ClientError, match="already exists"):
            registry.register(BASE, now=0, by="test", client_id="portal")


def test_pairwise_sector_is_the_redirect_host(register):
    client, _ = register(subject_type="pairwise")
    assert client.sector_identifier == "rp.example"


def test_pairwise_native_app_needs_an_explicit_sector(register):
    """Without a host, every such app would share one sector, hence one `sub` per user."""
    with pytest.raises(ClientError, match="sector"):
        register(subject_type="pairwise", public=True, redirect_uris=("fr.example.app:/cb",))
    client, _ = register(
        subject_type="pairwise",
        public=True,
        redirect_uris=("fr.example.app:/cb",),
        sector_identifier="app.example.fr",
    )
    assert client.sector_identifier == "app.example.fr"


def test_secret_is_kept_hashed_and_checked(register):
    client, secret = register()
    assert client.check_client_secret(secret)
    assert not client.check_client_secret(secret + "x")
    assert secret not in (client.secret_hash or "")


def test_lookup_refuses_odd_ids(app, register):
    registry = app.extensions["idp"].clients
    client, _ = register()
    with app.app_context():
        assert registry.lookup(client.client_id) == client
        for odd in (None, "", "x" * 65, "a\x00b", client.client_id + "\x00"):
            assert registry.lookup(odd) is None


def test_update_applies_the_same_rules_and_changes_nothing_when_refused(app, register):
    registry = app.extensions["idp"].clients
    client, _ = register()
    with app.app_context():
        for bad in ({"redirect_uris": ("https://rp.example/cb#x",)}, {"scope": "openid admin"}):
            with pytest.raises(ClientError):
                registry.update(client.client_id, replace(BASE, **bad), now=1, by="test")
        db.session.rollback()
        assert registry.lookup(client.client_id) == client


def test_update_keeps_the_secret_while_one_is_used_and_issues_one_when_needed(app, register):
    registry = app.extensions["idp"].clients
    client, secret = register()
    with app.app_context():
        kept, none = registry.update(
            client.client_id, replace(BASE, auth_method="client_secret_post"), now=1, by="test"
        )
        assert none is None and kept.check_client_secret(secret)
        public, _ = registry.update(client.client_id, replace(BASE, public=True), now=2, by="test")
        assert public.is_public and not public.check_client_secret(secret)
        again, new_secret = registry.update(client.client_id, BASE, now=3, by="test")
        db.session.commit()
        assert new_secret and again.check_client_secret(new_secret)
        assert again.created_at == client.created_at


def test_update_of_an_unknown_client_is_refused(app):
    with app.app_context(), pytest.raises(ClientError):
        app.extensions["idp"].clients.update("nobody", BASE, now=0, by="test")
