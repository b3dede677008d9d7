"""Sign-in through FranceConnect v2: the double of tests/upstream/franceconnect is the upstream.

The whole journey over real HTTP to the double (our IdP is played by the Flask test client):
an application's request, our sign-in page, the FranceConnect button, the double's identity
and "Continuer", our callback, the link, and back to the application with our ID token. The
double refuses PKCE and short nonces and signs UserInfo ES256: each journey that passes proves
our relying party speaks FranceConnect v2.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from joserfc import jws
from sqlalchemy import select

from idp.extensions import db
from idp.models import FederatedSession, User
from idp.services import federation
from tests.http.test_federation import link_by_password, links, ref_of, refused_with
from tests.support.factories import ISSUER, POST_LOGOUT_URI
from tests.support.franceconnect import (
    IDENTITIES,
    DoubleClient,
    FranceConnectDouble,
    running_franceconnect,
)
from tests.support.jose import verify_id_token
from tests.support.oidc import RelyingParty, csrf_token, query
from tests.support.upstream import callback_path, upstream_logout_url

NAME = "fc"
ANGELA, JEAN = IDENTITIES[0], IDENTITIES[1]


@pytest.fixture(scope="module")
def franceconnect_clients() -> list[DoubleClient]:
    """Our IdP (issuer http://idp.test) as the double's one "fournisseur de service"."""
    return [
        DoubleClient(
            "idp-test",
            "idp-test-secret-" + "z" * 32,
            f"{ISSUER}/federation/{NAME}/callback",
            f"{ISSUER}/federation/logged-out",
            "Mon espace",
        )
    ]


@pytest.fixture
def code_ttl_seconds() -> int | None:
    """The double's code lifetime (its own default, 30 s, unless a test parametrizes it)."""
    return None


@pytest.fixture
def double(
    request: pytest.FixtureRequest,
    franceconnect_clients: list[DoubleClient],
    code_ttl_seconds: int | None,
) -> Iterator[FranceConnectDouble]:
    """The module's double, or one of its own for a test that changes the code lifetime."""
    federation.forget_cache()
    if code_ttl_seconds is None:
        yield request.getfixturevalue("franceconnect")
    else:
        with running_franceconnect(franceconnect_clients, code_ttl_seconds=code_ttl_seconds) as own:
            yield own
    federation.forget_cache()


@pytest.fixture
def provider_options() -> dict[str, Any]:
    """Extra keys of the `fc` provider's table; override with parametrize."""
    return {}


@pytest.fixture
def settings_overrides(double: FranceConnectDouble, provider_options: dict[str, Any]) -> Any:
    registered = double.client
    return {
        "federation": {
            "providers": [
                {
                    "name": NAME,
                    "label": "FranceConnect",
                    "kind": "franceconnect",
                    "discovery_url": double.discovery_url,
                    "client_id": registered.client_id,
                    "client_secret": registered.client_secret,
                    "scopes": "openid identite_pivot email",
                    "acr_values": "eidas1",
                    **provider_options,
                }
            ]
        }
    }


@pytest.fixture
def browser() -> Iterator[requests.Session]:
    """The person's browser on the double's pages (its own cookies, kept across a test)."""
    with requests.Session() as http:
        http.trust_env = False
        yield http


@pytest.fixture
def exchanges(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What our IdP sends to the double's token endpoint and what its UserInfo answers."""
    seen: list[dict[str, Any]] = []
    post, get = requests.post, requests.get

    def spying_post(url: str, *args: Any, **kwargs: Any) -> requests.Response:
        seen.append({"token_request": dict(kwargs.get("data") or {})})
        return post(url, *args, **kwargs)

    def spying_get(url: str, *args: Any, **kwargs: Any) -> requests.Response:
        response = get(url, *args, **kwargs)
        if url.endswith("/me"):
            seen.append({"userinfo": response})
        return response

    monkeypatch.setattr(requests, "post", spying_post)
    monkeypatch.setattr(requests, "get", spying_get)
    return seen


def press_the_button(client: FlaskClient, ref: str | None) -> str:
    """Our sign-in page shows FranceConnect's button; following it leads to the double."""
    page = client.get("/login", query_string={"ref": ref} if ref else {}).get_data(as_text=True)
    button = f'href="/federation/{NAME}?ref={ref}"' if ref else f'href="/federation/{NAME}"'
    assert button in page, page
    start = client.get(f"/federation/{NAME}", query_string={"ref": ref} if ref else {})
    assert start.status_code == 303, start.status_code
    return start.location


def through_the_double(
    client: FlaskClient,
    double: FranceConnectDouble,
    browser: requests.Session,
    ref: str | None = None,
    identity: str = ANGELA["sub"],
) -> Any:
    """Button, identity chosen, "Continuer": our callback's answer."""
    authorize_url = press_the_button(client, ref)
    callback = double.sign_in(browser, authorize_url, identity)
    assert callback.startswith(f"{ISSUER}/federation/{NAME}/callback?"), callback
    return client.get(callback_path(callback))


def upstream_id_token(app: Flask) -> str:
    with app.app_context():
        return db.session.scalars(select(FederatedSession.id_token)).one()


def test_the_authorization_request_carries_no_pkce_and_a_long_nonce(
    client: FlaskClient, double: FranceConnectDouble
) -> None:
    params = parse_qs(urlsplit(press_the_button(client, None)).query)
    assert "code_challenge" not in params and "code_challenge_method" not in params
    assert len(params["nonce"][0]) >= 22
    assert params["prompt"] == ["login consent"]
    assert params["acr_values"] == ["eidas1"]


def test_link_by_password_then_back_to_the_application(
    client: FlaskClient,
    rp: RelyingParty,
    app: Flask,
    double: FranceConnectDouble,
    browser: requests.Session,
    exchanges: list[dict[str, Any]],
) -> None:
    ref = ref_of(rp.authorize())
    arrived = through_the_double(client, double, browser, ref)
    assert arrived.status_code == 303 and arrived.location.endswith("/federation/link")
    assert links(app) == []
    response = rp.walk(link_by_password(client, ref))
    assert rp.leaves(response), (response.status_code, response.location)

    # No PKCE on the back channel either; UserInfo came back as a JWT signed ES256.
    [token_request] = [e["token_request"] for e in exchanges if "token_request" in e]
    assert "code_verifier" not in token_request
    [userinfo] = [e["userinfo"] for e in exchanges if "userinfo" in e]
    assert userinfo.headers["Content-Type"].startswith("application/jwt")
    assert jws.extract_compact(userinfo.content).protected["alg"] == "ES256"

    # The link holds the double's pairwise subject, the one of its ID token (not the identity's
    # own name in the double).
    [link] = links(app)
    upstream_claims = jws.extract_compact(upstream_id_token(app).encode()).payload
    assert f'"sub":"{link.subject}"' in upstream_claims.decode()
    assert link.subject != ANGELA["sub"]

    tokens = rp.exchange(query(response.location)["code"]).get_json()
    claims = verify_id_token(client, tokens["id_token"], rp.client_id, now=rp.clock.now())
    assert claims["idp"] == NAME
    assert "fc" in claims["amr"]
    assert claims["acr"] == "eidas1"

    # The second time, the link opens the account: no password, straight back to the app.
    client.get("/logout")
    again = RelyingParty(client, rp.client_id, rp.secret, clock=rp.clock)
    ref = ref_of(again.authorize(prompt="login"))
    done = again.walk(through_the_double(client, double, browser, ref))
    assert again.leaves(done), (done.status_code, done.location)
    assert len(links(app)) == 1


@pytest.mark.parametrize(
    "provider_options", [{"create_accounts": True, "categories": "particulier"}]
)
def test_creation_from_the_pivot_identity(
    client: FlaskClient, app: Flask, double: FranceConnectDouble, browser: requests.Session
) -> None:
    through_the_double(client, double, browser, identity=JEAN["sub"])
    page = client.get("/federation/link").get_data(as_text=True)
    created = client.post("/federation/link/create", data={"csrf_token": csrf_token(page)})
    assert created.status_code == 303
    [link] = links(app)
    with app.app_context():
        account = db.session.get(User, link.user_id)
        # Filled from the double's UserInfo JWT (its ID token carries no civil data).
        assert (account.given_name, account.family_name) == (
            JEAN["given_name"],
            JEAN["family_name"],
        )
        assert account.birth_date == JEAN["birthdate"]
        assert (account.gender, account.birthplace, account.birthcountry) == (
            JEAN["gender"],
            JEAN["birthplace"],
            JEAN["birthcountry"],
        )
        assert account.email == JEAN["email"]
        assert account.password_hash is None


@pytest.mark.parametrize("provider_options", [{"link_policy": "pivot_identity"}])
def test_pivot_identity_one_click_link(
    client: FlaskClient,
    app: Flask,
    double: FranceConnectDouble,
    browser: requests.Session,
    factories: Any,
) -> None:
    factories.user(
        "adubois",
        email=None,
        given_name=ANGELA["given_name"],
        family_name="Dubois",
        birth_date=ANGELA["birthdate"],
    )
    through_the_double(client, double, browser)
    page = client.get("/federation/link").get_data(as_text=True)
    assert "correspond au compte adubois" in page
    assert links(app) == []  # offered, not made
    linked = client.post("/federation/link/pivot", data={"csrf_token": csrf_token(page)})
    assert linked.status_code == 303
    [link] = links(app)
    with app.app_context():
        assert db.session.get(User, link.user_id).identifier == "adubois"


def test_back_on_the_double_ends_on_our_refusal_page(
    client: FlaskClient,
    rp: RelyingParty,
    app: Flask,
    double: FranceConnectDouble,
    browser: requests.Session,
) -> None:
    ref = ref_of(rp.authorize())
    callback = double.go_back(browser, press_the_button(client, ref))
    assert "error=access_denied" in callback
    answer = client.get(callback_path(callback))
    refused_with(client, answer, "Vous avez annulé la connexion")
    page = client.get(f"/login?ref={ref}").get_data(as_text=True)
    assert "FranceConnect" in page  # the request is still there to sign in locally
    assert links(app) == []


@pytest.mark.parametrize("code_ttl_seconds", [1])
def test_a_code_older_than_its_lifetime_links_nothing(
    client: FlaskClient, app: Flask, double: FranceConnectDouble, browser: requests.Session
) -> None:
    callback = double.sign_in(browser, press_the_button(client, None))
    time.sleep(2)
    refused_with(client, client.get(callback_path(callback)), "a répondu par une erreur")
    assert links(app) == []
    assert client.get("/federation/link").status_code == 400  # no arrival was kept


def test_sign_out_goes_through_the_double_and_back_to_the_application(
    client: FlaskClient,
    rp: RelyingParty,
    app: Flask,
    double: FranceConnectDouble,
    browser: requests.Session,
) -> None:
    ref = ref_of(rp.authorize())
    through_the_double(client, double, browser, ref)
    response = rp.walk(link_by_password(client, ref))
    id_token = rp.exchange(query(response.location)["code"]).get_json()["id_token"]
    upstream_hint = upstream_id_token(app)

    ended = client.get(
        "/logout",
        query_string={
            "id_token_hint": id_token,
            "post_logout_redirect_uri": POST_LOGOUT_URI,
            "state": "bye",
        },
    )
    target = upstream_logout_url(client, ended)
    assert target.startswith(double.metadata["end_session_endpoint"] + "?")
    params = parse_qs(urlsplit(target).query)
    assert params["id_token_hint"] == [upstream_hint]
    assert params["post_logout_redirect_uri"] == [f"{ISSUER}/federation/logged-out"]

    back = double.sign_out(browser, target)
    assert back.startswith(f"{ISSUER}/federation/logged-out"), back
    final = client.get(callback_path(back))
    assert final.status_code == 303 and final.location == f"{POST_LOGOUT_URI}?state=bye"
    assert client.get("/account").status_code == 303  # our session ended too


def test_the_step_to_the_double_logout_in_english_and_once(
    client: FlaskClient, user: User, double: FranceConnectDouble, browser: requests.Session
) -> None:
    english = {"Accept-Language": "en"}
    through_the_double(client, double, browser)
    link_by_password(client, None)
    token = csrf_token(client.get("/logout").get_data(as_text=True))
    ended = client.post("/logout/confirm", data={"csrf_token": token})
    page = client.get(ended.location, headers=english).get_data(as_text=True)
    assert "Signing out of FranceConnect" in page and "Continue to FranceConnect" in page
    assert 'href="/"' in page  # the way back
    again = client.get(ended.location)  # a reload: the step was taken, our sign-out page
    assert again.status_code == 303 and again.location.endswith("/logout/done")
