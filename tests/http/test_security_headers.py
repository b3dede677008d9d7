"""Security headers: a strict CSP on every HTML page, no caching of tokens."""

from __future__ import annotations

import re

import pytest

from tests.support.factories import POST_LOGOUT_URI
from tests.support.oidc import RelyingParty, sign_in_browser


def _csp(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def _check_html(response) -> None:
    assert response.mimetype == "text/html"
    csp = _csp(response)
    for name, values in csp.items():
        assert "'unsafe-inline'" not in values, name
        assert "'unsafe-eval'" not in values, name
        assert "*" not in values, name
    assert csp["default-src"] == ["'none'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    # What the CSP would block must not be relied on.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
    assert not re.search(r"\sstyle\s*=", html), "inline style attribute"
    assert "<style" not in html


@pytest.fixture
def pages(rp, client, factories, clock) -> dict[str, object]:
    """Every kind of hosted page, reached through a real flow."""
    found = {}
    found["home"] = client.get("/")
    found["not found"] = client.get("/no-such-page")
    found["authorization error"] = client.get("/authorize?client_id=nobody")
    authorize = rp.authorize()
    found["sign-in"] = client.get(authorize.location)
    consent = rp.sign_in(authorize.location)
    found["consent"] = client.get(consent.location)
    restricted, secret = factories.client(requires_habilitation=True, first_party=True)
    other = RelyingParty(client, restricted.client_id, secret, clock=clock)
    found["habilitation refusal"] = client.get(other.authorize().location)
    found["logout confirmation"] = client.get(
        f"/logout?client_id={rp.client_id}&post_logout_redirect_uri={POST_LOGOUT_URI}"
    )
    found["csrf error"] = client.post("/login", data={"identifier": "x"})
    return found


def test_every_hosted_page_has_the_security_headers(pages):
    statuses = {name: response.status_code for name, response in pages.items()}
    assert statuses == {
        "home": 200,
        "not found": 404,
        "authorization error": 400,
        "sign-in": 200,
        "consent": 200,
        "habilitation refusal": 200,
        "logout confirmation": 200,
        "csrf error": 400,
    }
    for name, response in pages.items():
        try:
            _check_html(response)
        except AssertionError as error:
            raise AssertionError(f"{name}: {error}") from None


def test_forms_may_lead_to_the_client_only_where_needed(pages):
    """form-action lets the consent form's redirect reach the client, and no one else."""
    assert _csp(pages["consent"])["form-action"] == ["'self'", "https://rp.example"]
    assert _csp(pages["home"])["form-action"] == ["'self'"]


def test_json_endpoints_are_not_sniffed(client):
    for path in ("/.well-known/openid-configuration", "/jwks.json"):
        response = client.get(path)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "Content-Security-Policy" not in response.headers


def test_token_and_token_bearing_responses_are_never_cached(rp):
    body = rp.tokens(scope="openid offline_access")
    responses = {
        "token": rp.refresh(body["refresh_token"]),
        "token error": rp.exchange("nothing"),
        "userinfo": rp.userinfo(body["access_token"]),
        "userinfo error": rp.userinfo("nothing"),
        "introspection": rp.introspect(body["access_token"]),
        "revocation": rp.revoke(body["access_token"]),
    }
    for name, response in responses.items():
        assert response.headers["Cache-Control"] == "no-store", name
        assert response.headers["X-Content-Type-Options"] == "nosniff", name


def test_signed_in_pages_are_not_cached(client, user):
    sign_in_browser(client)
    assert client.get("/").headers["Cache-Control"] == "no-store"
