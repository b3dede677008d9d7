"""Every console route × every kind of visitor: each role reaches exactly its pages and
actions; ordinary accounts meet 403 everywhere; signed-out browsers are sent to sign in.

The table below is the specification: a console route missing from it fails the first test,
so a new page cannot slip in without saying who may use it.
"""

from __future__ import annotations

import pytest
from flask import Flask

from idp.services import staff
from tests.support.console import console_sign_in, form_token
from tests.support.oidc import sign_in_browser

PUBLIC = "public"
ANY_STAFF = "any staff"

# (method, endpoint) → what it needs: a permission of idp.services.staff, ANY_STAFF or PUBLIC.
ROUTES: dict[tuple[str, str], str] = {
    ("GET", "admin.home"): ANY_STAFF,
    ("GET", "admin.sign_in"): PUBLIC,
    ("POST", "admin.sign_in"): PUBLIC,
    ("GET", "admin.second_factor"): PUBLIC,
    ("POST", "admin.second_factor"): PUBLIC,
    ("GET", "admin.enrol"): PUBLIC,
    ("POST", "admin.enrol"): PUBLIC,
    ("GET", "admin.reauthenticate"): PUBLIC,
    ("POST", "admin.reauthenticate"): PUBLIC,
    ("POST", "admin.sign_out"): PUBLIC,
    ("GET", "admin_applications.index"): staff.APPLICATIONS,
    ("GET", "admin_applications.new"): staff.APPLICATIONS,
    ("POST", "admin_applications.new"): staff.APPLICATIONS,
    ("GET", "admin_applications.show"): staff.APPLICATIONS,
    ("POST", "admin_applications.rotate"): staff.APPLICATIONS,
    ("POST", "admin_applications.disable"): staff.APPLICATIONS,
    ("POST", "admin_applications.enable"): staff.APPLICATIONS,
    ("GET", "admin_applications.remove"): staff.APPLICATIONS,
    ("POST", "admin_applications.remove"): staff.APPLICATIONS,
    ("GET", "admin_staff.index"): staff.STAFF,
    ("POST", "admin_staff.add"): staff.STAFF,
    ("POST", "admin_staff.change_roles"): staff.STAFF,
    ("POST", "admin_staff.reset_second_factor"): staff.STAFF,
    ("POST", "admin_staff.remove"): staff.STAFF,
    ("GET", "admin_journal.index"): staff.JOURNAL,
    ("GET", "admin_journal.export"): staff.JOURNAL,
    ("GET", "admin_organisations.index"): staff.ORGANISATIONS,
    ("GET", "admin_organisations.show"): staff.ORGANISATIONS,
    ("POST", "admin_organisations.change_status"): staff.ORGANISATIONS,
    ("GET", "admin_organisations.confirm_close"): staff.ORGANISATIONS,
    ("GET", "admin_organisations.quota"): staff.ORGANISATIONS,
    ("POST", "admin_organisations.quota"): staff.ORGANISATIONS,
    ("GET", "admin_organisations.catalogue"): staff.ORGANISATIONS,
    ("GET", "admin_organisations.add_service"): staff.ORGANISATIONS,
    ("POST", "admin_organisations.add_service"): staff.ORGANISATIONS,
    ("GET", "admin_organisations.service"): staff.ORGANISATIONS,
    ("POST", "admin_organisations.link"): staff.ORGANISATIONS,
    ("POST", "admin_organisations.unlink"): staff.ORGANISATIONS,
    ("GET", "admin_organisations.remove_service"): staff.ORGANISATIONS,
    ("POST", "admin_organisations.remove_service"): staff.ORGANISATIONS,
    ("GET", "admin_accounts.index"): staff.ACCOUNTS_READ,
    ("GET", "admin_accounts.show"): staff.ACCOUNTS_READ,
    ("POST", "admin_accounts.unlock"): staff.ACCOUNTS_ACT,
    ("POST", "admin_accounts.invite"): staff.ACCOUNTS_ACT,
    ("POST", "admin_accounts.temporary_password"): staff.ACCOUNTS_ACT,
    ("POST", "admin_accounts.disable"): staff.ACCOUNTS_ACT,
    ("POST", "admin_accounts.enable"): staff.ACCOUNTS_ACT,
    ("POST", "admin_accounts.grant"): staff.ACCOUNTS_ACT,
    ("POST", "admin_accounts.revoke"): staff.ACCOUNTS_ACT,
    ("POST", "admin_accounts.end_session"): staff.ACCOUNTS_ACT,
    ("POST", "admin_accounts.end_sessions"): staff.ACCOUNTS_ACT,
    ("GET", "admin_deliveries.index"): staff.DELIVERIES,
    ("POST", "admin_deliveries.retry"): staff.DELIVERIES,
}

VISITORS = ("assistance", "auditor", "admin", "ordinary", "signed_out")


@pytest.fixture
def backend() -> str:
    """Who may reach what does not depend on the storage: SQLite only (each page's own tests,
    and this module's rules' services, also run on PostgreSQL)."""
    return "sqlite"


def _console_routes(app: Flask) -> set[tuple[str, str]]:
    return {
        (method, rule.endpoint)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/admin")
        for method in rule.methods or ()
        if method in {"GET", "POST"}
    }


def test_every_console_route_is_in_the_table(app):
    assert _console_routes(app) == set(ROUTES)


@pytest.fixture
def world(factories) -> dict[str, object]:
    """What the routes' parameters name: an account that is staff (the target of actions), an
    application, a pending organisation, a service."""
    factories.staff("cible", "assistance")
    with factories.app.app_context():
        from idp.extensions import db
        from idp.services import sessions, users

        target = users.find_by_identifier("cible")
        assert target is not None
        target_id = target.id
        session, _ = sessions.start(target, now=factories.runtime.now(), acr="pwd", amr=["pwd"])
        db.session.commit()
        session_id = session.id
    registered, _ = factories.client(client_id="declarations")
    factories.service("DPAE", registered.client_id)
    primary = factories.organisation(status="pending")
    with factories.app.app_context():
        from idp.services import organisations

        member = organisations.membership(primary.id)
        assert member is not None
        return {
            "user_id": target_id,
            "session_id": session_id,
            "client_id": registered.client_id,
            "organisation_id": member.organisation_id,
            "action": "validate",
            "code": "DPAE",
            "message_id": 1,
        }


def _url(app: Flask, endpoint: str, world: dict[str, object]) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **{name: world[name] for name in rule.arguments})


def _visit(visitor: str, client, factories, clock) -> None:
    if visitor == "ordinary":
        factories.user("marie")
        sign_in_browser(client)
    elif visitor != "signed_out":
        secret = factories.staff("agent", visitor)
        assert secret is not None
        console_sign_in(client, "agent", secret, at=clock.now())


def _allowed(need: str, visitor: str) -> bool:
    if visitor in {"ordinary", "signed_out"}:
        return need == PUBLIC and visitor == "signed_out"
    return need in {PUBLIC, ANY_STAFF} or need in staff.ROLES[visitor]


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize(("method", "endpoint"), sorted(ROUTES))
def test_route_by_visitor(method, endpoint, visitor, app, client, factories, clock, world):
    need = ROUTES[(method, endpoint)]
    _visit(visitor, client, factories, clock)
    url = _url(app, endpoint, world)
    if method == "GET":
        answer = client.get(url)
    else:
        token = form_token(client, "/admin/login" if visitor != "ordinary" else "/account/password")
        answer = client.post(url, data={"csrf_token": token})
    location = answer.headers.get("Location", "")
    if _allowed(need, visitor):
        assert answer.status_code not in {403, 404, 500}, answer.status_code
        assert not location.startswith("/admin/login") or need == PUBLIC, location
    elif visitor == "signed_out":
        assert answer.status_code == 303 and location.startswith("/admin/login"), location
    else:
        assert answer.status_code == 403, (answer.status_code, location)


@pytest.mark.parametrize(
    "endpoint",
    sorted(endpoint for method, endpoint in ROUTES if method == "POST"),
)
def test_every_console_action_refuses_a_post_without_its_csrf_token(
    endpoint, app, client, factories, clock, world
):
    """Even from a signed-in admin whose authentication is fresh: no token, no change (the
    sign-in steps included)."""
    _visit("admin", client, factories, clock)
    answer = client.post(_url(app, endpoint, world), data={})
    assert answer.status_code == 400, (endpoint, answer.status_code)
