"""RP-initiated logout 1.0: the hint ends the session; redirects only to registered URIs."""

from __future__ import annotations

from urllib.parse import urlencode

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from idp.i18n import text
from tests.support.factories import ISSUER, POST_LOGOUT_URI, REDIRECT_URI
from tests.support.oidc import RelyingParty, csrf_token, query, sign_in_browser


def _logout(http, **params):
    return http.get("/logout?" + urlencode(params))


def _signed_in(rp: RelyingParty) -> bool:
    response = rp.authorize(prompt="none")
    assert response.status_code == 302 and response.location.startswith(REDIRECT_URI)
    params = query(response.location)
    if "error" in params:
        assert params["error"] == "login_required", params
        return False
    return True


@pytest.fixture
def id_token(rp) -> str:
    token = rp.tokens()["id_token"]
    assert _signed_in(rp)
    return token


def test_hint_ends_the_session_and_redirects_with_state(rp, id_token):
    response = _logout(
        rp.http, id_token_hint=id_token, post_logout_redirect_uri=POST_LOGOUT_URI, state="s-1"
    )
    assert response.status_code == 302
    assert response.location == f"{POST_LOGOUT_URI}?state=s-1"
    assert not _signed_in(rp)


def test_hint_without_redirect_shows_the_signed_out_page_at_a_clean_url(rp, id_token):
    """The page is not shown at the URL holding the ID token, which the history would keep."""
    response = _logout(rp.http, id_token_hint=id_token)
    assert response.status_code == 303
    assert response.location == "/logout/done"
    assert not _signed_in(rp)
    page = rp.http.get(response.location)
    assert page.status_code == 200
    assert text("logout.done", "fr").replace("'", "&#39;") in page.get_data(as_text=True)


def test_hint_from_a_browser_without_cookies_still_ends_the_session(rp, id_token, app):
    """The logout is done by the request that carries the hint, not after a redirect."""
    response = app.test_client(use_cookies=False).get(
        "/logout?" + urlencode({"id_token_hint": id_token})
    )
    assert response.status_code == 303 and response.location == "/logout/done"
    assert not _signed_in(rp)


def test_post_with_hint_works_too(rp, id_token):
    response = rp.http.post(
        "/logout", data={"id_token_hint": id_token, "post_logout_redirect_uri": POST_LOGOUT_URI}
    )
    assert response.status_code == 302 and response.location == POST_LOGOUT_URI
    assert not _signed_in(rp)


@pytest.mark.parametrize(
    "uri",
    [
        "https://evil.example/bye",
        POST_LOGOUT_URI + "/more",
        POST_LOGOUT_URI + "?next=https://evil.example",
        REDIRECT_URI,
    ],
)
def test_unregistered_post_logout_uri_is_not_followed(rp, id_token, uri):
    response = _logout(rp.http, id_token_hint=id_token, post_logout_redirect_uri=uri)
    # Signed out, and shown our own page (at a URL without the hint), never sent to `uri`.
    assert (response.status_code, response.location) == (303, "/logout/done")


def test_expired_hint_is_still_accepted(rp, id_token, app, clock):
    clock.advance(app.extensions["idp"].settings.tokens.id_token_ttl_seconds + 60)
    rp.http.get("/")  # stay active, so the session has not idled out
    response = _logout(rp.http, id_token_hint=id_token, post_logout_redirect_uri=POST_LOGOUT_URI)
    assert response.status_code == 302


def test_hint_ends_the_named_session_from_another_browser(rp, id_token, app):
    """The RP's back end may call logout without the user's cookies: the sid names the session."""
    other = app.test_client()
    response = _logout(other, id_token_hint=id_token, post_logout_redirect_uri=POST_LOGOUT_URI)
    assert response.status_code == 302
    assert not _signed_in(rp)


def test_forged_hint_is_refused(rp, id_token):
    claims = jwt.decode(id_token, options={"verify_signature": False})
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = jwt.get_unverified_header(id_token)["kid"]
    forged = jwt.encode(claims, other_key, algorithm="RS256", headers={"kid": kid})
    response = _logout(rp.http, id_token_hint=forged, post_logout_redirect_uri=POST_LOGOUT_URI)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "Location" not in response.headers
    assert _signed_in(rp)


@pytest.mark.parametrize("hint", ["garbage", "a.b.c", "eyJhbGciOiJub25lIn0.e30.", "...."])
def test_malformed_hint_is_refused(rp, id_token, hint):
    response = _logout(rp.http, id_token_hint=hint)
    assert response.status_code == 400
    assert _signed_in(rp)


def test_hint_issued_for_another_client_id_is_refused(rp, id_token, factories):
    other, _ = factories.client(name="Autre application")
    response = _logout(
        rp.http,
        id_token_hint=id_token,
        client_id=other.client_id,
        post_logout_redirect_uri=POST_LOGOUT_URI,
    )
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert _signed_in(rp)


# -- without a hint: the user confirms --------------------------------------------------------


def test_no_hint_shows_a_confirmation_page(rp, id_token):
    response = _logout(
        rp.http, client_id=rp.client_id, post_logout_redirect_uri=POST_LOGOUT_URI, state="s-2"
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'action="/logout/confirm"' in html
    assert _signed_in(rp)  # nothing ended yet


def test_confirmation_ends_the_session_and_redirects(rp, id_token):
    page = _logout(
        rp.http, client_id=rp.client_id, post_logout_redirect_uri=POST_LOGOUT_URI, state="s-2"
    )
    response = rp.http.post(
        "/logout/confirm",
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "client_id": rp.client_id,
            "post_logout_redirect_uri": POST_LOGOUT_URI,
            "state": "s-2",
        },
    )
    assert response.status_code == 302
    assert response.location == f"{POST_LOGOUT_URI}?state=s-2"
    assert not _signed_in(rp)


def test_confirmation_without_client_shows_the_signed_out_page(client, user):
    sign_in_browser(client)
    page = client.get("/logout")
    response = client.post(
        "/logout/confirm", data={"csrf_token": csrf_token(page.get_data(as_text=True))}
    )
    assert response.status_code == 200
    assert "Location" not in response.headers
    assert "marie" not in client.get("/").get_data(as_text=True)


def test_confirmation_without_csrf_token_is_refused(rp, id_token):
    response = rp.http.post(
        "/logout/confirm",
        data={"client_id": rp.client_id, "post_logout_redirect_uri": POST_LOGOUT_URI},
    )
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert _signed_in(rp)


def test_confirmation_with_unregistered_uri_does_not_redirect(rp, id_token):
    page = _logout(rp.http, client_id=rp.client_id, post_logout_redirect_uri="https://evil.example")
    response = rp.http.post(
        "/logout/confirm",
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "client_id": rp.client_id,
            "post_logout_redirect_uri": "https://evil.example",
        },
    )
    assert "Location" not in response.headers
    assert not _signed_in(rp)


def test_confirmation_refuses_a_hint(rp, id_token):
    page = _logout(rp.http)
    response = rp.http.post(
        "/logout/confirm",
        data={"csrf_token": csrf_token(page.get_data(as_text=True)), "id_token_hint": id_token},
    )
    assert response.status_code == 400


def test_after_logout_prompt_none_is_login_required(rp, id_token):
    _logout(rp.http, id_token_hint=id_token)
    response = rp.authorize(prompt="none")
    params = query(response.location)
    assert params["error"] == "login_required"
    assert params["iss"] == ISSUER
    # And a new sign-in is asked for without prompt=none.
    assert rp.authorize().location.startswith("/login?ref=")


def test_logout_of_another_user_leaves_this_browser_signed_in(rp, id_token, factories, app):
    factories.user("paul", email="paul@example.org")
    other = app.test_client()
    paul = RelyingParty(other, rp.client_id, rp.secret, clock=rp.clock)
    paul_token = paul.tokens(identifier="paul")["id_token"]
    _logout(rp.http, id_token_hint=paul_token)
    assert _signed_in(rp)
    assert not _signed_in(paul)
