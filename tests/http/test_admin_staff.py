"""Staff management (console "Agents" page and `idp staff`), and re-authentication before
changes once `[admin] reauth_minutes` have passed."""

from __future__ import annotations

import json

import pytest

from tests.support.cli import Operator
from tests.support.console import console_sign_in, form_token, totp
from tests.support.factories import DEFAULT_PASSWORD


@pytest.fixture
def idp(app, tmp_path) -> Operator:
    return Operator(app, tmp_path)


@pytest.fixture
def admin(client, factories, clock) -> str:
    secret = factories.staff("chef", "admin")
    assert secret is not None
    console_sign_in(client, "chef", secret, at=clock.now())
    return secret


def _post(client, path: str, **data: object):
    """A form of the staff page, sent from it (the console keeps same-origin referrers)."""
    return client.post(
        path,
        data={"csrf_token": form_token(client, "/admin"), **data},
        headers={"Referer": "http://localhost/admin/staff"},
    )


def _staff(idp) -> dict[str, dict[str, object]]:
    return {row["identifier"]: row for row in json.loads(idp("staff", "list", "--json").output)}


def _user_id(app, identifier: str) -> int:
    with app.app_context():
        from idp.services import users

        found = users.find_by_identifier(identifier)
        assert found is not None
        return found.id


def test_an_admin_adds_a_staff_member_audited_with_the_actor(client, admin, factories, idp):
    factories.user("paul", email="paul@example.org")
    answer = _post(client, "/admin/staff", identifier="paul", roles=["assistance", "auditor"])
    assert answer.status_code == 303
    assert _staff(idp)["paul"] == {
        "identifier": "paul",
        "roles": ["assistance", "auditor"],
        "enrolled": False,
    }
    (event,) = factories.audit("staff_added")[-1:]
    assert event.detail["by"] == "staff:chef"


def test_adding_an_unknown_account_says_so(client, admin):
    answer = _post(client, "/admin/staff", identifier="personne", roles=["assistance"])
    page = client.get(answer.headers["Location"].split("#")[0]).get_data(as_text=True)
    assert "personne" in page and "Aucun compte" in page


def test_changing_roles_ends_the_members_console_sessions(app, client, admin, factories, clock):
    secret = factories.staff("agent", "assistance")
    agent = app.test_client()
    console_sign_in(agent, "agent", secret, at=clock.now())
    _post(client, f"/admin/staff/{_user_id(app, 'agent')}/roles", roles=["auditor"])
    assert agent.get("/admin").status_code == 303


def test_the_last_admin_stays_admin(app, client, admin, idp):
    answer = _post(client, f"/admin/staff/{_user_id(app, 'chef')}/roles", roles=["auditor"])
    page = client.get(answer.headers["Location"].split("#")[0]).get_data(as_text=True)
    assert "dernier administrateur" in page
    assert _staff(idp)["chef"]["roles"] == ["admin"]
    result = idp("staff", "remove", "chef")
    assert result.exit_code != 0 and "last admin" in result.output


def test_a_reset_second_factor_asks_for_enrolment_at_the_next_sign_in(
    app, client, admin, factories, clock
):
    factories.staff("agent", "assistance")
    _post(client, f"/admin/staff/{_user_id(app, 'agent')}/second-factor")
    other = app.test_client()
    answer = other.post(
        "/admin/login",
        data={
            "identifier": "agent",
            "password": DEFAULT_PASSWORD,
            "csrf_token": form_token(other, "/admin/login"),
        },
    )
    assert "/admin/login/enrol" in answer.headers["Location"]


def test_a_removed_member_is_signed_out_and_refused(app, client, admin, factories, clock):
    secret = factories.staff("agent", "assistance")
    agent = app.test_client()
    console_sign_in(agent, "agent", secret, at=clock.now())
    _post(client, f"/admin/staff/{_user_id(app, 'agent')}/remove")
    assert agent.get("/admin").status_code == 303
    clock.advance(60)
    login = agent.post(
        "/admin/login",
        data={
            "identifier": "agent",
            "password": DEFAULT_PASSWORD,
            "csrf_token": form_token(agent, "/admin/login"),
        },
    )
    assert login.status_code == 403


def test_a_post_without_csrf_token_is_refused(client, admin, factories, idp):
    factories.user("paul", email="paul@example.org")
    answer = client.post("/admin/staff", data={"identifier": "paul", "roles": ["assistance"]})
    assert answer.status_code == 400
    assert "paul" not in _staff(idp)


def test_a_change_after_the_window_asks_for_password_and_code_again(
    client, admin, factories, clock, app, idp
):
    factories.user("paul", email="paul@example.org")
    limits = app.extensions["idp"].settings.admin
    for _ in range(limits.reauth_minutes // 5 + 1):
        clock.advance(5 * 60)
        assert client.get("/admin").status_code == 200  # busy, never idle
    answer = _post(client, "/admin/staff", identifier="paul", roles=["assistance"])
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("/admin/reauthenticate")
    assert "paul" not in _staff(idp)
    # A page with a form asks before anything is typed.
    assert client.get("/admin/staff").headers["Location"].startswith("/admin/reauthenticate")
    wrong = client.post(
        answer.headers["Location"],
        data={
            "password": "wrong",
            "code": totp(admin, clock.now()),
            "csrf_token": form_token(client, "/admin"),
        },
    )
    assert wrong.status_code == 200
    again = client.post(
        answer.headers["Location"],
        data={
            "password": DEFAULT_PASSWORD,
            "code": totp(admin, clock.now() + 30),
            "csrf_token": form_token(client, "/admin"),
        },
    )
    assert again.status_code == 303 and again.headers["Location"] == "/admin/staff"
    assert _post(client, "/admin/staff", identifier="paul", roles=["assistance"]).status_code == 303
    assert "paul" in _staff(idp)
    assert [e.outcome for e in factories.audit("staff_reauthenticated")] == ["success"]


def test_cli_staff_add_list_roles_remove(factories, idp):
    factories.staff("chef", "admin")
    factories.user("paul", email="paul@example.org")
    assert idp("staff", "add", "paul", "--role", "assistance").exit_code == 0
    assert _staff(idp)["paul"]["roles"] == ["assistance"]
    assert idp("staff", "roles", "paul", "--role", "admin", "--role", "auditor").exit_code == 0
    assert _staff(idp)["paul"]["roles"] == ["admin", "auditor"]
    assert idp("staff", "add", "paul", "--role", "admin").exit_code != 0
    assert idp("staff", "add", "nobody", "--role", "admin").exit_code != 0
    assert idp("staff", "remove", "paul").exit_code == 0
    assert "paul" not in _staff(idp)


def test_the_demo_operator_opens_the_console_with_the_published_key(client, clock, idp, tmp_path):
    from idp.cli.demo import STAFF_IDENTIFIER, STAFF_PASSWORD, STAFF_TOTP_KEY

    seeded = idp("demo", "seed", "--output", str(tmp_path / "demo-client.json"))
    assert STAFF_TOTP_KEY in seeded.output
    console_sign_in(
        client, STAFF_IDENTIFIER, STAFF_TOTP_KEY, at=clock.now(), password=STAFF_PASSWORD
    )
    assert _staff(idp)[STAFF_IDENTIFIER]["roles"] == ["admin"]
