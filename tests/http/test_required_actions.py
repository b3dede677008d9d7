"""Required actions run after the password is accepted and before the client gets a code."""

from __future__ import annotations

from sqlalchemy import select

from idp.extensions import db
from idp.i18n import text
from idp.models import BrowserSession, User
from tests.support.oidc import RelyingParty, csrf_token, query

NINETY_ONE_DAYS = 91 * 24 * 3600
NEW_PASSWORD = "Quatre chevaux galopent vers Nantes"


def change(client, url: str, new: str, confirmation: str | None = None):
    page = client.get(url)
    return client.post(
        url,
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "new_password": new,
            "confirmation": new if confirmation is None else confirmation,
        },
    )


def expired_user(factories, clock):
    user = factories.user()
    with factories.app.app_context():
        stored = db.session.get(User, user.id)
        stored.password_changed_at = clock.now() - NINETY_ONE_DAYS
        db.session.commit()
    return user


def test_expired_password_is_changed_before_the_code_is_issued(client, factories, clock):
    expired_user(factories, clock)
    rp_client, secret = factories.client(first_party=True)
    rp = RelyingParty(client, rp_client.client_id, secret)
    response = rp.walk(rp.authorize())
    assert response.status_code == 200
    assert response.request.path == "/password/change"
    url = f"/password/change?ref={response.request.args['ref']}"
    assert text("password.expired", "fr", days=90).split(":")[0] in response.get_data(as_text=True)

    weak = change(client, url, "azerty123")
    assert text("password.too_weak", "fr").replace("'", "&#39;") in weak.get_data(as_text=True)
    mismatch = change(client, url, NEW_PASSWORD, NEW_PASSWORD + "!")
    assert "Les deux saisies" in mismatch.get_data(as_text=True)
    same = change(client, url, "Correct-Horse-42")
    assert "différent de l&#39;actuel" in same.get_data(as_text=True)

    done = change(client, url, NEW_PASSWORD)
    # Its answer is the application's, with the code: no detour through /authorize/resume.
    assert rp.leaves(done), done.location
    assert "code" in query(done.location)


def test_the_action_cannot_be_skipped_by_going_back_to_the_application(client, factories, clock):
    expired_user(factories, clock)
    rp_client, secret = factories.client(first_party=True)
    rp = RelyingParty(client, rp_client.client_id, secret)
    rp.walk(rp.authorize())  # signed in, stopped at the change page
    again = rp.walk(rp.authorize())
    assert again.request.path == "/password/change"
    silent = rp.authorize(prompt="none")
    assert rp.leaves(silent)
    assert query(silent.location)["error"] == "interaction_required"


def test_temporary_password_must_be_personalised(client, factories):
    factories.user(temporary=True)
    rp_client, secret = factories.client(first_party=True)
    rp = RelyingParty(client, rp_client.client_id, secret)
    page = rp.walk(rp.authorize())
    assert page.request.path == "/password/change"
    assert text("password.temporary", "fr") in page.get_data(as_text=True)


def test_a_change_ends_the_other_sessions(app, factories, clock):
    expired_user(factories, clock)
    other = app.test_client()
    rp_client, secret = factories.client(first_party=True)
    elsewhere = RelyingParty(other, rp_client.client_id, secret)
    elsewhere.walk(elsewhere.authorize())
    mine = app.test_client()
    rp = RelyingParty(mine, rp_client.client_id, secret)
    page = rp.walk(rp.authorize())
    change(mine, f"/password/change?ref={page.request.args['ref']}", NEW_PASSWORD)
    with app.app_context():
        live = db.session.scalars(
            select(BrowserSession).where(BrowserSession.ended_at.is_(None))
        ).all()
    assert len(live) == 1


def test_abandon_signs_out(app, client, factories, clock):
    expired_user(factories, clock)
    rp_client, secret = factories.client(first_party=True)
    rp = RelyingParty(client, rp_client.client_id, secret)
    rp.walk(rp.authorize())
    page = client.get("/password/change")
    client.post("/password/abandon", data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    silent = rp.authorize(prompt="none")
    assert query(silent.location)["error"] == "login_required"
