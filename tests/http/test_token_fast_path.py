"""The token endpoint's fast path (idp.oidc.fast_token), checked from outside.

A WSGI middleware answers valid client_credentials and refresh_token requests before Flask
and passes every other request to Flask+Authlib with its body unchanged. Flask's
request_started signal tells which one answered: Flask sends it only for requests that reach
it, before any before_request hook can refuse them. The tests check that:
- the requests the fast path should take never reach Flask, and their answers (status,
  headers, body, ID token, stored tokens, reuse detection) match what the full pipeline gives;
- the requests it must decline reach the grants and get the usual errors and side effects;
- declining writes nothing, and the full pipeline still sees the body the middleware read.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask, request, request_started
from flask.testing import FlaskClient
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError
from werkzeug.test import TestResponse

from idp.clock import FrozenClock
from idp.extensions import db
from idp.models import Token, User
from idp.oidc import fast_token
from tests.support.factories import Factories
from tests.support.oidc import RelyingParty, basic

OFFLINE = "openid profile email offline_access"
FORM = "application/x-www-form-urlencoded"
CC = ("client_credentials",)
SECRET_METHODS = ["client_secret_basic", "client_secret_post"]
# Token values are random: the rest of the response must be the same whichever path answered.
TOKEN_VALUES = ("access_token", "refresh_token", "id_token")

Party = Callable[..., RelyingParty]


@pytest.fixture
def flask_requests(app: Flask) -> Iterator[list[str]]:
    """The paths of the requests that reached Flask (the fast path's answers never do)."""
    seen: list[str] = []

    def record(sender: Flask, **extra: Any) -> None:
        seen.append(request.path)

    with request_started.connected_to(record, app):
        yield seen


@contextmanager
def answered(flask_requests: list[str], *, by_flask: bool) -> Iterator[None]:
    """Checks whether the one token request sent inside the block reached Flask."""
    flask_requests.clear()
    yield
    assert flask_requests == (["/token"] if by_flask else []), flask_requests


@pytest.fixture
def party(client: FlaskClient, factories: Factories, user: User, clock: FrozenClock) -> Party:
    """A relying party registered for `method` (a secret method, or "none": public)."""

    def make(method: str, **spec: Any) -> RelyingParty:
        auth = {"public": True} if method == "none" else {"auth_method": method}
        registered, secret = factories.client(**auth, **spec)
        style = "post" if method == "client_secret_post" else "basic"
        return RelyingParty(client, registered.client_id, secret, auth_method=style, clock=clock)

    return make


@pytest.fixture
def service(party: Party) -> Callable[[str], RelyingParty]:
    """A client_credentials client."""
    return lambda method: party(method, grant_types=CC, redirect_uris=())


def grant(rp: RelyingParty, app: Flask) -> dict[str, Any]:
    """A token response with a refresh token. The code flow runs in the browser's client; the
    relying party then calls the back channel from its own cookieless client, as an RP's
    server does (the browser's session cookie would make Flask add Set-Cookie and Vary)."""
    body = rp.tokens(scope=OFFLINE)
    rp.http = app.test_client()
    return body


@pytest.fixture
def granted(rp: RelyingParty, app: Flask) -> dict[str, Any]:
    return grant(rp, app)


def post_token(
    http: FlaskClient, body: str, headers: dict[str, str] | None = None, **options: Any
) -> TestResponse:
    """A raw token request: the body is sent exactly as written."""
    options.setdefault("content_type", FORM)
    return http.post("/token", data=body, headers=headers or {}, **options)


def refused(response: TestResponse, status: int, error: str) -> None:
    assert response.status_code == status, (response.status_code, response.get_data())
    body = response.get_json()
    assert body["error"] == error, body
    assert "access_token" not in body


def assert_same_answer(fast: TestResponse, full: TestResponse) -> None:
    """The same status, headers (bar Content-Length) and body but for the token values."""
    assert fast.status_code == full.status_code == 200, (fast.get_json(), full.get_json())

    def headers(response: TestResponse) -> list[tuple[str, str]]:
        unequal = {"Content-Length", "X-Request-Id"}
        return sorted((k, v) for k, v in response.headers.items() if k not in unequal)

    assert headers(fast) == headers(full)
    fast_body, full_body = fast.get_json(), full.get_json()
    assert {k: type(v) for k, v in fast_body.items()} == {k: type(v) for k, v in full_body.items()}
    for name in fast_body.keys() - set(TOKEN_VALUES):
        assert fast_body[name] == full_body[name], name


def token_rows(app: Flask) -> tuple[int, int, int]:
    """How many tokens are stored, used (refresh) and revoked."""
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Token))
        used = db.session.scalar(select(func.count()).where(Token.refresh_used_at.is_not(None)))
        revoked = db.session.scalar(select(func.count()).where(Token.revoked.is_(True)))
        return count, used, revoked


def set_user_status(app: Flask, user: User, status: str) -> None:
    with app.app_context():
        db.session.get(User, user.id).status = status
        db.session.commit()


def cc_body(**extra: str) -> str:
    return urlencode({"grant_type": "client_credentials", **extra})


# -- taken: answered before Flask, as Flask would answer -------------------------------------


# On an https issuer both answers also carry Strict-Transport-Security.
HTTPS_ISSUER = {"server": {"issuer": "https://idp.test"}}


@pytest.mark.parametrize("settings_overrides", [{}, HTTPS_ISSUER], ids=["http", "https"])
@pytest.mark.parametrize("method", SECRET_METHODS)
def test_client_credentials_take_the_fast_path_and_match_the_full_pipeline(
    service: Callable[[str], RelyingParty], flask_requests: list[str], app: Flask, method: str
) -> None:
    party = service(method)
    with answered(flask_requests, by_flask=False):
        fast = party.client_credentials(scope="openid")
    body = fast.get_json()
    settings = app.extensions["idp"].settings
    assert body["token_type"] == "Bearer" and body["scope"] == ""
    assert body["expires_in"] == settings.tokens.client_credentials_ttl_seconds
    assert "refresh_token" not in body and "id_token" not in body

    # Authlib ignores an unknown parameter; the fast path hands the request on.
    with answered(flask_requests, by_flask=True):
        full = party.client_credentials(scope="openid", foo="bar")
    assert_same_answer(fast, full)
    assert ("Strict-Transport-Security" in fast.headers) == settings.is_https
    for response in (fast, full):
        introspection = party.introspect(response.get_json()["access_token"]).get_json()
        assert introspection["active"] is True
        assert introspection["client_id"] == party.client_id


@pytest.mark.parametrize("method", [*SECRET_METHODS, "none"])
def test_refresh_takes_the_fast_path_and_matches_the_full_pipeline(
    party: Party, app: Flask, flask_requests: list[str], method: str
) -> None:
    rp = party(method)
    granted = grant(rp, app)
    with answered(flask_requests, by_flask=False):
        fast = rp.refresh(granted["refresh_token"])
    body = fast.get_json()
    assert body["refresh_token"] not in (None, granted["refresh_token"])
    assert set(body["scope"].split()) == set(OFFLINE.split())

    # A scope, even the granted one, sends the refresh through the grants.
    with answered(flask_requests, by_flask=True):
        full = rp.refresh(body["refresh_token"], scope=OFFLINE)
    assert_same_answer(fast, full)
    fast_claims = rp.verify(fast.get_json()["id_token"])
    full_claims = rp.verify(full.get_json()["id_token"])
    assert fast_claims.keys() == full_claims.keys()
    for name in fast_claims.keys() - {"exp", "iat", "at_hash"}:
        assert fast_claims[name] == full_claims[name], name
    for response in (fast, full):
        access_token = response.get_json()["access_token"]
        assert rp.userinfo(access_token).status_code == 200
        if method != "none":  # introspection is for confidential clients
            assert rp.introspect(access_token).get_json()["active"] is True


def test_reuse_after_a_fast_refresh_revokes_the_family(
    rp: RelyingParty,
    granted: dict[str, Any],
    flask_requests: list[str],
    factories: Factories,
    user: User,
) -> None:
    with answered(flask_requests, by_flask=False):
        second = rp.refresh(granted["refresh_token"]).get_json()
    with answered(flask_requests, by_flask=True):
        refused(rp.refresh(granted["refresh_token"]), 400, "invalid_grant")
    assert [(e.user_id, e.client_id) for e in factories.audit("refresh_token_reused")] == [
        (user.id, rp.client_id)
    ]
    assert rp.userinfo(second["access_token"]).status_code == 401
    assert rp.introspect(second["access_token"]).get_json() == {"active": False}
    with answered(flask_requests, by_flask=True):
        refused(rp.refresh(second["refresh_token"]), 400, "invalid_grant")


# -- declined: the grants answer, as before ---------------------------------------------------

# Each case: the request (body, headers, test client options) from a client_secret_basic
# client's id and secret, and the full pipeline's answer: status (None: anything but a 5xx)
# and error (None: no error to check).
Build = Callable[[str, str], tuple[str, dict[str, str], dict[str, Any]]]
DECLINED_CLIENT_CREDENTIALS: dict[str, tuple[Build, int | None, str | None]] = {
    "wrong secret": (lambda c, s: (cc_body(), basic(c, s + "x"), {}), 401, "invalid_client"),
    "unknown client": (lambda c, s: (cc_body(), basic("nobody", s), {}), 401, "invalid_client"),
    "secret in the form of a basic client": (
        lambda c, s: (cc_body(client_id=c, client_secret=s), {}, {}),
        401,
        "invalid_client",
    ),
    "two authentication methods": (
        lambda c, s: (cc_body(client_id=c, client_secret=s), basic(c, s), {}),
        400,
        "invalid_request",
    ),
    "an unknown scope": (
        lambda c, s: (cc_body(scope="openid admin"), basic(c, s), {}),
        400,
        "invalid_scope",
    ),
    "a NUL character": (
        lambda c, s: (cc_body() + "&scope=%00", basic(c, s), {}),
        400,
        "invalid_request",
    ),
    "a JSON body": (
        lambda c, s: (
            '{"grant_type": "client_credentials"}',
            basic(c, s),
            {"content_type": "application/json"},
        ),
        400,
        "unsupported_grant_type",
    ),
    "a query string": (lambda c, s: (cc_body(), basic(c, s), {"query_string": "x=1"}), 200, None),
    "a duplicate parameter": (
        lambda c, s: (cc_body() + "&grant_type=client_credentials", basic(c, s), {}),
        None,
        None,
    ),
}


@pytest.mark.parametrize("case", DECLINED_CLIENT_CREDENTIALS)
def test_declined_client_credentials_reach_the_grants(
    service: Callable[[str], RelyingParty],
    client: FlaskClient,
    flask_requests: list[str],
    case: str,
) -> None:
    party = service("client_secret_basic")
    build, status, error = DECLINED_CLIENT_CREDENTIALS[case]
    body, headers, options = build(party.client_id, party.secret or "")
    with answered(flask_requests, by_flask=True):
        response = post_token(client, body, headers, **options)
    if status is None:
        assert response.status_code < 500, (response.status_code, response.get_data())
    elif error is None:
        assert response.status_code == status, (response.status_code, response.get_data())
    else:
        refused(response, status, error)


def test_post_client_using_basic_is_refused(
    service: Callable[[str], RelyingParty], client: FlaskClient, flask_requests: list[str]
) -> None:
    party = service("client_secret_post")
    with answered(flask_requests, by_flask=True):
        response = post_token(client, cc_body(), basic(party.client_id, party.secret or ""))
    refused(response, 401, "invalid_client")


def test_client_credentials_of_a_client_without_the_grant_are_refused(
    rp: RelyingParty, flask_requests: list[str]
) -> None:
    with answered(flask_requests, by_flask=True):
        refused(rp.client_credentials(), 400, "unauthorized_client")


def test_declined_refreshes_reach_the_grants_and_write_nothing(
    rp: RelyingParty,
    granted: dict[str, Any],
    party: Party,
    flask_requests: list[str],
    app: Flask,
    user: User,
) -> None:
    thief = party("client_secret_basic")
    before = token_rows(app)

    with answered(flask_requests, by_flask=True):
        refused(thief.refresh(granted["refresh_token"]), 400, "invalid_grant")
    with answered(flask_requests, by_flask=True):
        wrong_secret = basic(rp.client_id, (rp.secret or "") + "x")
        body = urlencode({"grant_type": "refresh_token", "refresh_token": granted["refresh_token"]})
        refused(post_token(rp.http, body, wrong_secret), 401, "invalid_client")
    set_user_status(app, user, "disabled")
    with answered(flask_requests, by_flask=True):
        refused(rp.refresh(granted["refresh_token"]), 400, "invalid_grant")
    assert token_rows(app) == before

    # None of them used the token up: once the account is back, it refreshes as usual.
    set_user_status(app, user, "active")
    with answered(flask_requests, by_flask=False):
        assert rp.refresh(granted["refresh_token"]).status_code == 200


def test_expired_refresh_token_reaches_the_grants(
    rp: RelyingParty,
    granted: dict[str, Any],
    flask_requests: list[str],
    app: Flask,
    clock: FrozenClock,
) -> None:
    clock.advance(app.extensions["idp"].settings.tokens.refresh_token_ttl_seconds)
    with answered(flask_requests, by_flask=True):
        refused(rp.refresh(granted["refresh_token"]), 400, "invalid_grant")


# What a fast refresh runs: one read (token, user, upstream session), then the rotation: on
# PostgreSQL one statement that commits by itself, elsewhere an UPDATE and an INSERT.
FAST_REFRESH_STATEMENTS = {
    "postgresql": ["SELECT", "WITH"],
    "sqlite": ["SELECT", "UPDATE", "INSERT"],
}


def test_a_fast_refresh_reads_once_and_rotates_in_as_few_statements_as_its_database_allows(
    rp: RelyingParty,
    granted: dict[str, Any],
    app: Flask,
    flask_requests: list[str],
    backend: str,
) -> None:
    with app.app_context():
        engine = db.engine
    statements: list[str] = []
    here = threading.get_ident()
    # Not the request's: the delivery pass the test client runs after each request (or the
    # worker's thread), and the client cache's generation (cached 0 s in the tests).
    others = ("outbox_messages", "registry_generations")

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if threading.get_ident() == here and not any(name in statement for name in others):
            statements.append(statement.split(None, 1)[0].upper())

    event.listen(engine, "before_cursor_execute", record)
    try:
        with answered(flask_requests, by_flask=False):
            response = rp.refresh(granted["refresh_token"])
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200, response.get_json()
    assert statements == FAST_REFRESH_STATEMENTS[backend]
    assert token_rows(app) == (2, 1, 0)  # the old token used, its successor stored


def test_a_database_error_in_the_fast_path_hands_the_request_on(
    rp: RelyingParty,
    granted: dict[str, Any],
    flask_requests: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A failing database (locked too long, connection lost) is no 500: the full pipeline
    tries again, and here succeeds."""

    def locked(conn: Any, value: str) -> None:
        raise OperationalError("SELECT ...", {}, Exception("database is locked"))

    monkeypatch.setattr(fast_token.tokens, "refresh_grant", locked)
    with answered(flask_requests, by_flask=True):
        response = rp.refresh(granted["refresh_token"])
    assert response.status_code == 200, response.get_json()
    assert rp.userinfo(response.get_json()["access_token"]).status_code == 200


# -- the body the middleware read is intact for the full pipeline -----------------------------


@pytest.mark.parametrize("method", [*SECRET_METHODS, "none"])
def test_code_exchange_still_works_through_the_middleware(
    party: Party, flask_requests: list[str], method: str
) -> None:
    rp = party(method)
    code = rp.obtain_code(scope=OFFLINE)
    with answered(flask_requests, by_flask=True):
        response = rp.exchange(code)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert rp.verify(body["id_token"])["nonce"] == rp.nonce
    assert rp.userinfo(body["access_token"]).status_code == 200
