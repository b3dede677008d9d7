"""The console's sign-in: password, then TOTP (enrolled on first use), recovery codes; its
own session (cookie flags, idle and absolute limits, re-authentication); who is refused."""

from __future__ import annotations

from http.cookies import SimpleCookie

import pytest

from idp.extensions import db
from idp.models import AdminSession
from tests.support.console import (
    COOKIE,
    console_sign_in,
    enrolment_secret,
    form_token,
    totp,
)
from tests.support.factories import DEFAULT_PASSWORD
from tests.support.oidc import csrf_token, sign_in_browser


def _password(http, identifier: str = "agent", password: str = DEFAULT_PASSWORD):
    return http.post(
        "/admin/login",
        data={
            "identifier": identifier,
            "password": password,
            "csrf_token": form_token(http, "/admin/login"),
        },
    )


def _code(http, code: str, path: str = "/admin/login/code"):
    return http.post(path, data={"code": code, "csrf_token": form_token(http, "/admin/login")})


def test_first_sign_in_enrols_the_app_then_shows_recovery_codes_once(client, factories, clock):
    factories.staff("agent", enrolled=False)
    answer = _password(client)
    assert answer.status_code == 303 and "/admin/login/enrol" in answer.headers["Location"]
    # Until the second factor, the console is closed.
    assert client.get("/admin").status_code == 303
    page = client.get("/admin/login/enrol").get_data(as_text=True)
    assert "<svg" in page
    secret = enrolment_secret(page)
    answer = _code(client, totp(secret, clock.now()), "/admin/login/enrol")
    assert answer.status_code == 200
    codes = [c for c in answer.get_data(as_text=True).split("<code>")[1:]]
    assert len(codes) == 10
    assert client.get("/admin").status_code == 200
    assert [e.outcome for e in factories.audit("staff_totp_enrolment")] == ["success"]


def test_enrolment_shows_a_new_key_each_time_until_confirmed(client, factories, clock):
    factories.staff("agent", enrolled=False)
    _password(client)
    first = enrolment_secret(client.get("/admin/login/enrol").get_data(as_text=True))
    second = enrolment_secret(client.get("/admin/login/enrol").get_data(as_text=True))
    assert first != second
    # The key shown first no longer works.
    answer = _code(client, totp(first, clock.now()), "/admin/login/enrol")
    assert "admin/login/enrol" in answer.request.path
    assert client.get("/admin").status_code == 303


def test_sign_in_with_password_and_code(client, factories, clock):
    secret = factories.staff("agent")
    console_sign_in(client, "agent", secret, at=clock.now())
    assert [e.outcome for e in factories.audit("staff_second_factor")] == ["success"]


def test_a_code_is_accepted_once(client, app, factories, clock):
    secret = factories.staff("agent")
    console_sign_in(client, "agent", secret, at=clock.now())
    other = app.test_client()
    _password(other)
    answer = _code(other, totp(secret, clock.now()))
    assert answer.status_code == 200 and "a déjà servi" in answer.get_data(as_text=True)
    assert other.get("/admin").status_code == 303


def test_an_old_code_is_refused(client, factories, clock):
    secret = factories.staff("agent")
    old = totp(secret, clock.now())
    clock.advance(90)
    _password(client)
    _code(client, old)
    assert client.get("/admin").status_code == 303


def test_a_wrong_password_never_reaches_the_code(client, factories):
    factories.staff("agent")
    answer = _password(client, password="wrong")
    assert answer.status_code == 200
    assert COOKIE not in answer.headers.get("Set-Cookie", "")
    assert client.get("/admin/login/code").status_code == 303


def test_wrong_codes_end_the_attempt(client, factories, clock):
    factories.staff("agent")
    _password(client)
    for _ in range(5):
        answer = _code(client, "000000")
    assert answer.status_code == 303 and "/admin/login" in answer.headers["Location"]
    assert client.get("/admin/login/code").status_code == 303
    outcomes = [e.outcome for e in factories.audit("staff_second_factor")]
    assert outcomes.count("invalid_code") >= 4


def test_recovery_codes_work_once_each(client, app, factories, clock):
    factories.staff("agent", enrolled=False)
    _password(client)
    secret = enrolment_secret(client.get("/admin/login/enrol").get_data(as_text=True))
    page = _code(client, totp(secret, clock.now()), "/admin/login/enrol").get_data(as_text=True)
    recovery = page.split("<code>")[1].split("</code>")[0]
    other = app.test_client()
    _password(other)
    answer = _code(other, recovery.upper())
    assert answer.status_code == 200  # the "codes left" page
    assert other.get("/admin").status_code == 200
    third = app.test_client()
    _password(third)
    _code(third, recovery)
    assert third.get("/admin").status_code == 303


def test_an_ordinary_account_meets_403(client, factories):
    factories.user("marie")
    answer = _password(client, "marie")
    assert answer.status_code == 403
    assert COOKIE not in answer.headers.get("Set-Cookie", "")
    assert [e.outcome for e in factories.audit("staff_sign_in")] == ["not_staff"]


def test_a_browser_signed_in_as_an_ordinary_account_meets_403_everywhere(client, user):
    sign_in_browser(client)
    assert client.get("/admin").status_code == 403
    assert client.get("/admin/login").status_code == 403


def test_signed_out_browsers_are_sent_to_the_console_sign_in(client):
    answer = client.get("/admin")
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("/admin/login")


def test_console_cookie_flags(client, factories, clock):
    factories.staff("agent")
    answer = _password(client)
    header = next(h for h in answer.headers.getlist("Set-Cookie") if h.startswith(COOKIE))
    cookie = SimpleCookie(header)[COOKIE]
    flags = {part.strip().lower() for part in header.split(";")[1:]}
    assert cookie["path"] == "/admin"
    assert cookie["samesite"] == "Strict"
    assert "httponly" in flags
    assert not cookie["expires"] and not cookie["max-age"]  # gone with the browser


@pytest.fixture
def signed_in(client, factories, clock):
    secret = factories.staff("agent")
    console_sign_in(client, "agent", secret, at=clock.now())
    return secret


def test_idle_console_session_ends(client, signed_in, clock, app):
    limits = app.extensions["idp"].settings.admin
    clock.advance(limits.idle_minutes * 60 - 1)
    assert client.get("/admin").status_code == 200
    clock.advance(limits.idle_minutes * 60)
    assert client.get("/admin").status_code == 303


def test_the_database_holds_no_console_secret(client, signed_in, app):
    secret = client.get_cookie(COOKIE, path="/admin").value
    with app.app_context():
        rows = db.session.query(AdminSession).all()
        assert rows and all(secret not in (r.secret_hash or "") for r in rows)


def test_signing_out_ends_the_session(client, signed_in):
    token = form_token(client, "/admin")
    answer = client.post("/admin/logout", data={"csrf_token": token})
    assert answer.status_code == 303
    assert client.get("/admin").status_code == 303


def test_next_never_leaves_the_console(client, factories, clock):
    secret = factories.staff("agent")
    page = client.get("/admin/login?next=https://evil.example/").get_data(as_text=True)
    answer = client.post(
        "/admin/login?next=https://evil.example/",
        data={"identifier": "agent", "password": DEFAULT_PASSWORD, "csrf_token": csrf_token(page)},
    )
    assert "evil.example" not in answer.headers["Location"]
    answer = _code(client, totp(secret, clock.now()))
    assert answer.headers["Location"] == "/admin"


def test_wrong_codes_lock_the_second_factor_whatever_the_password_does(app, factories, clock):
    """A stolen password buys no fresh guesses: typing it again right does not clear the
    count of wrong codes, which locks the second factor at the sign-in's limit."""
    secret = factories.staff("agent")
    limit = app.extensions["idp"].settings.lockout.max_attempts
    for _ in range(limit):
        browser = app.test_client()
        _password(browser)
        _code(browser, "000000")
    browser = app.test_client()
    _password(browser)
    answer = _code(browser, totp(secret, clock.now()))
    assert answer.status_code == 303 and "/admin/login?" in answer.headers["Location"]
    assert browser.get("/admin").status_code == 303
    assert factories.audit("staff_second_factor")[-1].outcome == "locked"


def test_a_temporary_password_is_personalised_before_the_console(client, factories):
    factories.staff("agent", password_temporary=True)
    answer = _password(client)
    assert answer.status_code == 200
    assert COOKIE not in answer.headers.get("Set-Cookie", "")
    assert "temporaire ou a expiré" in answer.get_data(as_text=True)
    assert [e.outcome for e in factories.audit("staff_sign_in")] == ["personalise_password"]
