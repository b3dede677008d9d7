"""Sign-in through an upstream provider: a second instance of our own IdP is the upstream.

The journey (link by password, creation, unlinking, tokens, sign-out) and every way the
callback can be refused: each ends on a page, never a 500, and links nobody.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask import Flask, request_started
from flask.testing import FlaskClient
from joserfc import jwt
from joserfc.jwk import ECKey
from sqlalchemy import func, select
from stdnum.fr import nir as nir_numbers

from idp.clock import FrozenClock
from idp.extensions import db
from idp.models import AuditEvent, BrowserSession, FederatedIdentity, User
from idp.oidc.logout_token import issue_logout_token
from idp.services import civil_data, federation
from tests.support.backchannel import Receiver, serve_receiver, verify_logout_token
from tests.support.factories import DEFAULT_PASSWORD, POST_LOGOUT_URI, Factories
from tests.support.jose import verify_id_token
from tests.support.oidc import RelyingParty, csrf_token, query, sign_in_browser
from tests.support.upstream import (
    DOWNSTREAM,
    Upstream,
    callback_path,
    replace_query,
    serve_upstream,
    upstream_logout_url,
)

UPSTREAM_USER = "jean.upstream"
SILENT = "silent"  # a provider_options value: the discovery URL of `silent_url`


@pytest.fixture
def provider_options() -> dict[str, Any]:
    """Extra keys of the `up` provider's table; override with parametrize."""
    return {}


@pytest.fixture
def upstream_client() -> dict[str, Any]:
    """How the upstream registers us (ClientSpec fields); override with parametrize."""
    return {}


@pytest.fixture
def upstream_clock(clock: FrozenClock) -> FrozenClock:
    """The upstream's own clock (at ours unless a test moves it)."""
    return FrozenClock(clock.now())


@pytest.fixture
def upstream(
    tmp_path: Path,
    template_dirs: dict[str, Path],
    upstream_clock: FrozenClock,
    upstream_client: dict[str, Any],
) -> Iterator[Upstream]:
    federation.forget_cache()
    (tmp_path / "upstream").mkdir()
    with serve_upstream(
        tmp_path / "upstream", template_dirs["sqlite"], upstream_clock, **upstream_client
    ) as served:
        served.factories.user(
            UPSTREAM_USER, email="jean@example.org", given_name="Jean", family_name="Dupont"
        )
        yield served
    federation.forget_cache()


@pytest.fixture
def silent_url() -> Iterator[str]:
    """A port that accepts connections and never answers (a stuck provider)."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        yield f"http://127.0.0.1:{silent.getsockname()[1]}"


@pytest.fixture
def settings_overrides(
    upstream: Upstream, provider_options: dict[str, Any], request: pytest.FixtureRequest
) -> dict[str, Any]:
    if provider_options.get("discovery_url") == SILENT:
        url = request.getfixturevalue("silent_url")
        provider_options = {**provider_options, "discovery_url": f"{url}/.well-known/x"}
    return {
        "server": {"issuer": DOWNSTREAM},
        "federation": {"providers": [upstream.provider(**provider_options)]},
    }


def ref_of(response: Any) -> str:
    """The pending request's reference the authorize endpoint sent the browser to sign in."""
    assert response.status_code in (302, 303), response.status_code
    return query(response.location)["ref"]


def go_upstream(client: FlaskClient, upstream: Upstream, ref: str | None = None) -> str:
    """Start the federated sign-in and walk the upstream; the callback URL it answers."""
    start = client.get("/federation/up", query_string={"ref": ref} if ref else {})
    assert start.status_code == 303, start.status_code
    return upstream.walk(start.location, UPSTREAM_USER)


def link_by_password(client: FlaskClient, ref: str | None, password: str = "") -> Any:
    location = f"/login?ref={ref}&link=1" if ref else "/login?link=1"
    page = client.get(location)
    assert page.status_code == 200
    assert "Associer votre compte" in page.get_data(as_text=True)
    return client.post(
        location,
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "identifier": "marie",
            "password": password or DEFAULT_PASSWORD,
        },
    )


def links(app: Flask) -> list[FederatedIdentity]:
    with app.app_context():
        return list(db.session.scalars(select(FederatedIdentity)))


def test_sign_in_page_shows_the_provider(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/federation/up"' in page
    assert "S’identifier avec Fournisseur amont" in page
    assert "franceconnect.svg" not in page  # kind "oidc": a plain labelled button


@pytest.mark.parametrize("provider_options", [{"button": "franceconnect"}])
def test_the_official_button_on_request(client: FlaskClient) -> None:
    """A provider of kind "oidc" may ask for FranceConnect's button (and its explanation)."""
    page = client.get("/login").get_data(as_text=True)
    assert "franceconnect.svg" in page and "https://franceconnect.gouv.fr/" in page


def test_first_sign_in_links_by_password_and_tokens_say_how(
    client: FlaskClient, rp: RelyingParty, app: Flask, upstream: Upstream
) -> None:
    ref = ref_of(rp.authorize())
    callback = go_upstream(client, upstream, ref)
    arrived = client.get(callback_path(callback))
    assert arrived.status_code == 303 and arrived.location.endswith("/federation/link")
    assert links(app) == []  # nothing linked before the password proves the account
    page = client.get("/federation/link").get_data(as_text=True)
    assert "Associer votre compte" in page
    response = rp.walk(link_by_password(client, ref))
    assert rp.leaves(response), response.status_code
    [link] = links(app)
    assert link.provider == "up"
    tokens = rp.exchange(query(response.location)["code"]).get_json()
    claims = verify_id_token(client, tokens["id_token"], rp.client_id, issuer=DOWNSTREAM)
    assert claims["idp"] == "up"
    assert claims["amr"] == ["pwd"]  # carried from upstream (kind "oidc": no "fc")
    assert claims["acr"] == "eidas1"

    # The next sign-in through the provider needs no password: the link opens the account.
    client.get("/logout")  # confirmation page; the session ends below
    rp2 = RelyingParty(client, rp.client_id, rp.secret, clock=rp.clock)
    ref = ref_of(rp2.authorize(prompt="login"))
    done = rp2.walk(client.get(callback_path(go_upstream(client, upstream, ref))))
    assert rp2.leaves(done)


@pytest.mark.parametrize("upstream_client", [{"id_token_alg": "RS256"}])
def test_an_rs256_provider(client: FlaskClient, upstream: Upstream, user: User) -> None:
    arrived = client.get(callback_path(go_upstream(client, upstream)))
    assert arrived.location.endswith("/federation/link")


@pytest.mark.parametrize("upstream_client", [{"auth_method": "client_secret_post"}])
def test_client_secret_post_when_that_is_all_the_provider_offers(
    client: FlaskClient, upstream: Upstream, user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = client.application.extensions["idp"].settings.federation.providers[0]
    meta = federation.metadata(provider)
    monkeypatch.setitem(meta, "token_endpoint_auth_methods_supported", ["client_secret_post"])
    arrived = client.get(callback_path(go_upstream(client, upstream)))
    assert arrived.location.endswith("/federation/link")


# Our key for private_key_jwt at the upstream (RFC 7523); the upstream holds its public half.
FEDERATION_KEY = ECKey.generate_key("P-256", parameters={"kid": "idp-aval-1"}, private=True)


class TestPrivateKeyJwt:
    """The upstream registered us with our public key only: the code exchange succeeds only
    with an assertion signed by the private one (RFC 7523)."""

    @pytest.fixture
    def provider_options(self, base_dir: Path) -> dict[str, Any]:
        key_file = base_dir / "federation-key.json"
        key_file.write_text(json.dumps(FEDERATION_KEY.as_dict(private=True)))
        return {"client_secret": "", "private_key_file": str(key_file)}

    @pytest.fixture
    def upstream_client(self) -> dict[str, Any]:
        return {
            "auth_method": "private_key_jwt",
            "jwks": {"keys": [FEDERATION_KEY.as_dict(private=False)]},
        }

    def test_the_code_exchange_is_signed(
        self, client: FlaskClient, upstream: Upstream, user: User
    ) -> None:
        arrived = client.get(callback_path(go_upstream(client, upstream)))
        assert arrived.location.endswith("/federation/link")


@pytest.mark.parametrize(
    "provider_options", [{"claims": '{"id_token": {"amr": {"essential": true}}}'}]
)
def test_the_claims_request_is_sent(client: FlaskClient, upstream: Upstream, user: User) -> None:
    """FranceConnect tells how the person authenticated (`amr`) only when asked this way."""
    start = client.get("/federation/up")
    assert json.loads(query(start.location)["claims"]) == {"id_token": {"amr": {"essential": True}}}
    arrived = client.get(callback_path(upstream.walk(start.location, UPSTREAM_USER)))
    assert arrived.location.endswith("/federation/link")


def test_pages_in_english(client: FlaskClient, upstream: Upstream) -> None:
    english = {"Accept-Language": "en"}
    client.get(callback_path(go_upstream(client, upstream)))
    page = client.get("/federation/link", headers=english).get_data(as_text=True)
    assert "Link your account" in page and "Sign in to link my account" in page
    refused = client.get(
        "/federation/up/callback?state=x&code=y", headers=english, follow_redirects=True
    )
    assert "This sign-in was already handled or has expired" in refused.get_data(as_text=True)


def test_a_wrong_password_links_nothing_and_counts(
    client: FlaskClient, app: Flask, upstream: Upstream, user: User
) -> None:
    client.get(callback_path(go_upstream(client, upstream)))
    rt = app.extensions["idp"]
    with app.app_context():
        before = rt.lockout.tries_left("marie", now=rt.now())
    refused = link_by_password(client, None, password="wrong password 1!")
    assert refused.status_code == 200
    assert links(app) == []
    with app.app_context():
        assert rt.lockout.tries_left("marie", now=rt.now()) == before - 1
        failures = db.session.scalar(
            select(func.count()).where(
                AuditEvent.event == "sign_in", AuditEvent.outcome != "success"
            )
        )
    assert failures == 1


def test_an_email_match_never_links_silently(
    client: FlaskClient, app: Flask, upstream: Upstream, factories: Any
) -> None:
    factories.user("jean", email="jean@example.org")
    arrived = client.get(callback_path(go_upstream(client, upstream)))
    assert arrived.location.endswith("/federation/link")
    assert links(app) == []


@pytest.mark.parametrize(
    "provider_options", [{"create_accounts": True, "categories": "particulier"}]
)
def test_creation_from_the_pivot_identity(
    client: FlaskClient, app: Flask, upstream: Upstream
) -> None:
    client.get(callback_path(go_upstream(client, upstream)))
    page = client.get("/federation/link").get_data(as_text=True)
    created = client.post("/federation/link/create", data={"csrf_token": csrf_token(page)})
    assert created.status_code == 303
    [link] = links(app)
    with app.app_context():
        account = db.session.get(User, link.user_id)
        assert (account.given_name, account.family_name) == ("Jean", "Dupont")
        assert account.category == "particulier"
        assert account.password_hash is None
    # A new account goes through the required actions, as after any sign-in.
    assert client.get("/account").location.endswith("/contacts/confirm")
    # The only way into that account cannot be unlinked.
    token = csrf_token(client.get("/contacts/confirm").get_data(as_text=True))
    refused = client.post(f"/federation/links/{link.id}/delete", data={"csrf_token": token})
    assert refused.status_code == 409
    assert "seul moyen" in refused.get_data(as_text=True)
    assert len(links(app)) == 1


@pytest.mark.parametrize("provider_options", [{"categories": "particulier"}])
def test_only_the_account_categories_the_provider_is_for(
    client: FlaskClient, app: Flask, upstream: Upstream, factories: Factories
) -> None:
    """FranceConnect is for "particulier" accounts: a company's account proves its password
    and is still neither linked nor signed in."""
    factories.user(category="entreprise")
    client.get(callback_path(go_upstream(client, upstream)))
    refused_with(client, link_by_password(client, None), "pas ouvert à votre type de compte")
    assert links(app) == []
    assert client.get("/account").status_code == 303  # to the sign-in: no session


def test_unlinking_from_my_account(
    client: FlaskClient, app: Flask, upstream: Upstream, user: User
) -> None:
    client.get(callback_path(go_upstream(client, upstream)))
    assert link_by_password(client, None).status_code == 303
    [link] = links(app)
    home = client.get("/account").get_data(as_text=True)
    assert "Associé à Fournisseur amont" in home
    no_csrf = client.post(f"/federation/links/{link.id}/delete")
    assert no_csrf.status_code == 400 and len(links(app)) == 1
    gone = client.post(f"/federation/links/{link.id}/delete", data={"csrf_token": csrf_token(home)})
    assert gone.status_code == 303
    assert links(app) == []


def test_nobody_unlinks_another_accounts_link(
    client: FlaskClient, app: Flask, upstream: Upstream, user: User, factories: Factories
) -> None:
    client.get(callback_path(go_upstream(client, upstream)))
    assert link_by_password(client, None).status_code == 303
    [link] = links(app)
    factories.user("paul", email="paul@example.org")
    other = app.test_client()
    sign_in_browser(other, "paul")
    page = other.get("/account/password").get_data(as_text=True)
    refused = other.post(
        f"/federation/links/{link.id}/delete", data={"csrf_token": csrf_token(page)}
    )
    assert refused.status_code == 409
    assert [row.id for row in links(app)] == [link.id]


def test_sign_out_ends_the_upstream_session_then_returns(
    client: FlaskClient, app: Flask, upstream: Upstream, user: User
) -> None:
    client.get(callback_path(go_upstream(client, upstream)))
    link_by_password(client, None)
    confirm = client.get("/logout")
    token = csrf_token(confirm.get_data(as_text=True))
    ended = upstream_logout_url(client, client.post("/logout/confirm", data={"csrf_token": token}))
    target = urlsplit(ended)
    assert ended.startswith(upstream.url + "/logout")
    params = parse_qs(target.query)
    assert params["post_logout_redirect_uri"] == [f"{DOWNSTREAM}/federation/logged-out"]
    assert params["id_token_hint"][0].count(".") == 2
    back = client.get("/federation/logged-out")
    assert back.status_code == 303 and back.location.endswith("/logout/done")


def test_relying_app_logout_goes_through_the_upstream_and_back(
    client: FlaskClient, rp: RelyingParty, app: Flask, upstream: Upstream
) -> None:
    ref = ref_of(rp.authorize())
    client.get(callback_path(go_upstream(client, upstream, ref)))
    response = rp.walk(link_by_password(client, ref))
    id_token = rp.exchange(query(response.location)["code"]).get_json()["id_token"]
    with upstream.app.app_context():
        live = db.session.scalars(select(BrowserSession).where(BrowserSession.ended_at.is_(None)))
        assert len(live.all()) == 1  # the upstream session of the sign-in

    ended = client.get(
        "/logout",
        query_string={
            "id_token_hint": id_token,
            "post_logout_redirect_uri": POST_LOGOUT_URI,
            "state": "bye",
        },
    )
    target = upstream_logout_url(client, ended)
    assert target.startswith(f"{upstream.url}/logout?")
    # The browser follows to the upstream, which ends its session and sends it back to us.
    back = requests.get(target, allow_redirects=False, timeout=5)
    assert back.status_code in (302, 303)
    assert back.headers["Location"].startswith(f"{DOWNSTREAM}/federation/logged-out")
    with upstream.app.app_context():
        live = db.session.scalars(select(BrowserSession).where(BrowserSession.ended_at.is_(None)))
        assert live.all() == []
    final = client.get(callback_path(back.headers["Location"]))
    assert final.status_code == 303
    assert final.location == f"{POST_LOGOUT_URI}?state=bye"
    assert client.get("/account").status_code == 303  # our session ended too


def test_a_local_session_signs_out_without_the_upstream(
    client: FlaskClient, upstream: Upstream, user: User
) -> None:
    sign_in_browser(client)
    token = csrf_token(client.get("/logout").get_data(as_text=True))
    ended = client.post("/logout/confirm", data={"csrf_token": token})
    assert upstream.url not in (ended.location or "")


# -- the provider signs the person out (Back-Channel Logout 1.0 to us, then from us) --------


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """Our relying application's back-channel logout endpoint."""
    yield from serve_receiver(Receiver())


def signed_in_through_upstream(
    client: FlaskClient, upstream: Upstream, factories: Factories, clock: FrozenClock, url: str
) -> tuple[str, dict[str, Any]]:
    """Sign in to an application (back-channel logout at `url`) through the upstream: its
    client id and the claims of our ID token."""
    registered, secret = factories.client(first_party=True, backchannel_logout_uri=url)
    rp = RelyingParty(client, registered.client_id, secret, clock=clock)
    ref = ref_of(rp.authorize())
    client.get(callback_path(go_upstream(client, upstream, ref)))
    response = rp.walk(link_by_password(client, ref))
    id_token = rp.exchange(query(response.location)["code"]).get_json()["id_token"]
    return rp.client_id, verify_id_token(client, id_token, rp.client_id, issuer=DOWNSTREAM)


def upstream_logout_token(upstream: Upstream) -> str:
    """What the upstream POSTs to us when its session ends: a logout token signed by its own
    code, naming its session and the subject we know."""
    rt = upstream.app.extensions["idp"]
    with upstream.app.app_context():
        live = db.session.scalars(select(BrowserSession).where(BrowserSession.ended_at.is_(None)))
        [session] = live.all()
        return issue_logout_token(
            keys=rt.keys,
            issuer=upstream.url,
            client=rt.clients.lookup(upstream.client_id),
            user=db.session.get(User, session.user_id),
            sid=session.sid,
            now=rt.now(),
            hash_key=rt.hash_key,
        )


@pytest.mark.parametrize("named", [{}, {"sub": None}, {"sid": None}], ids=["both", "sid", "sub"])
def test_the_provider_signing_out_ends_our_session_and_tells_the_applications(
    client: FlaskClient,
    app: Flask,
    upstream: Upstream,
    factories: Factories,
    clock: FrozenClock,
    user: User,
    receiver: Receiver,
    named: dict[str, Any],
) -> None:
    client_id, seen = signed_in_through_upstream(client, upstream, factories, clock, receiver.url)
    assert client.get("/account").status_code == 200
    token = resign(upstream, upstream_logout_token(upstream), **named)

    # The provider's server, not the browser: no cookie.
    answer = app.test_client().post(
        "/federation/up/backchannel-logout", data={"logout_token": token}
    )
    app.extensions["idp.backchannel"].wait()

    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    assert client.get("/account").status_code == 303  # our session ended
    [told] = receiver.tokens()
    claims = verify_logout_token(client, told, client_id, issuer=DOWNSTREAM)
    assert (claims["sid"], claims["sub"]) == (seen["sid"], seen["sub"])


@pytest.mark.parametrize(
    "changes",
    [
        {"events": {}},
        {"nonce": "an ID token is no logout token"},
        {"jti": None},
        {"sub": None, "sid": None},
        {"aud": "another-client"},
        {"iss": "https://evil.example"},
        {"signature": "AAAA"},
    ],
    ids=["events", "nonce", "jti", "nobody", "aud", "iss", "signature"],
)
def test_a_logout_token_that_does_not_verify_ends_nothing(
    client: FlaskClient,
    app: Flask,
    upstream: Upstream,
    factories: Factories,
    clock: FrozenClock,
    user: User,
    receiver: Receiver,
    changes: dict[str, Any],
) -> None:
    signed_in_through_upstream(client, upstream, factories, clock, receiver.url)
    claims = {name: value for name, value in changes.items() if name != "signature"}
    token = resign(upstream, upstream_logout_token(upstream), **claims)
    if signature := changes.get("signature"):
        token = token.rsplit(".", 1)[0] + "." + signature
    answer = app.test_client().post(
        "/federation/up/backchannel-logout", data={"logout_token": token}
    )
    app.extensions["idp.backchannel"].wait()

    assert answer.status_code == 400
    assert answer.get_json()["error"] == "invalid_request"
    assert client.get("/account").status_code == 200
    assert receiver.received == []


def test_a_logout_of_another_upstream_account_ends_nothing(
    client: FlaskClient,
    app: Flask,
    upstream: Upstream,
    factories: Factories,
    clock: FrozenClock,
    user: User,
    receiver: Receiver,
) -> None:
    signed_in_through_upstream(client, upstream, factories, clock, receiver.url)
    token = resign(upstream, upstream_logout_token(upstream), sub="someone-else", sid=None)
    answer = app.test_client().post(
        "/federation/up/backchannel-logout", data={"logout_token": token}
    )
    app.extensions["idp.backchannel"].wait()

    assert answer.status_code == 200
    assert client.get("/account").status_code == 200
    assert receiver.received == []


# -- every refusal ends on a page, links nobody ----------------------------------------------


def refused_with(http: FlaskClient, response: Any, text: str) -> None:
    """The refusal page says `text` and offers the local sign-in (after the callback's 303 to
    a clean URL)."""
    if response.status_code == 303 and response.location.endswith("/federation/refused"):
        response = http.get(response.location)
    assert response.status_code in (400, 403, 502), response.status_code
    body = response.get_data(as_text=True)
    assert text in body, body
    assert "/login" in body  # the local sign-in is offered


def test_tampered_state(client: FlaskClient, app: Flask, upstream: Upstream) -> None:
    callback = go_upstream(client, upstream)
    answer = client.get(callback_path(replace_query(callback, state="forged")))
    refused_with(client, answer, "aucune connexion commencée dans ce navigateur")
    assert links(app) == []


def test_another_browser_cannot_use_the_callback(app: Flask, upstream: Upstream) -> None:
    first, second = app.test_client(), app.test_client()
    callback = go_upstream(first, upstream)
    refused_with(second, second.get(callback_path(callback)), "déjà été traitée")


def test_replayed_callback(client: FlaskClient, upstream: Upstream) -> None:
    callback = go_upstream(client, upstream)
    assert client.get(callback_path(callback)).status_code == 303
    refused_with(client, client.get(callback_path(callback)), "déjà été traitée")


def test_wrong_iss_in_the_callback(client: FlaskClient, upstream: Upstream) -> None:
    callback = go_upstream(client, upstream)
    answer = client.get(callback_path(replace_query(callback, iss="https%3A%2F%2Fevil.example")))
    refused_with(client, answer, "ne vient pas du fournisseur")


def test_missing_iss_when_advertised(client: FlaskClient, upstream: Upstream) -> None:
    callback = go_upstream(client, upstream)
    stripped = "&".join(p for p in callback_path(callback).split("&") if not p.startswith("iss="))
    refused_with(client, client.get(stripped), "ne vient pas du fournisseur")


def test_expired_id_token(
    client: FlaskClient, upstream: Upstream, upstream_clock: FrozenClock
) -> None:
    upstream_clock.advance(-24 * 3600)  # its ID token expired long before our now
    callback = go_upstream(client, upstream)
    refused_with(client, client.get(callback_path(callback)), "n’a pas pu être vérifiée")


def test_id_token_from_the_future(
    client: FlaskClient, upstream: Upstream, upstream_clock: FrozenClock
) -> None:
    upstream_clock.advance(3600)
    refused_with(
        client, client.get(callback_path(go_upstream(client, upstream))), "n’a pas pu être"
    )


def test_timeout(
    client: FlaskClient, upstream: Upstream, silent_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(federation, "TIMEOUT", (0.5, 0.5))
    callback = go_upstream(client, upstream)
    provider = client.application.extensions["idp"].settings.federation.providers[0]
    monkeypatch.setitem(federation.metadata(provider), "token_endpoint", f"{silent_url}/token")
    refused_with(client, client.get(callback_path(callback)), "ne répond pas")


# -- a provider whose answers are altered (signed with its own key: only the claim is wrong) --


def resign(upstream: Upstream, token: str, **changes: Any) -> str:
    """`token` with some claims changed, signed again with the upstream's own ES256 key."""
    rt = upstream.app.extensions["idp"]
    claims = jwt.decode(token, rt.keys.verification_keyset(rt.now())).claims
    signing = rt.keys.signing_key("ES256")
    header = {"alg": "ES256", "kid": signing.kid, "typ": "JWT"}
    return jwt.encode(header, {**claims, **changes}, signing.key, algorithms=["ES256"])


@pytest.fixture
def altered_id_token(upstream: Upstream, monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Make the token endpoint's ID token carry `changes`."""

    def alter(**changes: Any) -> None:
        exchange = federation._exchange

        def altered(*args: Any, **kwargs: Any) -> dict[str, Any]:
            tokens = exchange(*args, **kwargs)
            return {**tokens, "id_token": resign(upstream, tokens["id_token"], **changes)}

        monkeypatch.setattr(federation, "_exchange", altered)

    return alter


@pytest.fixture
def userinfo_as(upstream: Upstream, monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Make UserInfo answer a signed JWT (FranceConnect v2) of the real claims plus `changes`."""

    def answer(**changes: Any) -> None:
        get = requests.get

        def signed(url: str, *args: Any, **kwargs: Any) -> requests.Response:
            response = get(url, *args, **kwargs)
            if not url.endswith("/userinfo"):
                return response
            rt = upstream.app.extensions["idp"]
            claims = {
                **response.json(),
                "iss": upstream.url,
                "aud": upstream.client_id,
                "iat": rt.now(),
                "exp": rt.now() + 60,
                **changes,
            }
            signing = rt.keys.signing_key("ES256")
            body = jwt.encode({"alg": "ES256", "kid": signing.kid}, claims, signing.key)
            response._content = body.encode()
            response.headers["Content-Type"] = "application/jwt"
            return response

        monkeypatch.setattr(requests, "get", signed)

    return answer


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"nonce": "x" * 43}, "nonce"),
        ({"aud": "another-client"}, "aud"),
        ({"azp": "another-client"}, "azp"),
        ({"iss": "https://evil.example"}, "iss"),
    ],
)
def test_id_token_claims_are_checked(
    client: FlaskClient,
    app: Flask,
    upstream: Upstream,
    altered_id_token: Callable[..., None],
    changes: dict[str, Any],
    why: str,
) -> None:
    altered_id_token(**changes)
    refused_with(
        client, client.get(callback_path(go_upstream(client, upstream))), "n’a pas pu être"
    )
    assert links(app) == []


def test_an_unsigned_id_token_is_refused(
    client: FlaskClient, upstream: Upstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    exchange = federation._exchange

    def forged(*args: Any, **kwargs: Any) -> dict[str, Any]:
        tokens = exchange(*args, **kwargs)
        header, payload, _ = tokens["id_token"].split(".")
        return {**tokens, "id_token": f"{header}.{payload}.AAAA"}

    monkeypatch.setattr(federation, "_exchange", forged)
    refused_with(
        client, client.get(callback_path(go_upstream(client, upstream))), "n’a pas pu être"
    )


def test_signed_userinfo_is_accepted(
    client: FlaskClient, app: Flask, upstream: Upstream, user: User, userinfo_as: Any
) -> None:
    userinfo_as()
    arrived = client.get(callback_path(go_upstream(client, upstream)))
    assert arrived.location.endswith("/federation/link")


def test_userinfo_sub_must_be_the_id_tokens(
    client: FlaskClient, app: Flask, upstream: Upstream, userinfo_as: Any
) -> None:
    userinfo_as(sub="somebody-else")
    refused_with(
        client, client.get(callback_path(go_upstream(client, upstream))), "n’a pas pu être"
    )


def test_userinfo_signed_for_another_audience(
    client: FlaskClient, upstream: Upstream, userinfo_as: Any
) -> None:
    userinfo_as(aud="another-client")
    refused_with(
        client, client.get(callback_path(go_upstream(client, upstream))), "n’a pas pu être"
    )


@pytest.mark.parametrize(
    ("error", "said"),
    [
        ("access_denied", "Vous avez annulé la connexion"),
        ("server_error", "a répondu par une erreur"),
        ("login_required", "demande à vous reconnecter"),
    ],
)
def test_an_error_answered_by_the_provider(
    client: FlaskClient, app: Flask, upstream: Upstream, error: str, said: str
) -> None:
    """The person went back, the provider failed, or it wants a new sign-in: each is said,
    with the local sign-in offered, and nothing is linked."""
    start = client.get("/federation/up")
    state = parse_qs(urlsplit(start.location).query)["state"][0]
    answer = client.get(
        "/federation/up/callback",
        query_string={"error": error, "state": state, "iss": upstream.url},
    )
    refused_with(client, answer, said)
    assert links(app) == []


@pytest.mark.parametrize("provider_options", [{"acr_values": "eidas2"}])
def test_acr_below_the_level_asked(client: FlaskClient, app: Flask, upstream: Upstream) -> None:
    refused_with(
        client, client.get(callback_path(go_upstream(client, upstream))), "niveau de sécurité"
    )
    assert links(app) == []


def test_a_callback_after_ten_minutes(
    client: FlaskClient, upstream: Upstream, clock: FrozenClock
) -> None:
    callback = go_upstream(client, upstream)
    clock.advance(federation.FLIGHT_SECONDS)
    refused_with(client, client.get(callback_path(callback)), "aucune connexion commencée")


def test_an_unknown_provider_is_404(client: FlaskClient) -> None:
    assert client.get("/federation/nobody").status_code == 404
    assert client.get("/federation/nobody/callback?state=x&code=y").status_code == 404


@pytest.mark.parametrize("provider_options", [{"discovery_url": SILENT}])
def test_discovery_unreachable(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(federation, "TIMEOUT", (0.5, 0.5))
    refused_with(client, client.get("/federation/up"), "ne répond pas")


# -- FranceConnect: no PKCE, prompt=login consent, amr "fc" ---------------------------------


@pytest.mark.parametrize("provider_options", [{"kind": "franceconnect", "acr_values": "eidas1"}])
def test_franceconnect_kind(
    client: FlaskClient, rp: RelyingParty, app: Flask, upstream: Upstream, userinfo_as: Any
) -> None:
    userinfo_as()  # FranceConnect v2 signs UserInfo (ES256)
    page = client.get("/login").get_data(as_text=True)
    assert "Se connecter avec FranceConnect (uniquement pour les particuliers)" in page
    assert "Qu’est-ce que FranceConnect ?" in page
    assert "/static/franceconnect.svg" in page
    ref = ref_of(rp.authorize())
    start = client.get("/federation/up", query_string={"ref": ref})
    asked = parse_qs(urlsplit(start.location).query)
    assert "code_challenge" not in asked
    assert asked["prompt"] == ["login consent"]
    assert asked["acr_values"] == ["eidas1"]
    assert len(asked["nonce"][0]) >= 22 and len(asked["state"][0]) >= 22
    client.get(callback_path(upstream.walk(start.location, UPSTREAM_USER)))
    response = rp.walk(link_by_password(client, ref))
    tokens = rp.exchange(query(response.location)["code"]).get_json()
    claims = verify_id_token(client, tokens["id_token"], rp.client_id, issuer=DOWNSTREAM)
    assert claims["amr"] == ["fc", "pwd"]
    assert claims["acr"] == "eidas1"
    assert claims["idp"] == "up"


@pytest.mark.parametrize("extra", [{}, {"scope": "openid offline_access"}], ids=["fast", "grant"])
def test_a_refreshed_id_token_still_names_the_upstream_provider(
    client: FlaskClient,
    rp: RelyingParty,
    app: Flask,
    upstream: Upstream,
    extra: dict[str, str],
) -> None:
    """Both token paths read the provider of the token's session: the fast one (no scope in
    the request) in the token's own query, the grant (a scope) through the session's record."""
    ref = ref_of(rp.authorize(scope="openid offline_access"))
    client.get(callback_path(go_upstream(client, upstream, ref)))
    response = rp.walk(link_by_password(client, ref))
    tokens = rp.exchange(query(response.location)["code"]).get_json()
    reached_flask: list[str] = []
    with request_started.connected_to(lambda sender, **_: reached_flask.append("/token"), app):
        refreshed = rp.refresh(tokens["refresh_token"], **extra)
    assert refreshed.status_code == 200, refreshed.get_json()
    assert reached_flask == (["/token"] if extra else [])
    id_token = refreshed.get_json()["id_token"]
    claims = verify_id_token(client, id_token, rp.client_id, issuer=DOWNSTREAM)
    assert claims["idp"] == "up"
    assert claims["amr"] == ["pwd"]


def test_a_rotated_upstream_key_is_fetched_once(
    client: FlaskClient, app: Flask, upstream: Upstream, user: User
) -> None:
    client.get(callback_path(go_upstream(client, upstream)))  # the JWKS is cached now
    link_by_password(client, None)
    rt = upstream.app.extensions["idp"]
    with upstream.app.app_context():
        rt.keys.rotate(rt.now())  # the next ID token names a kid the cache lacks
    again = client.get(callback_path(go_upstream(client, upstream)))
    assert again.status_code == 303 and again.location.endswith("/account"), again.location


def test_acr_levels() -> None:
    assert federation.acr_satisfies("eidas2", "eidas1")
    assert federation.acr_satisfies("eidas1", "eidas1 eidas2")  # the lowest asked is enough
    assert not federation.acr_satisfies("eidas1", "eidas2")
    assert not federation.acr_satisfies(None, "eidas1")
    assert federation.acr_satisfies(None, "")
    assert federation.acr_satisfies("urn:x:high", "urn:x:high")
    assert not federation.acr_satisfies("urn:x:low", "urn:x:high")


def test_pkce_is_sent_where_enabled(client: FlaskClient, upstream: Upstream) -> None:
    asked = parse_qs(urlsplit(client.get("/federation/up").location).query)
    assert asked["code_challenge_method"] == ["S256"]
    assert len(asked["code_challenge"][0]) == 43


def test_habilitation_still_applies(
    client: FlaskClient, app: Flask, upstream: Upstream, factories: Any, user: User, clock: Any
) -> None:
    registered, secret = factories.client(requires_habilitation=True, first_party=True)
    restricted = RelyingParty(client, registered.client_id, secret, clock=clock)
    ref = ref_of(restricted.authorize())
    client.get(callback_path(go_upstream(client, upstream, ref)))
    response = link_by_password(client, ref)
    assert response.location.startswith("/login/habilitation/"), response.location


@pytest.mark.parametrize("provider_options", [{"link_policy": "pivot_identity"}])
def test_pivot_identity_offers_a_one_click_link(
    client: FlaskClient, app: Flask, upstream: Upstream, factories: Any, userinfo_as: Any
) -> None:
    userinfo_as(birthdate="1980-04-02")
    factories.user("jdupont", given_name="Jean", family_name="DUPONT", birth_date="1980-04-02")
    factories.user(
        "autre", email=None, given_name="Jean", family_name="Dupont", birth_date="1981-01-01"
    )
    client.get(callback_path(go_upstream(client, upstream)))
    page = client.get("/federation/link").get_data(as_text=True)
    assert "correspond au compte jdupont" in page
    assert links(app) == []  # offered, never made silently
    linked = client.post("/federation/link/pivot", data={"csrf_token": csrf_token(page)})
    assert linked.status_code == 303
    [link] = links(app)
    with app.app_context():
        assert db.session.get(User, link.user_id).identifier == "jdupont"


@pytest.mark.parametrize("provider_options", [{"link_policy": "pivot_identity"}])
def test_a_disabled_account_is_never_linked(
    client: FlaskClient, app: Flask, upstream: Upstream, factories: Any, userinfo_as: Any
) -> None:
    """Its sign-in is refused: the one-click link must not be left behind either."""
    userinfo_as(birthdate="1980-04-02")
    factories.user(
        "jdupont",
        given_name="Jean",
        family_name="Dupont",
        birth_date="1980-04-02",
        status="disabled",
    )
    client.get(callback_path(go_upstream(client, upstream)))
    token = csrf_token(client.get("/login").get_data(as_text=True))
    linked = client.post("/federation/link/pivot", data={"csrf_token": token})
    refused_with(client, linked, "Ce compte a été désactivé")
    assert links(app) == []


PARIS_7 = {"gender": "male", "birthplace": "75107", "birthcountry": "99100"}


@pytest.mark.parametrize("provider_options", [{"link_policy": "pivot_identity"}])
@pytest.mark.parametrize(
    ("nir", "pivot", "offered"),
    [
        ("1800475107123", PARIS_7, True),
        ("1800469123123", PARIS_7, False),  # the NIR says born in Lyon
        ("2800475107123", PARIS_7, False),  # the NIR says a woman
        ("1800599134123", {**PARIS_7, "birthplace": "", "birthcountry": "99134"}, False),
        ("1800499134123", {**PARIS_7, "birthplace": "", "birthcountry": "99134"}, True),
        ("1800475107123", {**PARIS_7, "gender": ""}, False),  # the identity cannot say
    ],
    ids=["agrees", "place", "sex", "month", "abroad", "no-gender"],
)
def test_pivot_identity_and_the_nir_the_organisation_holds(
    client: FlaskClient,
    app: Flask,
    upstream: Upstream,
    factories: Any,
    userinfo_as: Any,
    nir: str,
    pivot: dict[str, str],
    offered: bool,
) -> None:
    """Where the organisation holds the account's NIR, the pivot identity's sex, birth month
    and birthplace must be those it encodes for the one-click link to be offered."""
    userinfo_as(birthdate="1980-04-02", **pivot)
    number = nir + nir_numbers.calc_check_digits(nir)
    factories.user(
        "jdupont",
        given_name="Jean",
        family_name="Dupont",
        birth_date="1980-04-02",
        nir_hash=civil_data.nir_hash(number, hash_key=app.extensions["idp"].hash_key),
    )
    client.get(callback_path(go_upstream(client, upstream)))
    page = client.get("/federation/link").get_data(as_text=True)
    assert ("correspond au compte jdupont" in page) is offered
    token = csrf_token(client.get("/login").get_data(as_text=True))
    linked = client.post("/federation/link/pivot", data={"csrf_token": token})
    assert (linked.status_code == 303) is offered
    assert len(links(app)) == int(offered)


@pytest.mark.parametrize("provider_options", [{"link_policy": "pivot_identity"}])
def test_pivot_identity_matching_two_accounts_offers_none(
    client: FlaskClient, app: Flask, upstream: Upstream, factories: Any, userinfo_as: Any
) -> None:
    userinfo_as(birthdate="1980-04-02")
    for name in ("jdupont", "jdupont2"):
        factories.user(
            name, email=None, given_name="Jean", family_name="Dupont", birth_date="1980-04-02"
        )
    client.get(callback_path(go_upstream(client, upstream)))
    page = client.get("/federation/link").get_data(as_text=True)
    assert "correspond au compte" not in page
    token = csrf_token(client.get("/login").get_data(as_text=True))
    refused_with(
        client, client.post("/federation/link/pivot", data={"csrf_token": token}), "Aucun compte"
    )
    assert links(app) == []


def test_pivot_link_needs_the_policy(
    client: FlaskClient, app: Flask, upstream: Upstream, factories: Any, userinfo_as: Any
) -> None:
    userinfo_as(birthdate="1980-04-02")
    factories.user("jdupont", given_name="Jean", family_name="Dupont", birth_date="1980-04-02")
    client.get(callback_path(go_upstream(client, upstream)))
    assert "correspond au compte" not in client.get("/federation/link").get_data(as_text=True)
    token = csrf_token(client.get("/login").get_data(as_text=True))
    refused_with(
        client, client.post("/federation/link/pivot", data={"csrf_token": token}), "Aucun compte"
    )
    assert client.post("/federation/link/create", data={"csrf_token": token}).status_code == 404
    assert links(app) == []
