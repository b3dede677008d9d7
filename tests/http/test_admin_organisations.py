"""The console's "Services et organisations": the list and page of organisations, validation,
closing (access withdrawn), reopening, quota; the catalogue of services, adding one, linking
and unlinking applications, removal. Every change audited with the staff member acting."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape

from idp.extensions import db
from idp.i18n import text
from idp.models import Organisation
from idp.services import organisations, subscriptions
from tests.support.console import console_sign_in, form_token
from tests.support.oidc import RelyingParty, query

ORGS = "/admin/organisations"
CATALOGUE = f"{ORGS}/services"


def fr(key: str, **params: object) -> str:
    return str(escape(text(key, "fr", **params)))


def body(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def admin(client, factories, clock):
    """A signed-in admin (the console's session, fresh)."""
    secret = factories.staff("chef", "admin")
    console_sign_in(client, "chef", secret, at=clock.now())
    return client


def org_id(app, dossier_or_primary: str) -> int:
    with app.app_context():
        found = organisations.find_organisation(dossier_or_primary)
        assert found is not None
        return found.id


def org_status(app, organisation_id: int) -> tuple[str, int]:
    with app.app_context():
        organisation = db.session.get(Organisation, organisation_id)
        return organisation.status, organisation.secondary_quota


def post(http, path: str, **data: str):
    return http.post(path, data={**data, "csrf_token": form_token(http, ORGS)})


def by_of(factories, event: str) -> list[str]:
    return [(e.detail or {}).get("by") for e in factories.audit(event)]


def row_dossiers(page: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/admin/organisations/\d+">([^<]+)</a>', page)


# -- the list --------------------------------------------------------------------------------


@pytest.fixture
def three(app, factories, clock):
    """Three organisations: asp1ent open (2 mailboxes of 3), pend pending, shut closed."""
    primary = factories.organisation("asp1ent", quota=3)
    factories.secondary(primary, "cs1", email="cs1@example.org")
    factories.secondary(primary, "cs2", email="cs2@example.org")
    factories.secondary(primary, "cs3")
    clock.advance(60)
    factories.organisation("pend", status="pending", email="pend@example.org")
    clock.advance(60)
    factories.organisation("shut", status="closed", email="shut@example.org")
    with app.app_context():
        shut = organisations.primary_account(organisations.find_organisation("shut"))
        shut.company_name, shut.siren, shut.nic = "FERMEE SARL", "732829320", "00074"
        db.session.commit()


def test_list_columns_filter_and_search(admin, three):
    page = body(admin.get(ORGS))
    assert len(row_dossiers(page)) == 3 and fr("admin_orgs.found", n=3) in page
    # Newest first, with the primary's identifier.
    assert (
        page.index("<td>shut</td>") < page.index("<td>pend</td>") < page.index("<td>asp1ent</td>")
    )
    assert fr("admin_orgs.mailbox_use", used=2, quota=3) in page
    assert "07955542100019" in page and fr("orgpages.state.pending") in page
    closed = body(admin.get(ORGS, query_string={"status": "closed"}))
    assert len(row_dossiers(closed)) == 1 and "FERMEE SARL" in closed
    assert '<option value="closed" selected>' in closed
    assert "FERMEE SARL" in body(admin.get(ORGS, query_string={"q": "fermee"}))
    by_siret = body(admin.get(ORGS, query_string={"q": "732 829"}))
    assert len(row_dossiers(by_siret)) == 1 and "FERMEE SARL" in by_siret
    nothing = body(admin.get(ORGS, query_string={"q": "100%_"}))
    assert row_dossiers(nothing) == [] and fr("admin_orgs.nothing_found") in nothing
    assert 'value="100%_"' in nothing


@pytest.mark.parametrize("settings_overrides", [{"organisations": {"page_size": 2}}])
def test_list_pages(admin, three):
    first = body(admin.get(ORGS))
    assert len(row_dossiers(first)) == 2 and fr("admin_orgs.found", n=3) in first
    assert 'href="/admin/organisations?page=2" rel="next"' in first
    second = body(admin.get(ORGS, query_string={"page": "2"}))
    assert len(row_dossiers(second)) == 1
    assert set(row_dossiers(first)).isdisjoint(row_dossiers(second))
    assert row_dossiers(body(admin.get(ORGS, query_string={"page": "99"}))) == row_dossiers(second)
    filtered = body(admin.get(ORGS, query_string={"status": "open", "q": "a"}))
    assert "page=2" not in filtered


def test_garbage_parameters_never_500(admin, three):
    assert admin.get(ORGS, query_string={"status": "deleted"}).status_code == 400
    assert admin.get(ORGS, query_string={"page": "x" * 9000, "q": "y" * 9000}).status_code == 200
    assert admin.get(f"{ORGS}/999999").status_code == 404
    assert admin.get(f"{ORGS}/abc").status_code == 404
    assert admin.get(f"{ORGS}/999999/quota").status_code == 404
    assert post(admin, f"{ORGS}/999999/status/validate").status_code == 404
    assert post(admin, f"{ORGS}/1/status/delete").status_code == 404
    assert admin.get(f"{CATALOGUE}/NOPE").status_code == 404
    assert post(admin, f"{CATALOGUE}/NOPE/remove").status_code == 404


# -- an organisation's page and its actions -----------------------------------------------------


def test_organisation_page_shows_identity_secondaries_and_services(app, admin, factories):
    registered, _ = factories.client(client_id="declarations")
    factories.service("DPAE", registered.client_id)
    primary = factories.organisation(services=("DPAE",))
    factories.secondary(primary, "cs1", email="cs1@example.org", last_login_at=1)
    factories.secondary(primary, "cs2")
    page = body(admin.get(f"{ORGS}/{org_id(app, 'asp1ent')}"))
    for shown in ("COMPTE ASP1ENT DEV", "asp1ent", "07955542100019", "DUPONT", "Pierre"):
        assert shown in page
    assert fr("admin_orgs.secondaries_count", n=2) in page
    assert f"{fr('orgpages.state.open')} : 1" in page
    assert f"{fr('orgpages.state.pending')} : 1" in page
    assert "DPAE" in page and "Téléprocédure DPAE" in page
    # Open: close and quota, no validation.
    assert "/status/validate" not in page and "/close" in page


def test_validate_a_pending_request(app, admin, factories):
    factories.organisation(status="pending")
    organisation = org_id(app, "asp1ent")
    page = body(admin.get(f"{ORGS}/{organisation}"))
    assert f"{ORGS}/{organisation}/status/validate" in page and "/status/reopen" not in page
    answer = post(admin, f"{ORGS}/{organisation}/status/validate")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("#notices")
    assert org_status(app, organisation)[0] == "open"
    assert fr("admin_orgs.validated", dossier=f"{organisation:05d}") in body(
        admin.get(answer.headers["Location"])
    )
    assert by_of(factories, "organisation_status_changed") == ["staff:chef"]
    # A second click, from a stale page, changes nothing and says why.
    again = post(admin, f"{ORGS}/{organisation}/status/validate")
    assert fr("org.action_refused") in body(admin.get(again.headers["Location"]))
    assert len(factories.audit("organisation_status_changed")) == 1


def test_close_withdraws_access_then_reopen(app, client, admin, factories):
    registered, secret = factories.client(client_id="declarations", first_party=True)
    factories.service("DPAE", registered.client_id)
    primary = factories.organisation(services=("DPAE",))
    factories.secondary(primary, "cs1", email="cs1@example.org", services=("DPAE",))
    organisation = org_id(app, "asp1ent")
    user_side = client.application.test_client()
    rp = RelyingParty(user_side, registered.client_id, secret)
    tokens = rp.tokens(identifier="cs1.asp1ent")
    assert rp.userinfo(tokens["access_token"]).status_code == 200
    confirm = body(admin.get(f"{ORGS}/{organisation}/close"))
    assert fr("admin_orgs.close_consequence", n=2) in confirm
    answer = post(admin, f"{ORGS}/{organisation}/status/close")
    assert answer.status_code == 303 and org_status(app, organisation)[0] == "closed"
    # The secondary's token for the organisation's service is dead, its session ended.
    assert rp.userinfo(tokens["access_token"]).status_code == 401
    assert query(rp.authorize(prompt="none").location)["error"] == "login_required"
    page = body(admin.get(answer.headers["Location"]))
    assert fr("admin_orgs.closed", dossier=f"{organisation:05d}") in page
    assert f"{ORGS}/{organisation}/status/reopen" in page
    assert admin.get(f"{ORGS}/{organisation}/close").status_code == 404  # already closed
    post(admin, f"{ORGS}/{organisation}/status/reopen")
    assert org_status(app, organisation)[0] == "open"
    assert [
        e.detail["changed"]["status"] for e in factories.audit("organisation_status_changed")
    ] == [
        ["open", "closed"],
        ["closed", "open"],
    ]
    assert set(by_of(factories, "organisation_status_changed")) == {"staff:chef"}


def test_change_quota_and_the_service_s_refusal(app, admin, factories):
    primary = factories.organisation(quota=3)
    factories.secondary(primary, "cs1", email="cs1@example.org")
    factories.secondary(primary, "cs2", email="cs2@example.org")
    organisation = org_id(app, "asp1ent")
    path = f"{ORGS}/{organisation}/quota"
    answer = post(admin, path, quota="5")
    assert answer.status_code == 303 and org_status(app, organisation)[1] == 5
    assert fr("admin_orgs.quota_changed", quota=5) in body(admin.get(answer.headers["Location"]))
    assert by_of(factories, "organisation_quota_changed") == ["staff:chef"]
    # Below the mailboxes in use: the service's message, the typed value kept, nothing saved.
    refused = post(admin, path, quota="1")
    page = body(refused)
    assert refused.status_code == 200 and fr("org.quota_below_used", used=2) in page
    assert 'aria-describedby="quota-hint quota-error"' in page and 'value="1"' in page
    for garbage, key in (
        ("", "admin_orgs.quota_not_number"),
        ("abc", "admin_orgs.quota_not_number"),
        ("-3", "org.quota_negative"),
        ("9" * 40, "org.quota_too_large"),
    ):
        page = body(post(admin, path, quota=garbage))
        assert fr(key, max=organisations.QUOTA_MAX) in page, garbage
    assert org_status(app, organisation)[1] == 5
    assert len(factories.audit("organisation_quota_changed")) == 1


# -- the catalogue ---------------------------------------------------------------------------


def test_catalogue_lists_services_and_their_applications(admin, factories):
    registered, _ = factories.client(client_id="declarations")
    factories.service("DPAE", registered.client_id, document_types=("DPAE", "AR"))
    factories.organisation(services=("DPAE",))
    page = body(admin.get(CATALOGUE))
    for shown in ("DPAE", "Téléprocédure DPAE", "DPAE, AR", "declarations"):
        assert shown in page
    assert re.search(
        r'Application test <span class="hint">\(declarations\)</span></td>\s*<td>1</td>', page
    )


def test_add_a_service(app, admin, factories):
    factories.client(client_id="declarations")
    factories.client(client_id="other", name="Autre")
    form = {
        "code": "aed",
        "description": "Attestation employeur",
        "recipients": "URSSAF",
        "document_types": "AED\r\nAR\r\n",
        "clients": "declarations",
    }
    answer = post(admin, f"{CATALOGUE}/new", **form)
    assert answer.status_code == 303 and "/services/AED#notices" in answer.headers["Location"]
    with app.app_context():
        service = subscriptions.find_service("AED")
        assert service.recipients == "URSSAF" and service.document_types == ["AED", "AR"]
        assert subscriptions.clients_of(service.id) == ["declarations"]
        assert app.extensions["idp"].clients.lookup("declarations").requires_habilitation
    assert by_of(factories, "service_added") == ["staff:chef"]
    # The same code again: the service's message on the code field, what was typed kept.
    page = body(post(admin, f"{CATALOGUE}/new", **form))
    assert (
        fr("org.service_exists", code="AED") in page
        and 'aria-describedby="code-hint code-error"' in page
    )
    assert "Attestation employeur" in page and 'value="declarations" checked' in page
    page = body(post(admin, f"{CATALOGUE}/new", **{**form, "code": "x y", "clients": "nope"}))
    assert fr("org.service_code_invalid") in page
    page = body(post(admin, f"{CATALOGUE}/new", **{**form, "code": "NEW", "clients": "nope"}))
    assert fr("org.service_client_unknown", client_id="nope") in page
    page = body(post(admin, f"{CATALOGUE}/new", **{**form, "code": "NEW", "description": " "}))
    assert fr("org.service_description_required") in page
    for field in ("description", "recipients", "document_types"):
        page = body(post(admin, f"{CATALOGUE}/new", **{**form, "code": "NEW", field: "é" * 300}))
        assert f'aria-describedby="{field}' in page and f"{field}-error" in page, field
        assert fr("org.too_long") in page
    assert len(factories.audit("service_added")) == 1


def test_link_and_unlink_an_application(app, client, admin, factories):
    first, _ = factories.client(client_id="declarations")
    second, secret = factories.client(client_id="payroll", first_party=True)
    factories.service("DPAE", first.client_id)
    primary = factories.organisation(services=("DPAE",))
    page = body(admin.get(f"{CATALOGUE}/DPAE"))
    assert '<option value="payroll">' in page
    answer = post(admin, f"{CATALOGUE}/DPAE/link", client_id="payroll")
    assert answer.status_code == 303
    with app.app_context():
        assert subscriptions.usable_clients(primary.id) == {"declarations", "payroll"}
    assert by_of(factories, "service_client_linked") == ["staff:chef"]
    # The subscriber uses it, then loses it at once when it is unlinked.
    rp = RelyingParty(client.application.test_client(), second.client_id, secret)
    tokens = rp.tokens(identifier="asp1ent")
    answer = post(admin, f"{CATALOGUE}/DPAE/unlink", client_id="payroll")
    assert fr("admin_orgs.client_unlinked", code="DPAE", client_id="payroll") in body(
        admin.get(answer.headers["Location"])
    )
    assert rp.userinfo(tokens["access_token"]).status_code == 401
    with app.app_context():
        assert subscriptions.usable_clients(primary.id) == {"declarations"}
        assert app.extensions["idp"].clients.lookup("payroll").requires_habilitation
    assert by_of(factories, "service_client_unlinked") == ["staff:chef"]
    # Refusals are said on the page.
    for path, client_id, key in (
        ("unlink", "payroll", "org.service_client_not_linked"),
        ("link", "declarations", "org.service_client_linked"),
        ("link", "nope", "org.service_client_unknown"),
    ):
        answer = post(admin, f"{CATALOGUE}/DPAE/{path}", client_id=client_id)
        assert fr(key, client_id=client_id) in body(admin.get(answer.headers["Location"]))


def test_remove_a_service_says_what_it_takes_away(app, client, admin, factories):
    registered, secret = factories.client(client_id="declarations", first_party=True)
    factories.service("DPAE", registered.client_id)
    factories.organisation(services=("DPAE",))
    rp = RelyingParty(client.application.test_client(), registered.client_id, secret)
    tokens = rp.tokens(identifier="asp1ent")
    confirm = body(admin.get(f"{CATALOGUE}/DPAE/remove"))
    assert fr("admin_orgs.remove_consequence", n=1, clients="declarations") in confirm
    answer = post(admin, f"{CATALOGUE}/DPAE/remove")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/services#notices")
    assert rp.userinfo(tokens["access_token"]).status_code == 401
    with app.app_context():
        assert subscriptions.find_service("DPAE") is None
    assert by_of(factories, "service_removed") == ["staff:chef"]


# -- who may, and how ------------------------------------------------------------------------


def test_csrf_refused_and_nothing_changes(app, admin, factories):
    registered, _ = factories.client(client_id="declarations")
    factories.service("DPAE", registered.client_id)
    factories.organisation(status="pending")
    organisation = org_id(app, "asp1ent")
    for path, data in (
        (f"{ORGS}/{organisation}/status/validate", {}),
        (f"{ORGS}/{organisation}/quota", {"quota": "9"}),
        (f"{CATALOGUE}/new", {"code": "AED", "description": "x"}),
        (f"{CATALOGUE}/DPAE/unlink", {"client_id": "declarations"}),
        (f"{CATALOGUE}/DPAE/remove", {}),
    ):
        assert admin.post(path, data=data).status_code == 400, path
    assert org_status(app, organisation) == ("pending", 2)
    with app.app_context():
        assert subscriptions.find_service("AED") is None
        assert subscriptions.clients_of(subscriptions.find_service("DPAE").id) == ["declarations"]


@pytest.mark.parametrize("roles", [("assistance",), ("auditor",)])
def test_other_roles_get_403(app, client, factories, clock, roles):
    factories.organisation(status="pending")
    organisation = org_id(app, "asp1ent")
    secret = factories.staff("agent", *roles)
    console_sign_in(client, "agent", secret, at=clock.now())
    for path in (ORGS, f"{ORGS}/{organisation}", CATALOGUE, f"{CATALOGUE}/new"):
        assert client.get(path).status_code == 403, path
    token = form_token(client, "/admin")
    answer = client.post(f"{ORGS}/{organisation}/status/validate", data={"csrf_token": token})
    assert answer.status_code == 403
    assert org_status(app, organisation)[0] == "pending"


def test_signed_out_goes_to_the_console_sign_in(client):
    answer = client.get(ORGS)
    assert answer.status_code == 303 and "/admin/login" in answer.headers["Location"]


def test_changes_after_reauth_minutes_ask_for_the_password_again(app, admin, factories, clock):
    factories.organisation(status="pending")
    organisation = org_id(app, "asp1ent")
    token = form_token(admin, ORGS)
    clock.advance(10 * 60)
    assert admin.get(ORGS).status_code == 200  # not idle
    clock.advance(6 * 60)
    answer = admin.post(f"{ORGS}/{organisation}/status/validate", data={"csrf_token": token})
    assert answer.status_code == 303 and "/admin/reauthenticate" in answer.headers["Location"]
    assert org_status(app, organisation)[0] == "pending"
    # The forms and confirmations ask before they are shown.
    for path in (
        f"{ORGS}/{organisation}/quota",
        f"{ORGS}/{organisation}/close",
        f"{CATALOGUE}/new",
    ):
        answer = admin.get(path)
        assert answer.status_code == 303, path
        assert "/admin/reauthenticate" in answer.headers["Location"], path


def test_english_pages(admin, three):
    page = body(admin.get(ORGS, query_string={"ui_locales": "en"}))
    assert text("admin_orgs.found", "en", n=3) in page
