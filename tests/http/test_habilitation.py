"""Clients that require a habilitation: only granted users get through."""

from __future__ import annotations

import pytest

from idp.extensions import db
from idp.oidc.interaction import NOT_HABILITATED
from idp.services import users
from tests.support.factories import ISSUER, REDIRECT_URI
from tests.support.oidc import RelyingParty, csrf_token, query


@pytest.fixture
def restricted(client, factories, user, clock) -> RelyingParty:
    registered, secret = factories.client(requires_habilitation=True, first_party=True)
    return RelyingParty(client, registered.client_id, secret, clock=clock)


def _to_refusal(rp: RelyingParty, **params: str) -> str:
    """Sign in for the restricted client; returns the URL of the refusal page it leads to."""
    response = rp.authorize(**params)
    login = response.location
    assert login.startswith("/login?ref=")
    response = rp.sign_in(login)
    assert response.status_code == 303
    assert response.location.startswith("/login/habilitation/"), response.location
    return response.location


def _grant(app, user, client_id: str) -> None:
    with app.app_context():
        users.grant(users.get(user.id), client_id, now=app.extensions["idp"].now(), by="test")
        db.session.commit()


def test_ungranted_user_sees_a_refusal_page_then_access_denied(restricted):
    url = _to_refusal(restricted, ui_locales="en")
    page = restricted.http.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "You do not have the authorisation required" in html
    assert "Application test" in html
    assert "code=" not in html

    ref = url.rsplit("/", 1)[1]
    back = restricted.http.post(f"/authorize/deny/{ref}", data={"csrf_token": csrf_token(html)})
    assert back.status_code == 302
    assert back.location.startswith(REDIRECT_URI + "?")
    params = query(back.location)
    assert params["error"] == "access_denied"
    # The stable code tells the client "no habilitation" from "declined" (test_consent.py).
    assert params["error_description"] == NOT_HABILITATED
    assert params["state"] == restricted.state
    assert params["iss"] == ISSUER


def test_ungranted_user_never_gets_a_code_by_resuming(restricted):
    ref = _to_refusal(restricted).rsplit("/", 1)[1]
    again = restricted.http.get(f"/authorize/resume/{ref}")
    assert "/login/habilitation/" in again.location


def test_ungranted_user_with_prompt_none_gets_access_denied(restricted):
    _to_refusal(restricted)
    response = restricted.authorize(prompt="none")
    params = query(response.location)
    assert params["error"] == "access_denied"
    assert params["error_description"] == NOT_HABILITATED
    assert params["iss"] == ISSUER


def test_granted_user_gets_a_code(restricted, app, user):
    _grant(app, user, restricted.client_id)
    body = restricted.tokens()
    assert body["access_token"] and body["id_token"]


def test_grant_takes_effect_on_the_next_request(restricted, app, user):
    _to_refusal(restricted)
    _grant(app, user, restricted.client_id)
    assert restricted.leaves(restricted.authorize())


def test_habilitation_for_one_client_does_not_open_another(restricted, app, user, factories):
    other, _ = factories.client(requires_habilitation=True, name="Autre")
    _grant(app, user, other.client_id)
    _to_refusal(restricted)


def test_deny_without_csrf_token_is_refused(restricted):
    ref = _to_refusal(restricted).rsplit("/", 1)[1]
    refused = restricted.http.post(f"/authorize/deny/{ref}")
    assert refused.status_code == 400
    assert "Location" not in refused.headers


def test_refusal_is_audited(restricted, factories, user):
    _to_refusal(restricted)
    events = factories.audit("habilitation_refused")
    assert [(e.user_id, e.client_id) for e in events] == [(user.id, restricted.client_id)]


def test_an_organisation_account_refused_is_told_the_way_forward(app, factories, clock):
    registered, secret = factories.client(first_party=True)
    factories.service("DPAE", registered.client_id)
    primary = factories.organisation(services=())
    factories.secondary(primary, "cs1", services=())
    for identifier, expected in (
        ("asp1ent", "Gestion des comptes"),
        ("cs1.asp1ent", "Demandez à votre compte principal asp1ent"),
    ):
        rp = RelyingParty(app.test_client(), registered.client_id, secret, clock=clock)
        response = rp.authorize()
        response = rp.sign_in(response.location, identifier=identifier)
        assert response.location.startswith("/login/habilitation/"), response.location
        html = rp.http.get(response.location).get_data(as_text=True)
        assert expected in html
        assert "DPAE" in html
