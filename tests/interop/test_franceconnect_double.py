"""The FranceConnect v2 double (tests/upstream/franceconnect) behaves as FranceConnect v2 does.

Checked with an independent client: plain `requests` for the protocol and PyJWT for the JOSE,
against the keys the double publishes. The federation tests and the demo rely on these
behaviours: code flow only, PKCE refused, nonce of 22 characters or more and state required,
ES256 ID token with `acr` eidas1, UserInfo as an ES256 JWT, pairwise subjects, `access_denied`
when the user goes back, RP-initiated logout, and a 30-second code.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode, urljoin

import jwt
import pytest
import requests

from tests.support.franceconnect import (
    NO_PROXY,
    DoubleClient,
    FranceConnectDouble,
    running_franceconnect,
)
from tests.support.oidc import query

pytestmark = pytest.mark.interop

SCOPES = "openid given_name family_name birthdate gender birthplace birthcountry email"


def authorize_url(
    double: FranceConnectDouble, client: DoubleClient, **overrides: str | None
) -> str:
    """A FranceConnect v2 authorization request; `None` in overrides drops a parameter."""
    params: dict[str, str | None] = {
        "response_type": "code",
        "client_id": client.client_id,
        "redirect_uri": client.redirect_uri,
        "scope": SCOPES,
        "acr_values": "eidas1",
        "prompt": "login consent",
        "state": secrets.token_urlsafe(24),
        "nonce": secrets.token_urlsafe(24),
        **overrides,
    }
    kept = {k: v for k, v in params.items() if v is not None}
    return f"{double.metadata['authorization_endpoint']}?{urlencode(kept)}"


def exchange(double: FranceConnectDouble, client: DoubleClient, code: str) -> requests.Response:
    return requests.post(
        double.metadata["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": client.redirect_uri,
        },
        auth=(client.client_id, client.client_secret),
        timeout=5,
        proxies=NO_PROXY,
    )


def verify(double: FranceConnectDouble, token: str, audience: str) -> dict[str, Any]:
    """Check an ES256 JWT against the double's published JWKS (and nothing else)."""
    keys = jwt.PyJWKClient(double.metadata["jwks_uri"])
    key = keys.get_signing_key_from_jwt(token)
    return jwt.decode(
        token, key, algorithms=["ES256"], audience=audience, issuer=double.issuer, leeway=5
    )


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.trust_env = False
        yield session


def signed_in(
    double: FranceConnectDouble,
    http: requests.Session,
    client: DoubleClient,
    identity: str | None = None,
) -> dict[str, Any]:
    """Run the code flow to the token response; return the request, callback and tokens."""
    nonce, state = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    url = authorize_url(double, client, nonce=nonce, state=state)
    callback = double.sign_in(http, url, identity)
    assert callback.startswith(client.redirect_uri + "?"), callback
    answer = query(callback)
    response = exchange(double, client, answer["code"])
    assert response.status_code == 200, response.text
    return {"nonce": nonce, "state": state, "callback": answer, "tokens": response.json()}


def test_discovery_advertises_franceconnect_v2(franceconnect: FranceConnectDouble) -> None:
    metadata = franceconnect.metadata
    assert metadata["issuer"] == franceconnect.issuer
    assert metadata["response_types_supported"] == ["code"]
    assert metadata["grant_types_supported"] == ["authorization_code"]
    assert set(metadata["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic",
        "client_secret_post",
    }
    assert metadata["subject_types_supported"] == ["pairwise"]
    assert metadata["id_token_signing_alg_values_supported"] == ["ES256"]
    assert metadata["userinfo_signing_alg_values_supported"] == ["ES256"]
    assert metadata["acr_values_supported"] == ["eidas1", "eidas2", "eidas3"]
    assert metadata["authorization_response_iss_parameter_supported"] is True
    assert "code_challenge_methods_supported" not in metadata
    assert metadata["end_session_endpoint"].startswith(franceconnect.issuer)
    assert {"openid", "given_name", "family_name", "birthdate", "gender", "birthplace"} <= set(
        metadata["scopes_supported"]
    )


def test_full_code_flow_gives_es256_tokens_and_a_signed_userinfo(
    franceconnect: FranceConnectDouble, http: requests.Session
) -> None:
    client = franceconnect.client
    flow = signed_in(franceconnect, http, client, "jean-martin")
    assert flow["callback"]["state"] == flow["state"]
    assert flow["callback"]["iss"] == franceconnect.issuer

    id_token = flow["tokens"]["id_token"]
    assert jwt.get_unverified_header(id_token)["alg"] == "ES256"
    claims = verify(franceconnect, id_token, client.client_id)
    assert claims["nonce"] == flow["nonce"]
    assert claims["acr"] == "eidas1"
    assert claims["sub"] != "jean-martin"  # pairwise, never the identity's own key

    userinfo = requests.get(
        franceconnect.metadata["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {flow['tokens']['access_token']}"},
        timeout=5,
        proxies=NO_PROXY,
    )
    assert userinfo.status_code == 200, userinfo.text
    assert userinfo.headers["Content-Type"].startswith("application/jwt")
    assert jwt.get_unverified_header(userinfo.text)["alg"] == "ES256"
    pivot = verify(franceconnect, userinfo.text, client.client_id)
    assert pivot["sub"] == claims["sub"]
    assert pivot["given_name"] == "Jean Pierre"
    assert pivot["family_name"] == "MARTIN"
    assert pivot["birthdate"] == "1981-03-02"
    assert pivot["gender"] == "male"
    assert pivot["birthplace"] == "69123"
    assert pivot["birthcountry"] == "99100"
    assert pivot["email"] == "jean.martin@example.org"


def test_the_code_is_single_use(franceconnect: FranceConnectDouble, http: requests.Session) -> None:
    client = franceconnect.client
    callback = query(franceconnect.sign_in(http, authorize_url(franceconnect, client)))
    assert exchange(franceconnect, client, callback["code"]).status_code == 200
    replay = exchange(franceconnect, client, callback["code"])
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"


def test_client_secret_post_is_accepted(
    franceconnect: FranceConnectDouble, http: requests.Session
) -> None:
    client = franceconnect.client
    callback = query(franceconnect.sign_in(http, authorize_url(franceconnect, client)))
    response = requests.post(
        franceconnect.metadata["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": callback["code"],
            "redirect_uri": client.redirect_uri,
            "client_id": client.client_id,
            "client_secret": client.client_secret,
        },
        timeout=5,
        proxies=NO_PROXY,
    )
    assert response.status_code == 200, response.text


def test_a_wrong_client_secret_is_refused(
    franceconnect: FranceConnectDouble, http: requests.Session
) -> None:
    client = franceconnect.client
    callback = query(franceconnect.sign_in(http, authorize_url(franceconnect, client)))
    response = requests.post(
        franceconnect.metadata["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": callback["code"],
            "redirect_uri": client.redirect_uri,
        },
        auth=(client.client_id, "not-" + client.client_secret),
        timeout=5,
        proxies=NO_PROXY,
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


@pytest.mark.parametrize(
    "overrides",
    [
        {
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "code_challenge_method": "S256",
        },
        {"code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"},
        {"code_challenge_method": "S256"},
    ],
    ids=["challenge-and-method", "challenge-alone", "method-alone"],
)
def test_pkce_parameters_are_refused(
    franceconnect: FranceConnectDouble, http: requests.Session, overrides: dict[str, str]
) -> None:
    client = franceconnect.client
    response = franceconnect.open(http, authorize_url(franceconnect, client, **overrides))
    answer = query(response.headers["Location"])
    assert response.headers["Location"].startswith(client.redirect_uri + "?")
    assert answer["error"] == "invalid_request"
    assert "code_challenge" in answer["error_description"]


@pytest.mark.parametrize(
    ("overrides", "missing"),
    [
        ({"nonce": "a" * 21}, "nonce"),
        ({"nonce": None}, "nonce"),
        ({"state": None}, "state"),
    ],
    ids=["short-nonce", "no-nonce", "no-state"],
)
def test_nonce_and_state_are_required(
    franceconnect: FranceConnectDouble,
    http: requests.Session,
    overrides: dict[str, str | None],
    missing: str,
) -> None:
    client = franceconnect.client
    response = franceconnect.open(http, authorize_url(franceconnect, client, **overrides))
    assert response.is_redirect, response.text
    answer = query(response.headers["Location"])
    assert answer["error"] == "invalid_request"
    assert missing in answer["error_description"]


def test_a_nonce_of_22_characters_is_enough(
    franceconnect: FranceConnectDouble, http: requests.Session
) -> None:
    url = authorize_url(franceconnect, franceconnect.client, nonce="n" * 22)
    assert "code" in query(franceconnect.sign_in(http, url))


def test_subjects_are_pairwise_between_clients_and_stable_for_one(
    franceconnect: FranceConnectDouble,
) -> None:
    first, second = franceconnect.clients
    subjects = []
    for client in (first, second, first):
        with requests.Session() as http:
            http.trust_env = False
            id_token = signed_in(franceconnect, http, client, "angela-dubois")["tokens"]["id_token"]
        subjects.append(verify(franceconnect, id_token, client.client_id)["sub"])
    assert subjects[0] != subjects[1]
    assert subjects[0] == subjects[2]


def test_going_back_answers_access_denied(
    franceconnect: FranceConnectDouble, http: requests.Session
) -> None:
    client = franceconnect.client
    state = secrets.token_urlsafe(24)
    callback = franceconnect.go_back(http, authorize_url(franceconnect, client, state=state))
    assert callback.startswith(client.redirect_uri + "?")
    answer = query(callback)
    assert answer["error"] == "access_denied"
    assert answer["state"] == state
    assert "code" not in answer


def test_prompt_login_asks_for_the_login_again(
    franceconnect: FranceConnectDouble, http: requests.Session
) -> None:
    client = franceconnect.client
    franceconnect.sign_in(http, authorize_url(franceconnect, client))
    page = franceconnect.open(http, authorize_url(franceconnect, client))
    assert page.status_code == 200
    assert "/login" in page.text  # the identity choice again, despite the session


def test_end_session_signs_out_and_returns_to_the_client(
    franceconnect: FranceConnectDouble, http: requests.Session
) -> None:
    client = franceconnect.client
    id_token = signed_in(franceconnect, http, client)["tokens"]["id_token"]
    state = secrets.token_urlsafe(16)
    end_session = (
        franceconnect.metadata["end_session_endpoint"]
        + "?"
        + urlencode(
            {
                "id_token_hint": id_token,
                "post_logout_redirect_uri": client.post_logout_redirect_uri,
                "state": state,
            }
        )
    )
    returned = franceconnect.sign_out(http, end_session)
    assert returned == f"{client.post_logout_redirect_uri}?state={state}"
    # The session is gone: a silent request now needs a login.
    silent = franceconnect.open(http, authorize_url(franceconnect, client, prompt="none"))
    assert query(silent.headers["Location"])["error"] == "login_required"


def test_an_unregistered_post_logout_redirect_uri_is_refused(
    franceconnect: FranceConnectDouble, http: requests.Session
) -> None:
    client = franceconnect.client
    id_token = signed_in(franceconnect, http, client)["tokens"]["id_token"]
    end_session = (
        franceconnect.metadata["end_session_endpoint"]
        + "?"
        + urlencode(
            {"id_token_hint": id_token, "post_logout_redirect_uri": "https://elsewhere.example/"}
        )
    )
    page = franceconnect.open(http, end_session)
    assert page.status_code == 400
    assert "invalid_request" in page.text


def test_the_code_expires_after_its_lifetime(http: requests.Session) -> None:
    """FranceConnect's code lives 30 s; the same setting (CODE_TTL_SECONDS) shortened to 1 s."""
    client = DoubleClient(
        "fs-ttl", "ttl-secret-" + "z" * 32, "http://127.0.0.1:9/cb", "http://127.0.0.1:9/bye"
    )
    with running_franceconnect([client], code_ttl_seconds=1) as double:
        callback = query(double.sign_in(http, authorize_url(double, client)))
        time.sleep(2.1)
        response = exchange(double, client, callback["code"])
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("GET", "/interaction/unknown", None),
        ("GET", "/interaction/unknown/abort", None),
        ("POST", "/interaction/unknown/login", {"identity": "jean-martin"}),
    ],
    ids=["page", "back", "login"],
)
def test_an_unknown_interaction_gets_an_error_page(
    franceconnect: FranceConnectDouble,
    http: requests.Session,
    method: str,
    path: str,
    data: dict[str, str] | None,
) -> None:
    response = http.request(
        method, franceconnect.issuer + path, data=data, timeout=5, proxies=NO_PROXY
    )
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/html")
    assert 'id="error">' in response.text


@pytest.mark.parametrize("identity", ["nobody", ""], ids=["unknown", "empty"])
def test_an_identity_not_offered_is_refused(
    franceconnect: FranceConnectDouble, http: requests.Session, identity: str
) -> None:
    page = franceconnect.open(http, authorize_url(franceconnect, franceconnect.client))
    action = re.search(r'action="(/interaction/[\w-]+/login)"', page.text)
    assert action
    response = http.post(
        franceconnect.issuer + action.group(1),
        data={"identity": identity},
        allow_redirects=False,
        timeout=5,
        proxies=NO_PROXY,
    )
    assert response.status_code == 400
    assert "unknown identity" in response.text


def test_amr_is_given_when_the_claims_parameter_asks_for_it(
    franceconnect: FranceConnectDouble, http: requests.Session
) -> None:
    client = franceconnect.client
    claims = json.dumps({"id_token": {"amr": {"essential": True}}})
    for asked, expected in ((claims, ["fc", "pwd"]), (None, None)):
        url = authorize_url(franceconnect, client, claims=asked)
        code = query(franceconnect.sign_in(http, url))["code"]
        id_token = exchange(franceconnect, client, code).json()["id_token"]
        assert verify(franceconnect, id_token, client.client_id).get("amr") == expected


def test_identite_pivot_scope_gives_the_pivot_identity(
    franceconnect: FranceConnectDouble, http: requests.Session
) -> None:
    client = franceconnect.client
    url = authorize_url(franceconnect, client, scope="openid identite_pivot")
    login = franceconnect.open(http, url)
    action = re.search(r'action="(/interaction/[\w-]+/login)"', login.text)
    assert action
    chosen = http.post(
        franceconnect.issuer + action.group(1),
        data={"identity": "angela-dubois"},
        allow_redirects=False,
        timeout=5,
        proxies=NO_PROXY,
    )
    consent = franceconnect.open(http, urljoin(chosen.url, chosen.headers["Location"]))
    assert "Continuer sur Démarches en ligne" in consent.text
    assert "Nom de naissance" in consent.text
    assert "Adresse électronique" not in consent.text
    code = query(franceconnect.sign_in(http, url, "angela-dubois"))["code"]
    access_token = exchange(franceconnect, client, code).json()["access_token"]
    userinfo = requests.get(
        franceconnect.metadata["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {access_token}"},
        timeout=5,
        proxies=NO_PROXY,
    )
    pivot = verify(franceconnect, userinfo.text, client.client_id)
    assert pivot["family_name"] == "DUBOIS"
    assert pivot["birthplace"] == "75107"
    assert "email" not in pivot


def test_the_double_stops_when_its_block_ends_even_on_an_error() -> None:
    client = DoubleClient(
        "fs-stop", "stop-secret-" + "s" * 32, "http://127.0.0.1:9/cb", "http://127.0.0.1:9/bye"
    )
    with pytest.raises(RuntimeError), running_franceconnect([client]) as double:
        discovery_url = double.discovery_url
        raise RuntimeError("the test failed half-way")
    with pytest.raises(requests.ConnectionError):
        requests.get(discovery_url, timeout=2, proxies=NO_PROXY)
