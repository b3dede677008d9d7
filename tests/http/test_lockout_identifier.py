"""The lockout counts the identifier, not the way it was typed: failures as "marie" lock
"MARIE", " marie " and its full-width form, on the sign-in page and on the console's, for a
known and an unknown identifier alike. Otherwise changing the case would give an attacker
`max_attempts` more guesses per spelling."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from idp.extensions import db
from idp.i18n import text
from idp.models import BrowserSession
from tests.support.factories import DEFAULT_PASSWORD
from tests.support.oidc import csrf_token

SPELLINGS = ["MARIE", " marie ", "Marie", "ＭＡＲＩＥ"]  # the last: full-width (NFKC)


@pytest.fixture
def settings_overrides() -> dict[str, dict[str, object]]:
    return {"lockout": {"max_attempts": 5}}


def _post(http: FlaskClient, url: str, identifier: str, password: str) -> str:
    token = csrf_token(http.get(url).get_data(as_text=True))
    data = {"csrf_token": token, "identifier": identifier, "password": password}
    response = http.post(url, data=data)
    assert response.status_code == 200, (identifier, response.status_code)
    return response.get_data(as_text=True)


def _locked(page: str) -> bool:
    opening = text("login.locked", "fr", minutes=999).split("999")[0]
    return opening.replace("'", "&#39;") in page


def _fail_five_times(client: FlaskClient, identifier: str) -> None:
    for attempt in range(5):
        page = _post(client, "/login", identifier, "wrong password")
        assert _locked(page) == (attempt == 4), attempt


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_five_failures_as_marie_lock_every_spelling(app, client, user, spelling):
    _fail_five_times(client, "marie")
    other = app.test_client()  # another browser: the lock is the identifier's, not a cookie's
    assert _locked(_post(other, "/login", spelling, DEFAULT_PASSWORD))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BrowserSession)) == 0


def test_failures_spread_over_spellings_add_up(app, client, user):
    for spelling in ["marie", *SPELLINGS][:4]:
        assert not _locked(_post(client, "/login", spelling, "wrong password"))
    assert _locked(_post(client, "/login", " MaRiE", "wrong password"))
    assert _locked(_post(app.test_client(), "/login", "marie", DEFAULT_PASSWORD))


def test_an_unknown_identifier_is_locked_the_same_way(app, client, user):
    _fail_five_times(client, "nobody")
    assert _locked(_post(app.test_client(), "/login", " NOBODY ", "wrong password"))


def test_the_console_sign_in_shares_the_normalised_lock(app, client, user):
    _fail_five_times(client, "marie")
    page = _post(app.test_client(), "/admin/login", " MARIE ", DEFAULT_PASSWORD)
    assert _locked(page)
