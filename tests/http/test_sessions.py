"""Browser sessions: cookie rotation at sign-in, cookie flags, idle and absolute expiry, CSRF."""

from __future__ import annotations

from http.cookies import SimpleCookie

import jwt
import pytest
from flask.testing import FlaskClient

from idp import create_app
from idp.extensions import db
from idp.models import BrowserSession
from idp.services.hashing import token_hash
from tests.conftest import settings_for
from tests.support.oidc import csrf_token, query, session_cookie, sign_in_browser

COOKIE = "idp_session"


def _signed_in(http: FlaskClient) -> bool:
    """The IdP's home page names the signed-in account."""
    return "marie" in http.get("/").get_data(as_text=True)


def _set_cookie(response, name: str = COOKIE) -> dict[str, str]:
    for header in response.headers.getlist("Set-Cookie"):
        cookie = SimpleCookie(header)
        if name in cookie:
            morsel = cookie[name]
            flags = {k.lower() for k in header.split(";")[1:]}
            return {
                "value": morsel.value,
                "httponly": str("httponly" in {f.strip() for f in flags}),
                "samesite": morsel["samesite"],
                "secure": str("secure" in {f.strip() for f in flags}),
                "path": morsel["path"],
            }
    raise AssertionError(f"no {name} cookie set")


def test_sign_in_cookie_flags(client, user):
    response = sign_in_browser(client)
    cookie = _set_cookie(response)
    assert cookie["httponly"] == "True"
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert cookie["secure"] == "False"  # http issuer in tests; see the https test below


@pytest.fixture
def https_app(base_dir, backend, clock):
    settings = settings_for(base_dir, backend, server={"issuer": "https://idp.test"})
    app = create_app(settings, clock=clock)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_cookie_is_secure_and_hsts_on_an_https_issuer(https_app, user):
    http = https_app.test_client()
    page = http.get("/login", base_url="https://localhost")
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    response = http.post(
        "/login",
        base_url="https://localhost",
        headers={"Referer": "https://localhost/login"},
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "identifier": "marie",
            "password": "Correct-Horse-42",
        },
    )
    assert response.status_code == 303
    assert _set_cookie(response)["secure"] == "True"


def test_sign_in_issues_a_new_session_cookie(rp):
    rp.authorize()  # a pre-sign-in cookie (browser binding) now exists
    before = session_cookie(rp.http)
    assert before
    rp.tokens()
    after = session_cookie(rp.http)
    assert after and after != before


def test_no_fixation_a_planted_cookie_stays_signed_out(rp, app):
    rp.authorize()
    planted = session_cookie(rp.http)
    attacker = app.test_client()
    attacker.set_cookie(COOKIE, planted)
    rp.tokens()  # the victim signs in with the planted cookie
    assert _signed_in(rp.http)
    assert not _signed_in(attacker)


def test_signing_in_again_ends_the_previous_session(rp, app):
    rp.tokens()
    old = session_cookie(rp.http)
    rp.tokens(prompt="login")
    assert session_cookie(rp.http) != old
    replay = app.test_client()
    replay.set_cookie(COOKIE, old)
    assert not _signed_in(replay)
    assert _signed_in(rp.http)


def _cookie_secret(app, http: FlaskClient) -> str:
    """The session secret inside the signed cookie, as the browser holds it."""
    data = app.session_interface.get_signing_serializer(app).loads(session_cookie(http))
    return data["sid"]


def test_database_holds_no_session_secret(rp, app):
    """A copy of the database gives no cookie: sessions, codes, tokens and pending requests
    name the session by the hash of its secret, which ID tokens carry as `sid`."""
    id_token = rp.tokens()["id_token"]
    secret = _cookie_secret(app, rp.http)
    assert len(secret) >= 32
    with app.app_context():
        stored = [
            str(value)
            for table in db.metadata.sorted_tables
            for row in db.session.execute(table.select())
            for value in row
        ]
        sessions_rows = db.session.execute(BrowserSession.__table__.select()).all()
    assert len(sessions_rows) == 1
    assert sessions_rows[0].sid == token_hash(secret)
    assert [value for value in stored if secret in value] == []
    assert jwt.decode(id_token, options={"verify_signature": False})["sid"] == token_hash(secret)
    assert _signed_in(rp.http)


def test_a_request_that_leaves_the_session_alone_sets_no_cookie(client, user):
    """The gauge's background request must not put back an older cookie over a newer one
    (a flashed confirmation was lost when it answered after the form's redirect)."""
    sign_in_browser(client)
    response = client.post(
        "/password/strength",
        data={"password": "x"},
        headers={"X-CSRFToken": csrf_token(client.get("/account/password").get_data(as_text=True))},
    )
    assert response.status_code == 200
    assert not [h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE)]


def test_tampered_cookie_is_ignored(client, user):
    sign_in_browser(client)
    value = session_cookie(client)
    client.set_cookie(COOKIE, value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1])
    assert not _signed_in(client)


@pytest.fixture
def limits(app):
    return app.extensions["idp"].settings.session


def test_idle_session_expires(client, user, clock, limits):
    sign_in_browser(client)
    clock.advance(limits.idle_minutes * 60 - 1)
    assert _signed_in(client)
    clock.advance(limits.idle_minutes * 60)
    assert not _signed_in(client)


def test_activity_keeps_the_session_alive(client, user, clock, limits):
    sign_in_browser(client)
    for _ in range(3):
        clock.advance(limits.idle_minutes * 60 - 60)
        assert _signed_in(client)


def test_absolute_expiry_despite_activity(client, user, clock, limits):
    sign_in_browser(client)
    step = limits.idle_minutes * 60 - 60
    elapsed = 0
    while elapsed + step < limits.absolute_hours * 3600:
        clock.advance(step)
        elapsed += step
        assert _signed_in(client), elapsed
    clock.advance(limits.absolute_hours * 3600 - elapsed)
    assert not _signed_in(client)


def test_expired_session_means_login_required(rp, clock, limits):
    rp.tokens()
    clock.advance(limits.idle_minutes * 60)
    params = query(rp.authorize(prompt="none").location)
    assert params["error"] == "login_required"


def test_expired_session_asks_to_sign_in_again(rp, clock, limits):
    rp.tokens()
    clock.advance(limits.idle_minutes * 60)
    assert rp.authorize().location.startswith("/login?ref=")


def test_sign_in_post_without_csrf_token_is_refused(client, user):
    response = client.post("/login", data={"identifier": "marie", "password": "Correct-Horse-42"})
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert not _signed_in(client)


def test_sign_in_post_with_another_browsers_csrf_token_is_refused(client, app, user):
    other = app.test_client()
    token = csrf_token(other.get("/login").get_data(as_text=True))
    client.get("/login")
    response = client.post(
        "/login", data={"csrf_token": token, "identifier": "marie", "password": "Correct-Horse-42"}
    )
    assert response.status_code == 400
    assert not _signed_in(client)


def test_consent_post_without_csrf_token_is_refused(rp):
    response = rp.authorize()
    response = rp.sign_in(response.location)
    consent_url = response.location
    assert consent_url.startswith("/consent/")
    refused = rp.http.post(consent_url, data={"approve": "1"})
    assert refused.status_code == 400
    assert refused.mimetype == "text/html"
