"""The `organisation` scope: one structured claim, on every path that releases claims.

The claim says for which organisation an account acts (its dossier, the SIRET and company
name of its identity, its role, its primary) and which services it holds now; it is in the
ID token of the code exchange and of every refresh (Authlib's grant: the fast path hands
such refreshes on), and in UserInfo. A client must be registered with the scope.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, request, request_started
from flask.testing import FlaskClient

from idp.clock import FrozenClock
from idp.extensions import db
from idp.services import organisations, subscriptions, users
from tests.support.factories import NIC, SIREN, Factories
from tests.support.oidc import RelyingParty, csrf_token

SCOPE = "openid profile organisation offline_access"
PRIMARY_ID = "asp1ent"


@pytest.fixture
def flask_requests(app: Flask) -> Iterator[list[str]]:
    """The paths of the requests that reached Flask (the token fast path's answers never do)."""
    seen: list[str] = []

    def record(sender: Flask, **extra: Any) -> None:
        seen.append(request.path)

    with request_started.connected_to(record, app):
        yield seen


@pytest.fixture
def decl(client: FlaskClient, factories: Factories, clock: FrozenClock) -> RelyingParty:
    """A client registered with the scope, opened by the services DECL and (with TVA's
    client) the organisation's, and a secondary holding DECL only."""
    registered, secret = factories.client(
        name="Déclarations", scope=SCOPE, first_party=True, client_id="decl"
    )
    other, _ = factories.client(name="TVA", scope=SCOPE, first_party=True, client_id="tva")
    factories.service("DECL", registered.client_id)
    factories.service("TVA", other.client_id)
    primary = factories.organisation(PRIMARY_ID, services=("DECL", "TVA"))
    factories.secondary(primary, "cs1", services=("DECL",))
    return RelyingParty(client, registered.client_id, secret, clock=clock)


def _claim(decl: RelyingParty, identifier: str, scope: str = SCOPE) -> tuple[dict, dict, dict]:
    """(token response, ID token claims, UserInfo) for `identifier` through `decl`."""
    body = decl.tokens(identifier=identifier, scope=scope)
    claims = decl.verify(body["id_token"])
    info = decl.userinfo(body["access_token"])
    assert info.status_code == 200, info.get_data(as_text=True)
    return body, claims, info.get_json()


def test_primary_gets_its_organisation_in_the_id_token_and_userinfo(decl):
    _, claims, info = _claim(decl, PRIMARY_ID)
    expected = {
        "id": "00001",
        "siret": SIREN + NIC,
        "name": "COMPTE ASP1ENT DEV",
        "role": "primary",
        "primary": PRIMARY_ID,
        "services": ["DECL", "TVA"],
    }
    assert claims["organisation"] == expected
    assert info["organisation"] == expected


def test_secondary_is_told_as_secondary_of_its_primary_with_its_own_services(decl):
    _, claims, info = _claim(decl, "cs1.asp1ent")
    assert claims["organisation"]["role"] == "secondary"
    assert claims["organisation"]["primary"] == PRIMARY_ID
    assert claims["organisation"]["services"] == ["DECL"]
    assert info["organisation"] == claims["organisation"]


def test_keys_without_value_are_left_out(decl, app):
    with app.app_context():
        member = organisations.membership(users.find_by_identifier("cs1.asp1ent").id)
        member.siren = member.nic = None
        db.session.commit()
    _, claims, _ = _claim(decl, "cs1.asp1ent")
    assert "siret" not in claims["organisation"]
    assert claims["organisation"]["name"] == "COMPTE ASP1ENT DEV"


def test_no_claim_without_the_scope(decl):
    _, claims, info = _claim(decl, PRIMARY_ID, scope="openid profile")
    assert "organisation" not in claims
    assert "organisation" not in info


def test_ordinary_account_gets_no_claim_through_an_open_client(client, factories, clock):
    registered, secret = factories.client(scope=SCOPE, first_party=True)
    factories.user("marie")
    rp = RelyingParty(client, registered.client_id, secret, clock=clock)
    body = rp.tokens(scope=SCOPE)
    assert "organisation" in body["scope"].split()
    assert "organisation" not in rp.verify(body["id_token"])
    assert "organisation" not in rp.userinfo(body["access_token"]).get_json()


def test_a_client_not_registered_with_the_scope_gets_no_claim(client, factories, clock, decl):
    registered, secret = factories.client(first_party=True)
    rp = RelyingParty(client, registered.client_id, secret, clock=clock)
    body = rp.tokens(identifier=PRIMARY_ID, scope=SCOPE)
    assert "organisation" not in body["scope"].split()
    assert "organisation" not in rp.verify(body["id_token"])
    assert "organisation" not in rp.userinfo(body["access_token"]).get_json()


def test_the_scope_is_not_in_a_default_registration(factories):
    registered, _ = factories.client()
    assert "organisation" not in registered.scopes


def test_refresh_takes_the_full_pipeline_and_says_the_services_held_now(decl, app, flask_requests):
    body, claims, _ = _claim(decl, PRIMARY_ID)
    assert claims["organisation"]["services"] == ["DECL", "TVA"]
    with app.app_context():
        primary = organisations.membership(users.find_by_identifier(PRIMARY_ID).id)
        decl_id = subscriptions.find_service("DECL").id
        subscriptions.set_services(
            primary,
            subscriptions.Choice(frozenset({decl_id}), {}),
            acting=primary,
            now=app.extensions["idp"].now(),
        )
        db.session.commit()
    flask_requests.clear()
    refreshed = decl.refresh(body["refresh_token"])
    assert refreshed.status_code == 200, refreshed.get_json()
    # The fast path cannot read the claim: Authlib's grant answered.
    assert flask_requests == ["/token"]
    new_claims = decl.verify(refreshed.get_json()["id_token"])
    assert new_claims["organisation"]["services"] == ["DECL"]
    info = decl.userinfo(refreshed.get_json()["access_token"]).get_json()
    assert info["organisation"]["services"] == ["DECL"]


def test_refresh_narrowed_to_without_the_scope_drops_the_claim(decl):
    body, _, _ = _claim(decl, PRIMARY_ID)
    refreshed = decl.refresh(body["refresh_token"], scope="openid offline_access")
    assert refreshed.status_code == 200, refreshed.get_json()
    assert "organisation" not in decl.verify(refreshed.get_json()["id_token"])


def test_refresh_without_the_scope_still_takes_the_fast_path(decl, flask_requests):
    body = decl.tokens(identifier=PRIMARY_ID, scope="openid profile offline_access")
    flask_requests.clear()
    refreshed = decl.refresh(body["refresh_token"])
    assert refreshed.status_code == 200
    assert flask_requests == []
    assert "organisation" not in decl.verify(refreshed.get_json()["id_token"])


def test_a_closed_organisation_holds_no_service_in_the_claim(decl, app, client, factories, clock):
    # An open client (no service behind it) still serves the primary of a closed organisation.
    registered, secret = factories.client(scope=SCOPE, first_party=True)
    with app.app_context():
        organisation = organisations.find_organisation(PRIMARY_ID)
        organisations.set_status(organisation, "closed", now=clock.now(), by="test")
        db.session.commit()
    rp = RelyingParty(client, registered.client_id, secret, clock=clock)
    body = rp.tokens(identifier=PRIMARY_ID, scope=SCOPE)
    claim = rp.verify(body["id_token"])["organisation"]
    assert claim["role"] == "primary"
    assert "services" not in claim


def test_client_credentials_never_carry_the_scope(client, factories, clock):
    registered, secret = factories.client(
        scope="openid organisation", grant_types=("client_credentials",), redirect_uris=()
    )
    rp = RelyingParty(client, registered.client_id, secret, clock=clock)
    body = rp.client_credentials(scope="organisation").get_json()
    assert "organisation" not in body["scope"].split()


def test_discovery_lists_the_scope_and_the_claim(client):
    meta = client.get("/.well-known/openid-configuration").get_json()
    assert "organisation" in meta["scopes_supported"]
    assert "organisation" in meta["claims_supported"]


def test_the_consent_page_names_what_the_scope_releases(client, factories, clock):
    registered, secret = factories.client(scope=SCOPE)
    factories.user("marie")
    rp = RelyingParty(client, registered.client_id, secret, clock=clock)
    response = rp.walk(rp.authorize(scope=SCOPE, ui_locales="fr"), consent=False)
    html = response.get_data(as_text=True)
    assert csrf_token(html)
    assert "Votre organisation : numéro de dossier, SIRET" in html


def test_a_pairwise_client_knows_the_primary_by_its_pairwise_subject(app, factories, clock):
    """A login identifier would let clients link what pairwise subjects keep apart."""
    registered, secret = factories.client(
        client_id="pairwise-decl", scope=SCOPE, first_party=True, subject_type="pairwise"
    )
    factories.service("DECL", registered.client_id)
    primary = factories.organisation(PRIMARY_ID, services=("DECL",))
    factories.secondary(primary, "cs1", services=("DECL",))
    as_primary = RelyingParty(app.test_client(), registered.client_id, secret, clock=clock)
    primary_sub = as_primary.verify(
        as_primary.tokens(identifier=PRIMARY_ID, scope=SCOPE)["id_token"]
    )["sub"]
    as_secondary = RelyingParty(app.test_client(), registered.client_id, secret, clock=clock)
    _, claims, info = _claim(as_secondary, "cs1.asp1ent")
    assert claims["organisation"]["primary"] == primary_sub != PRIMARY_ID
    assert info["organisation"]["primary"] == primary_sub
