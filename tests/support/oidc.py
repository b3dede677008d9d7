"""A small relying party over Flask's test client: authorize, sign in, consent, exchange."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from idp.clock import FrozenClock
from tests.support.factories import DEFAULT_PASSWORD, REDIRECT_URI
from tests.support.jose import ClientKey, assertion_form, verify_id_token

CSRF_PATTERN = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"'
)


def csrf_token(html: str) -> str:
    match = CSRF_PATTERN.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1) or match.group(2)


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def basic(client_id: str, secret: str) -> dict[str, str]:
    raw = f"{client_id}:{secret}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def sign_in_browser(
    http: FlaskClient, identifier: str = "marie", password: str = DEFAULT_PASSWORD
) -> TestResponse:
    """Sign in on the IdP's own page, outside any authorization request."""
    page = http.get("/login")
    assert page.status_code == 200, page.status_code
    response = http.post(
        "/login",
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "identifier": identifier,
            "password": password,
        },
    )
    assert response.status_code == 303, response.status_code
    return response


def session_cookie(http: FlaskClient, name: str = "idp_session") -> str | None:
    cookie = http.get_cookie(name)
    return cookie.value if cookie else None


@dataclass
class RelyingParty:
    http: FlaskClient
    client_id: str
    secret: str | None = None
    redirect_uri: str = REDIRECT_URI
    verifier: str | None = None
    nonce: str | None = None
    state: str | None = None
    last: dict[str, Any] = field(default_factory=dict)
    # "basic" or "post" for a secret; a key means private_key_jwt (its iat from `clock`).
    auth_method: str = "basic"
    key: ClientKey | None = None
    clock: FrozenClock | None = None

    # -- the front channel -------------------------------------------------------------

    def authorize_params(self, **overrides: Any) -> dict[str, str]:
        self.verifier, challenge = pkce_pair()
        self.nonce = secrets.token_urlsafe(12)
        self.state = secrets.token_urlsafe(12)
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": "openid profile email",
            "state": self.state,
            "nonce": self.nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        params.update({k: v for k, v in overrides.items() if v is not None})
        for name in [k for k, v in overrides.items() if v is None]:
            params.pop(name, None)
        return params

    def authorize(self, **overrides: Any) -> TestResponse:
        return self.http.get("/authorize?" + urlencode(self.authorize_params(**overrides)))

    def sign_in(
        self, location: str, identifier: str = "marie", password: str = DEFAULT_PASSWORD
    ) -> TestResponse:
        """Submit the sign-in page found at `location`."""
        page = self.http.get(location)
        assert page.status_code == 200, page.status_code
        return self.http.post(
            location,
            data={
                "csrf_token": csrf_token(page.get_data(as_text=True)),
                "identifier": identifier,
                "password": password,
            },
        )

    def consent(self, location: str, approve: bool = True) -> TestResponse:
        page = self.http.get(location)
        assert page.status_code == 200, page.status_code
        choice = {"approve": "1"} if approve else {"deny": "1"}
        return self.http.post(
            location, data={"csrf_token": csrf_token(page.get_data(as_text=True)), **choice}
        )

    def leaves(self, response: TestResponse) -> bool:
        location = response.location or ""
        return response.status_code in (302, 303) and location.startswith(self.redirect_uri)

    def walk(
        self,
        response: TestResponse,
        identifier: str = "marie",
        password: str = DEFAULT_PASSWORD,
        *,
        consent: bool = True,
    ) -> TestResponse:
        """Follow the IdP's pages (signing in, consenting) until it redirects to the client."""
        url = ""
        for _ in range(12):
            if self.leaves(response):
                return response
            if response.status_code in (302, 303):
                url = response.location
                response = self.http.get(url)
            elif response.status_code == 200 and urlsplit(url).path == "/login":
                response = self.sign_in(url, identifier, password)
            elif response.status_code == 200 and url.startswith("/consent/") and consent:
                response = self.consent(url)
            else:
                return response
        raise AssertionError("too many steps")

    def obtain_code(
        self,
        identifier: str = "marie",
        password: str = DEFAULT_PASSWORD,
        *,
        consent: bool = True,
        **overrides: Any,
    ) -> str:
        """Run the front channel to the end and return the code."""
        response = self.walk(self.authorize(**overrides), identifier, password, consent=consent)
        assert self.leaves(response), (response.status_code, response.location)
        params = query(response.location)
        assert params.get("state") == self.state, params
        assert "code" in params, params
        self.last = params
        return params["code"]

    # -- the back channel --------------------------------------------------------------

    def auth(self) -> tuple[dict[str, str], dict[str, str]]:
        """Headers and form fields that authenticate this client (basic, post, jwt, none)."""
        if self.key is not None:
            assert self.clock is not None, "private_key_jwt needs the test clock"
            return {}, assertion_form(self.key.assertion(self.client_id, self.clock.now()))
        if self.secret and self.auth_method == "post":
            return {}, {"client_id": self.client_id, "client_secret": self.secret}
        if self.secret:
            return basic(self.client_id, self.secret), {}
        return {}, {"client_id": self.client_id}

    def post_authenticated(self, path: str, **data: Any) -> TestResponse:
        headers, form = self.auth()
        return self.http.post(path, data={**data, **form}, headers=headers)

    def client_credentials(self, **extra: str) -> TestResponse:
        return self.post_authenticated("/token", grant_type="client_credentials", **extra)

    def introspect(self, token: str, **extra: str) -> TestResponse:
        return self.post_authenticated("/introspect", token=token, **extra)

    def revoke(self, token: str, **extra: str) -> TestResponse:
        return self.post_authenticated("/revoke", token=token, **extra)

    def exchange(self, code: str, **overrides: Any) -> TestResponse:
        headers, form = self.auth()
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "code_verifier": self.verifier,
            **form,
        }
        data.update({k: v for k, v in overrides.items() if v is not None})
        for name in [k for k, v in overrides.items() if v is None]:
            data.pop(name, None)
        return self.http.post("/token", data=data, headers=headers)

    def refresh(self, refresh_token: str, **extra: str) -> TestResponse:
        headers, form = self.auth()
        return self.http.post(
            "/token",
            data={"grant_type": "refresh_token", "refresh_token": refresh_token, **form, **extra},
            headers=headers,
        )

    def tokens(self, **authorize_overrides: Any) -> dict[str, Any]:
        """The whole code flow; returns the token response body."""
        code = self.obtain_code(**authorize_overrides)
        response = self.exchange(code)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def verify(self, id_token: str) -> dict[str, Any]:
        """The ID token's claims, verified (PyJWT, published JWKS) at the test clock's time."""
        assert self.clock is not None
        return verify_id_token(self.http, id_token, self.client_id, now=self.clock.now())

    def userinfo(self, access_token: str) -> TestResponse:
        return self.http.get("/userinfo", headers={"Authorization": f"Bearer {access_token}"})
