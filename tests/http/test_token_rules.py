"""One rulebook for the token endpoint (idp.oidc.token_rules), whichever path answers.

Every case runs twice: with the fast path before Flask (idp.oidc.fast_token), and with the app
built without it, so that Flask and the Authlib grants answer everything. A refusal must be
the same answer on both (status, error, description, and its consequences); an accepted
request must be answered by the fast path when there is one. A rule held by the grants but not
by the rulebook would let the fast path issue what the grants refuse: the refusal cases would
fail with the fast path on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from authlib.oauth2.rfc6749 import InvalidRequestError
from flask import Flask, request, request_started
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from idp.clock import FrozenClock
from idp.extensions import db
from idp.models import User
from idp.oidc import fast_token, token_rules
from idp.services.clients import ClientSpec
from tests.support.factories import Factories
from tests.support.oidc import REDIRECT_URI, RelyingParty, basic

OFFLINE = "openid profile email offline_access"
ALL_GRANTS = ("authorization_code", "refresh_token", "client_credentials")


@pytest.fixture(autouse=True, params=["fast path", "grants only"])
def fast_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Autouse, so that it runs before the app is built: "grants only" builds the app without
    the fast path's middleware."""
    if request.param == "grants only":
        monkeypatch.setattr(fast_token, "FastTokenEndpoint", lambda wsgi_app, app: wsgi_app)
    return request.param == "fast path"


@pytest.fixture
def flask_requests(app: Flask) -> Iterator[list[str]]:
    """The paths of the requests that reached Flask (the fast path's answers never do)."""
    seen: list[str] = []

    def record(sender: Flask, **extra: Any) -> None:
        seen.append(request.path)

    with request_started.connected_to(record, app):
        yield seen


@dataclass
class Scene:
    """A relying party allowed every grant, holding a refresh token for Marie."""

    app: Flask
    http: FlaskClient
    factories: Factories
    clock: FrozenClock
    user: User
    rp: RelyingParty
    refresh_token: str

    def update_client(self, **spec: Any) -> None:
        base = ClientSpec(name="Application test", redirect_uris=(REDIRECT_URI,))
        rt = self.app.extensions["idp"]
        with self.app.app_context():
            rt.clients.update(
                self.rp.client_id,
                replace(base, **{"grant_types": ALL_GRANTS, **spec}),
                now=rt.now(),
                by="test",
            )
            db.session.commit()

    def set_user_status(self, status: str) -> None:
        with self.app.app_context():
            db.session.get(User, self.user.id).status = status
            db.session.commit()

    def other_party(self, **spec: Any) -> RelyingParty:
        registered, secret = self.factories.client(name="Autre application", **spec)
        return RelyingParty(self.http, registered.client_id, secret, clock=self.clock)


@pytest.fixture
def scene(
    app: Flask, client: FlaskClient, factories: Factories, clock: FrozenClock, user: User
) -> Scene:
    registered, secret = factories.client(grant_types=ALL_GRANTS)
    rp = RelyingParty(client, registered.client_id, secret, clock=clock)
    granted = rp.tokens(scope=OFFLINE)
    # The back channel, as a relying party's server calls it: no browser cookies.
    rp.http = app.test_client()
    return Scene(app, rp.http, factories, clock, user, rp, granted["refresh_token"])


def reused(scene: Scene) -> TestResponse:
    assert scene.rp.refresh(scene.refresh_token).status_code == 200
    return scene.rp.refresh(scene.refresh_token)


def expired(scene: Scene) -> TestResponse:
    scene.clock.advance(scene.app.extensions["idp"].settings.tokens.refresh_token_ttl_seconds)
    return scene.rp.refresh(scene.refresh_token)


def revoked(scene: Scene) -> TestResponse:
    assert scene.rp.revoke(scene.refresh_token).status_code == 200
    return scene.rp.refresh(scene.refresh_token)


def user_disabled(scene: Scene) -> TestResponse:
    scene.set_user_status("disabled")
    return scene.rp.refresh(scene.refresh_token)


def habilitation_now_required(scene: Scene) -> TestResponse:
    """The client starts requiring a habilitation that Marie does not hold (the code exchange
    refused her already; her refresh token must not outlive the rule)."""
    scene.update_client(requires_habilitation=True)
    return scene.rp.refresh(scene.refresh_token)


def refresh_grant_withdrawn(scene: Scene) -> TestResponse:
    scene.update_client(grant_types=("authorization_code", "client_credentials"))
    return scene.rp.refresh(scene.refresh_token)


def cc_grant_withdrawn(scene: Scene) -> TestResponse:
    scene.update_client(grant_types=("authorization_code", "refresh_token"))
    return scene.rp.client_credentials()


def client_disabled(scene: Scene) -> TestResponse:
    with scene.app.app_context():
        rt = scene.app.extensions["idp"]
        rt.clients.set_disabled(scene.rp.client_id, True, now=rt.now(), by="test")
        db.session.commit()
    return scene.rp.refresh(scene.refresh_token)


def public_client_credentials(scene: Scene) -> TestResponse:
    public = scene.other_party(public=True)
    return public.client_credentials()


# name: (request, status, error, description or None when Authlib's default)
REFUSALS: dict[str, tuple[Callable[[Scene], TestResponse], int, str, str | None]] = {
    "refresh: unknown token": (lambda s: s.rp.refresh("nope"), 400, "invalid_grant", None),
    "refresh: no token": (
        lambda s: s.rp.post_authenticated("/token", grant_type="refresh_token"),
        400,
        "invalid_request",
        "Missing 'refresh_token' in request.",
    ),
    "refresh: another client's token": (
        lambda s: s.other_party().refresh(s.refresh_token),
        400,
        "invalid_grant",
        None,
    ),
    "refresh: used token": (reused, 400, "invalid_grant", None),
    "refresh: expired token": (expired, 400, "invalid_grant", None),
    "refresh: revoked token": (revoked, 400, "invalid_grant", None),
    "refresh: wider scope": (
        lambda s: s.rp.refresh(s.refresh_token, scope=OFFLINE + " phone"),
        400,
        "invalid_scope",
        None,
    ),
    "refresh: account disabled": (
        user_disabled,
        400,
        "invalid_grant",
        "The account is no longer active.",
    ),
    "refresh: habilitation now required": (
        habilitation_now_required,
        400,
        "invalid_grant",
        token_rules.NOT_HABILITATED,
    ),
    "refresh: grant type withdrawn": (
        refresh_grant_withdrawn,
        400,
        "unauthorized_client",
        "The client is not authorized to use 'grant_type=refresh_token'",
    ),
    "refresh: wrong secret": (
        lambda s: s.http.post(
            "/token",
            data={"grant_type": "refresh_token", "refresh_token": s.refresh_token},
            headers=basic(s.rp.client_id, (s.rp.secret or "") + "x"),
        ),
        401,
        "invalid_client",
        None,
    ),
    "refresh: client disabled": (client_disabled, 401, "invalid_client", None),
    "client_credentials: grant type withdrawn": (
        cc_grant_withdrawn,
        400,
        "unauthorized_client",
        "The client is not authorized to use 'grant_type=client_credentials'",
    ),
    "client_credentials: unknown scope": (
        lambda s: s.rp.client_credentials(scope="openid admin"),
        400,
        "invalid_scope",
        None,
    ),
    "client_credentials: public client": (public_client_credentials, 401, "invalid_client", None),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_a_refusal_is_the_same_on_both_paths(
    scene: Scene, flask_requests: list[str], case: str
) -> None:
    send, status, error, description = REFUSALS[case]
    flask_requests.clear()
    response = send(scene)
    body = response.get_json()
    assert response.status_code == status, (response.status_code, body)
    assert body["error"] == error, body
    if description is not None:
        assert body["error_description"] == description, body
    assert "access_token" not in body
    # Whichever path is on, the grants gave the answer.
    assert flask_requests[-1:] == ["/token"]


def test_a_reuse_ends_the_grant_on_both_paths(scene: Scene, factories: Factories) -> None:
    second = scene.rp.refresh(scene.refresh_token).get_json()
    assert scene.rp.refresh(scene.refresh_token).get_json()["error"] == "invalid_grant"
    assert len(factories.audit("refresh_token_reused")) == 1
    assert scene.rp.userinfo(second["access_token"]).status_code == 401
    assert scene.rp.refresh(second["refresh_token"]).get_json()["error"] == "invalid_grant"


def test_refused_refreshes_leave_the_token_usable(scene: Scene) -> None:
    """Refusals that are no misuse spend nothing: the token refreshes once they are lifted."""
    assert user_disabled(scene).status_code == 400
    scene.set_user_status("active")
    assert habilitation_now_required(scene).status_code == 400
    scene.update_client(requires_habilitation=False)
    assert scene.rp.refresh(scene.refresh_token).status_code == 200


@pytest.mark.parametrize("grant", ["refresh", "client_credentials"])
def test_an_accepted_request_is_answered_by_the_fast_path_when_on(
    scene: Scene, flask_requests: list[str], fast_path: bool, grant: str
) -> None:
    flask_requests.clear()
    if grant == "refresh":
        response = scene.rp.refresh(scene.refresh_token)
    else:
        response = scene.rp.client_credentials(scope="openid")
    assert response.status_code == 200, response.get_json()
    assert "access_token" in response.get_json()
    assert flask_requests == ([] if fast_path else ["/token"])


@pytest.mark.parametrize("grant", ["refresh", "client_credentials"])
def test_a_rule_added_to_the_rulebook_holds_on_both_paths(
    scene: Scene, monkeypatch: pytest.MonkeyPatch, grant: str
) -> None:
    """A new refusal written once, in the check function, applies whichever path is on."""
    refusal = token_rules.Refusal(InvalidRequestError, "A new rule.")
    name = "check_refresh" if grant == "refresh" else "check_client_credentials"
    monkeypatch.setattr(token_rules, name, lambda *args, **kwargs: refusal)
    if grant == "refresh":
        response = scene.rp.refresh(scene.refresh_token)
    else:
        response = scene.rp.client_credentials()
    assert response.status_code == 400, response.get_json()
    assert response.get_json() == {"error": "invalid_request", "error_description": "A new rule."}
