"""OpenID Connect Back-Channel Logout 1.0: a relying application's receiver, on a real port,
gets a logout token it can verify with an independent library (PyJWT, the published JWKS)
whenever a session it took part in ends; failures are retried with backoff, then abandoned."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient
from sqlalchemy import delete, select

from idp.extensions import db
from idp.models import Habilitation, LogoutDelivery, User
from idp.oidc import backchannel
from idp.services import logout_deliveries, subscriptions, users
from tests.support.backchannel import Receiver, serve_receiver, verify_logout_token
from tests.support.cli import Operator, delivery_worker, wait_for
from tests.support.factories import DEFAULT_PASSWORD
from tests.support.oidc import RelyingParty, csrf_token, sign_in_browser
from tests.support.outbox import settle


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from serve_receiver(Receiver())


@pytest.fixture
def other_receiver() -> Iterator[Receiver]:
    yield from serve_receiver(Receiver())


class WaitsForLogouts(FlaskClient):
    """Reads each answer, then waits for the work left beside it: the logout deliveries and
    the e-mails (a password change notice)."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        response = super().open(*args, buffered=True, **kwargs)
        self.application.extensions["idp.backchannel"].wait()
        settle(self.application)
        return response


@pytest.fixture
def client(app) -> FlaskClient:
    return WaitsForLogouts(app, use_cookies=True)


@pytest.fixture
def idp(app, tmp_path) -> Operator:
    return Operator(app, tmp_path)


def _rp(client: FlaskClient, factories, clock, receiver: Receiver | None, **spec: Any):
    uri = {"backchannel_logout_uri": receiver.url} if receiver else {}
    registered, secret = factories.client(first_party=True, **uri, **spec)
    return RelyingParty(client, registered.client_id, secret, clock=clock)


def _logout(http: FlaskClient, id_token: str):
    return http.get("/logout?" + urlencode({"id_token_hint": id_token}))


def _change_password(http: FlaskClient):
    page = http.get("/account/password")
    new = "Quatre chevaux galopent vers Nantes"
    return http.post(
        "/account/password",
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "current_password": DEFAULT_PASSWORD,
            "new_password": new,
            "confirmation": new,
        },
    )


def _deliveries(app) -> list[LogoutDelivery]:
    with app.app_context():
        rows = list(db.session.scalars(select(LogoutDelivery).order_by(LogoutDelivery.id)))
        db.session.expunge_all()
        return rows


def _run(idp: Operator) -> dict[str, int]:
    """One pass of the delivery worker (`idp deliveries run --once`): its logout counts."""
    result = idp("deliveries", "run", "--once", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["logout"]


@pytest.mark.parametrize("subject_type", ["public", "pairwise"])
def test_sign_out_tells_the_application_with_a_token_it_canverify_logout_token(
    client, factories, clock, user, receiver, subject_type
):
    rp = _rp(client, factories, clock, receiver, subject_type=subject_type)
    id_token = rp.tokens()["id_token"]
    seen = rp.verify(id_token)
    if subject_type == "pairwise":
        assert seen["sub"] != user.subject
    signed_out_at = clock.now()

    assert _logout(client, id_token).status_code == 303

    assert len(receiver.received) == 1
    assert receiver.received[0]["content_type"] == "application/x-www-form-urlencoded"
    claims = verify_logout_token(client, receiver.tokens()[0], rp.client_id)
    assert claims["sub"] == seen["sub"]
    assert claims["sid"] == seen["sid"]
    assert claims["iat"] == signed_out_at and claims["exp"] == signed_out_at + 120
    assert len(claims["jti"]) >= 16
    audited = factories.audit("backchannel_logout")
    assert [(a.outcome, a.client_id, a.detail["status"]) for a in audited] == [
        ("success", rp.client_id, 200)
    ]


def test_each_token_is_new(client, factories, clock, user, receiver):
    """Two sessions, two tokens: distinct `jti` and `sid`."""
    rp = _rp(client, factories, clock, receiver)
    first = rp.tokens()["id_token"]
    _logout(client, first)
    second = rp.tokens()["id_token"]
    _logout(client, second)
    one, two = (verify_logout_token(client, t, rp.client_id) for t in receiver.tokens())
    assert one["jti"] != two["jti"] and one["sid"] != two["sid"]


def test_only_applications_of_that_session_with_a_uri_are_told(
    app, client, factories, clock, user, receiver, other_receiver
):
    told = _rp(client, factories, clock, receiver)
    id_token = told.tokens()["id_token"]
    # Another application of the same session, without a back-channel URI.
    silent = _rp(client, factories, clock, None)
    silent.tokens()
    # An application with a URI that Marie only used in another browser.
    elsewhere = _rp(WaitsForLogouts(app, use_cookies=True), factories, clock, other_receiver)
    elsewhere.tokens()

    _logout(client, id_token)

    assert [verify_logout_token(client, t, told.client_id)["aud"] for t in receiver.tokens()] == [
        told.client_id
    ]
    assert other_receiver.received == []
    assert [d.client_id for d in _deliveries(app)] == [told.client_id]


def test_an_account_disabled_by_an_operator(app, client, factories, clock, user, receiver, idp):
    rp = _rp(client, factories, clock, receiver)
    seen = rp.verify(rp.tokens()["id_token"])
    assert idp("users", "disable", "marie").exit_code == 0
    assert receiver.received == []  # the command queues; the worker sends
    pending = json.loads(idp("logout-deliveries", "list", "--pending", "--json").output)
    assert [(d["client_id"], d["state"], d["attempts"]) for d in pending] == [
        (rp.client_id, "pending", 0)
    ]

    assert _run(idp) == {"delivered": 1, "retrying": 0, "abandoned": 0}

    claims = verify_logout_token(client, receiver.tokens()[0], rp.client_id)
    assert (claims["sub"], claims["sid"]) == (seen["sub"], seen["sid"])
    assert json.loads(idp("logout-deliveries", "list", "--pending", "--json").output) == []
    assert _run(idp) == {"delivered": 0, "retrying": 0, "abandoned": 0}
    assert len(receiver.received) == 1


def test_a_password_change_ends_the_other_sessions(app, client, factories, clock, user, receiver):
    rp = _rp(client, factories, clock, receiver)
    seen = rp.verify(rp.tokens()["id_token"])
    other_browser = WaitsForLogouts(app, use_cookies=True)
    sign_in_browser(other_browser)

    assert _change_password(other_browser).status_code == 303

    claims = verify_logout_token(client, receiver.tokens()[0], rp.client_id)
    assert (claims["sub"], claims["sid"]) == (seen["sub"], seen["sid"])


def test_a_withdrawn_habilitation(app, client, factories, clock, user, receiver, idp):
    rp = _rp(client, factories, clock, receiver, requires_habilitation=True)
    with app.app_context():
        users.grant(db.session.get(User, user.id), rp.client_id, now=clock.now(), by="test")
        db.session.commit()
    seen = rp.verify(rp.tokens()["id_token"])
    with app.app_context():
        db.session.execute(delete(Habilitation).where(Habilitation.user_id == user.id))
        subscriptions.enforce([user.id], now=clock.now())
        db.session.commit()

    assert _run(idp)["delivered"] == 1

    claims = verify_logout_token(client, receiver.tokens()[0], rp.client_id)
    assert (claims["sub"], claims["sid"]) == (seen["sub"], seen["sid"])


def test_a_failed_delivery_is_retried_after_its_backoff(
    app, client, factories, clock, user, receiver, idp
):
    receiver.statuses = [500]
    rp = _rp(client, factories, clock, receiver)
    _logout(client, rp.tokens()["id_token"])
    (delivery,) = _deliveries(app)
    assert (delivery.attempts, delivery.last_status) == (1, 500)
    assert delivery.next_attempt_at == clock.now() + logout_deliveries.BACKOFF_SECONDS[0]

    clock.advance(logout_deliveries.BACKOFF_SECONDS[0] - 1)
    assert _run(idp)["delivered"] == 0  # not due yet
    assert len(receiver.received) == 1
    clock.advance(1)
    assert _run(idp)["delivered"] == 1

    first, second = receiver.tokens()
    assert first != second  # re-signed: the first one's short life may be over
    claims = verify_logout_token(client, second, rp.client_id)
    assert claims["iat"] == clock.now()
    audited = factories.audit("backchannel_logout")
    assert [(a.outcome, a.detail["status"], a.detail["attempt"]) for a in audited] == [
        ("error", 500, 1),
        ("success", 200, 2),
    ]
    assert audited[0].detail["retrying"] is True


def test_the_worker_process_sends_a_retry_once_it_is_due(
    app, client, factories, clock, user, receiver, tmp_path
):
    """One worker for the operator to run: `idp deliveries run`, a process of its own on the
    system clock, sends the logout token whose first attempt failed once its backoff ends."""
    receiver.statuses = [500]
    rp = _rp(client, factories, clock, receiver)
    id_token = rp.tokens()["id_token"]
    # The sign-out happened one backoff ago: the retry is due by the worker's own clock.
    clock.advance(-logout_deliveries.BACKOFF_SECONDS[0])
    _logout(client, id_token)
    (delivery,) = _deliveries(app)
    assert (delivery.attempts, delivery.last_status) == (1, 500)
    with delivery_worker(app, tmp_path):
        wait_for(lambda: len(receiver.received) >= 2)
    assert len(receiver.received) == 2
    verify_logout_token(client, receiver.tokens()[1], rp.client_id)
    (delivery,) = _deliveries(app)
    assert (delivery.attempts, delivery.last_status) == (2, 200)
    assert logout_deliveries.state(delivery) == "delivered"


def test_a_worker_stopped_while_a_logout_token_is_on_its_way_records_its_answer(
    app, client, factories, clock, user, receiver, tmp_path
):
    """A restart or a deployment stops `idp deliveries run` (SIGTERM) at any moment: the
    attempt under way ends and is recorded, rather than cut short, left reserved and sent
    again once its lease ends."""
    receiver.statuses = [500]
    rp = _rp(client, factories, clock, receiver)
    id_token = rp.tokens()["id_token"]
    clock.advance(-logout_deliveries.BACKOFF_SECONDS[0])
    _logout(client, id_token)
    receiver.delay = 1.5  # the retry's answer takes a while
    with delivery_worker(app, tmp_path):
        wait_for(lambda: len(receiver.received) >= 2)
    # Stopped before the application answered.
    (delivery,) = _deliveries(app)
    assert (delivery.attempts, delivery.last_status) == (2, 200)
    assert logout_deliveries.state(delivery) == "delivered"
    assert len(receiver.received) == 2


def test_a_logout_pass_asked_to_stop_makes_no_further_attempt(
    app, client, factories, clock, user, receiver, other_receiver
):
    """`stopping` is asked before each attempt: the worker stops within one attempt."""
    receiver.statuses, other_receiver.statuses = [500], [500]
    first = _rp(client, factories, clock, receiver)
    first.tokens()
    second = _rp(client, factories, clock, other_receiver)
    _logout(client, second.tokens()["id_token"])
    clock.advance(logout_deliveries.BACKOFF_SECONDS[0])
    retries = lambda: len(receiver.received) + len(other_receiver.received) - 2  # noqa: E731
    with app.app_context():
        counts = backchannel.send_due(app.extensions["idp"], stopping=lambda: retries() >= 1)
    assert counts == {"delivered": 1, "retrying": 0, "abandoned": 0}
    assert retries() == 1
    assert sorted(logout_deliveries.state(d) for d in _deliveries(app)) == [
        "delivered",
        "pending",
    ]


def test_gives_up_after_the_last_attempt(app, client, factories, clock, user, receiver, idp):
    receiver.statuses = [503] * 20
    rp = _rp(client, factories, clock, receiver)
    _logout(client, rp.tokens()["id_token"])
    for wait in logout_deliveries.BACKOFF_SECONDS:
        clock.advance(wait)
        assert _run(idp)["delivered"] == 0

    assert len(receiver.received) == logout_deliveries.MAX_ATTEMPTS == 6
    (delivery,) = _deliveries(app)
    assert logout_deliveries.state(delivery) == "abandoned"
    audited = factories.audit("backchannel_logout")
    assert [a.outcome for a in audited] == ["error"] * 6
    assert [a.detail["retrying"] for a in audited] == [True] * 5 + [False]
    clock.advance(86400)
    assert _run(idp) == {"delivered": 0, "retrying": 0, "abandoned": 0}
    listed = json.loads(idp("logout-deliveries", "list", "--json").output)
    assert [(d["state"], d["attempts"], d["last_status"]) for d in listed] == [
        ("abandoned", 6, 503)
    ]


def test_sign_out_answers_at_once_when_the_application_hangs(
    app, factories, clock, user, receiver, monkeypatch
):
    monkeypatch.setattr(backchannel, "TIMEOUT_SECONDS", 2.0)
    receiver.delay = 5
    http = FlaskClient(app, use_cookies=True)  # does not wait for the work beside answers
    rp = _rp(http, factories, clock, receiver)
    id_token = rp.tokens()["id_token"]

    started = time.monotonic()
    response = _logout(http, id_token)
    assert response.status_code == 303
    assert time.monotonic() - started < 1.0
    # The e-mails' worker is not the one waiting for the application.
    mails = app.extensions["idp.deferred"]
    started = time.monotonic()
    mails.submit([lambda rt: None])
    mails.wait()
    assert time.monotonic() - started < 1.0

    app.extensions["idp.backchannel"].wait()
    (delivery,) = _deliveries(app)
    assert delivery.delivered_at is None and delivery.last_error == "ReadTimeout"
    assert delivery.next_attempt_at == clock.now() + logout_deliveries.BACKOFF_SECONDS[0]


def test_an_application_that_is_down_is_retried(app, client, factories, clock, user, idp):
    rp = _rp(client, factories, clock, None, backchannel_logout_uri="http://127.0.0.1:9/nobody")
    _logout(client, rp.tokens()["id_token"])
    (delivery,) = _deliveries(app)
    assert delivery.attempts == 1 and delivery.last_error == "ConnectionError"
    assert factories.audit("backchannel_logout")[0].outcome == "error"


def test_discovery_advertises_back_channel_logout(client):
    meta = client.get("/.well-known/openid-configuration").get_json()
    assert meta["backchannel_logout_supported"] is True
    assert meta["backchannel_logout_session_supported"] is True


def test_registration_records_the_uri_and_the_session_flag(idp):
    added = idp(
        "clients",
        "add",
        "--name",
        "Portail",
        "--redirect-uri",
        "https://rp.example/callback",
        "--backchannel-logout-uri",
        "https://rp.example/backchannel",
        "--no-backchannel-session",
        "--json",
    )
    assert added.exit_code == 0, added.output
    client_id = json.loads(added.output)["client_id"]
    shown = json.loads(idp("clients", "show", client_id, "--json").output)
    assert shown["backchannel_logout_uri"] == "https://rp.example/backchannel"
    assert shown["backchannel_logout_session_required"] is False
    listed = json.loads(idp("clients", "list", "--json").output)
    assert [c["backchannel_logout_session_required"] for c in listed] == [False]


@pytest.mark.parametrize(
    "uri",
    [
        "https://rp.example/backchannel#fragment",
        "http://rp.example/backchannel",
        "/backchannel",
        "fr.example.app:/backchannel",
        "",
    ],
)
def test_registration_refuses_a_bad_uri(idp, uri):
    result = idp(
        "clients",
        "add",
        "--name",
        "Portail",
        "--redirect-uri",
        "https://rp.example/callback",
        "--backchannel-logout-uri",
        uri,
    )
    assert result.exit_code != 0
    assert "back-channel logout URI must" in result.output
    assert json.loads(idp("clients", "list", "--json").output) == []


def test_two_senders_never_post_the_same_delivery(app, client, factories, clock, user, receiver):
    """The worker and the deferred sender may both find a delivery due: one takes it."""
    receiver.statuses = [500]
    rp = _rp(client, factories, clock, receiver)
    _logout(client, rp.tokens()["id_token"])
    clock.advance(logout_deliveries.BACKOFF_SECONDS[0])
    with app.app_context():
        (due,) = logout_deliveries.due(now=clock.now())
        first = logout_deliveries.reserve(due, now=clock.now())
        db.session.commit()
        second = logout_deliveries.reserve(due, now=clock.now())
        assert first is not None and first.attempts == 2
        assert second is None
        assert logout_deliveries.due(now=clock.now()) == []


def test_an_idle_session_noticed_at_the_next_request(client, factories, clock, user, receiver):
    rp = _rp(client, factories, clock, receiver)
    seen = rp.verify(rp.tokens()["id_token"])
    clock.advance(31 * 60)  # [session] idle_minutes = 30

    rp.authorize()  # the browser comes back: the session is found idle, and ended

    claims = verify_logout_token(client, receiver.tokens()[0], rp.client_id)
    assert (claims["sub"], claims["sid"]) == (seen["sub"], seen["sid"])


def test_a_removed_client_is_abandoned(app, client, factories, clock, user, receiver, idp):
    receiver.statuses = [500]
    rp = _rp(client, factories, clock, receiver)
    _logout(client, rp.tokens()["id_token"])
    assert idp("clients", "remove", rp.client_id, "--yes").exit_code == 0
    clock.advance(logout_deliveries.BACKOFF_SECONDS[0])

    assert _run(idp) == {"delivered": 0, "retrying": 0, "abandoned": 1}

    assert len(receiver.received) == 1
    last = factories.audit("backchannel_logout")[-1]
    assert (last.outcome, last.client_id, last.detail["retrying"]) == ("error", rp.client_id, False)
    listed = idp("logout-deliveries", "list").output
    assert "abandoned" in listed and rp.client_id in listed


def test_a_closed_organisation(client, factories, clock, receiver, idp):
    rp = _rp(client, factories, clock, receiver)
    factories.service("BONUS", rp.client_id)
    factories.organisation("asp1ent", services=("BONUS",))
    seen = rp.verify(rp.tokens(identifier="asp1ent")["id_token"])

    assert idp("orgs", "status", "asp1ent", "closed").exit_code == 0
    assert _run(idp)["delivered"] == 1

    claims = verify_logout_token(client, receiver.tokens()[0], rp.client_id)
    assert (claims["sub"], claims["sid"]) == (seen["sub"], seen["sid"])
