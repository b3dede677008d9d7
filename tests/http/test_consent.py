"""Consent: asked with the scope list, remembered per user, client and scopes."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from idp.extensions import db
from idp.models import BrowserSession
from tests.support.factories import ISSUER, REDIRECT_URI
from tests.support.oidc import RelyingParty, csrf_token, query


def _to_consent(rp: RelyingParty, response, identifier: str = "marie") -> str:
    """Follow sign-in to the consent page; returns its URL."""
    url = ""
    for _ in range(6):
        assert response.status_code in (302, 303), response.status_code
        url = response.location
        if "/consent/" in url:
            return url
        assert not rp.leaves(response), "consent was skipped"
        page = rp.http.get(url)
        response = rp.sign_in(url, identifier) if "/login" in url else page
    raise AssertionError("no consent page")


def test_consent_page_lists_the_scopes_and_the_client(rp):
    url = _to_consent(rp, rp.authorize(scope="openid email phone", ui_locales="en"))
    page = rp.http.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Application test" in html
    assert "Your e-mail address" in html and "Your phone number" in html
    assert "Your postal address" not in html and "Your first and last name" not in html


def test_consent_page_escapes_the_client_name(client, factories, user, clock):
    registered, secret = factories.client(name="<script>alert(1)</script>")
    rp = RelyingParty(client, registered.client_id, secret, clock=clock)
    html = rp.http.get(_to_consent(rp, rp.authorize())).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html


def test_consent_is_remembered(rp):
    rp.tokens(scope="openid email")
    response = rp.authorize(scope="openid email")
    assert rp.leaves(response)
    assert query(response.location)["code"]


def test_fewer_scopes_need_no_new_consent(rp):
    rp.tokens(scope="openid profile email")
    assert rp.leaves(rp.authorize(scope="openid email"))


def test_a_new_scope_asks_again_and_shows_it(rp):
    rp.tokens(scope="openid email")
    url = _to_consent(rp, rp.authorize(scope="openid email phone", ui_locales="en"))
    assert "Your phone number" in rp.http.get(url).get_data(as_text=True)
    rp.consent(url)
    # Both remembered now.
    assert rp.leaves(rp.authorize(scope="openid phone email"))


def test_consent_is_per_user(rp, factories, app):
    rp.tokens(scope="openid email")
    factories.user("paul", email="paul@example.org")
    other = RelyingParty(app.test_client(), rp.client_id, rp.secret, clock=rp.clock)
    assert "/consent/" in _to_consent(other, other.authorize(scope="openid email"), "paul")


def test_consent_is_per_client(rp, client, factories, clock):
    rp.tokens(scope="openid email")
    other, secret = factories.client(name="Autre application")
    other_rp = RelyingParty(client, other.client_id, secret, clock=clock)
    response = other_rp.authorize(scope="openid email")
    assert not other_rp.leaves(response)
    assert "/consent/" in _to_consent(other_rp, response)


def test_deny_returns_access_denied_to_the_client(rp):
    url = _to_consent(rp, rp.authorize())
    response = rp.consent(url, approve=False)
    assert response.status_code == 302
    assert response.location.startswith(REDIRECT_URI + "?")
    params = query(response.location)
    assert params["error"] == "access_denied"
    assert not params.get("error_description", "").startswith("not_habilitated")
    assert params["state"] == rp.state
    assert params["iss"] == ISSUER
    assert "code" not in params


def test_each_answer_leads_straight_to_what_follows(rp, app, factories, clock):
    """The sign-in's answer is the consent page's address, and the consent's is the client's
    with the code: no detour through the authorization endpoint (two round trips a sign-in)."""
    signed_in = rp.sign_in(rp.authorize().location)
    assert signed_in.status_code == 303
    assert signed_in.location.startswith("/consent/"), signed_in.location
    approved = rp.consent(signed_in.location)
    assert rp.leaves(approved)
    params = query(approved.location)
    assert params["state"] == rp.state and params["iss"] == ISSUER
    assert rp.exchange(params["code"]).status_code == 200
    # A first-party client asks no consent: the sign-in itself answers with the code.
    registered, secret = factories.client(first_party=True)
    first_party = RelyingParty(app.test_client(), registered.client_id, secret, clock=clock)
    answer = first_party.sign_in(first_party.authorize().location)
    assert first_party.leaves(answer), answer.location
    assert first_party.exchange(query(answer.location)["code"]).status_code == 200


def test_a_consent_page_after_a_sign_out_elsewhere_asks_to_sign_in_again(rp, app, clock):
    """Signed out in another tab meanwhile: the same request goes on at its sign-in page."""
    url = _to_consent(rp, rp.authorize())
    with app.app_context():
        db.session.execute(update(BrowserSession).values(ended_at=clock.now()))
        db.session.commit()
    response = rp.http.get(url)
    assert response.status_code == 303
    assert response.location == "/login?ref=" + url.rsplit("/", 1)[1]
    assert rp.leaves(rp.walk(response))


def test_deny_is_not_remembered(rp):
    rp.consent(_to_consent(rp, rp.authorize()), approve=False)
    response = rp.authorize()
    assert "/consent/" in response.location


def test_first_party_client_skips_consent(client, factories, user, clock):
    registered, secret = factories.client(first_party=True)
    rp = RelyingParty(client, registered.client_id, secret, clock=clock)
    response = rp.walk(rp.authorize(), consent=False)
    assert rp.leaves(response)
    assert query(response.location)["code"]


def test_prompt_consent_forces_the_page(rp):
    rp.tokens(scope="openid email")
    response = rp.authorize(scope="openid email", prompt="consent")
    assert "/consent/" in response.location
    # Approving it once completes this request (no loop): its answer goes to the client.
    assert rp.leaves(rp.consent(response.location))


def test_prompt_consent_for_a_first_party_client_is_not_asked(client, factories, user, clock):
    registered, secret = factories.client(first_party=True)
    rp = RelyingParty(client, registered.client_id, secret, clock=clock)
    rp.tokens()
    assert rp.leaves(rp.authorize(prompt="consent"))


def test_consent_post_without_csrf_token_is_refused(rp):
    url = _to_consent(rp, rp.authorize())
    response = rp.http.post(url, data={"approve": "1"})
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "Location" not in response.headers
    # Nothing was remembered.
    assert "/consent/" in rp.authorize().location


def test_consent_page_of_another_browser_is_not_found(rp, app):
    url = _to_consent(rp, rp.authorize())
    other = app.test_client()
    assert other.get(url).status_code == 404
    assert other.post(url, data={"approve": "1"}).status_code in (400, 404)


def test_consent_with_a_csrf_token_from_another_page_is_refused(rp, app):
    url = _to_consent(rp, rp.authorize())
    other = app.test_client()
    token = csrf_token(other.get("/login").get_data(as_text=True))
    response = rp.http.post(url, data={"approve": "1", "csrf_token": token})
    assert response.status_code == 400


@pytest.mark.parametrize("approve", [True, False])
def test_consent_page_cannot_be_submitted_twice(rp, approve):
    url = _to_consent(rp, rp.authorize())
    page = rp.http.get(url)
    token = csrf_token(page.get_data(as_text=True))
    choice = {"approve": "1"} if approve else {"deny": "1"}
    first = rp.http.post(url, data={"csrf_token": token, **choice})
    if approve:
        rp.http.get(first.location)  # resume: the code goes to the client
    second = rp.http.post(url, data={"csrf_token": token, **choice})
    assert second.status_code == 404
