"""`idp services`, `idp orgs`, `idp users add --org` and `idp demo seed`'s organisation, driven
with click's CliRunner against the test app's database (SQLite, and PostgreSQL when set)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask

from clients import demo_rp
from idp.extensions import db
from idp.models import OrganisationAccount
from idp.services import organisations, subscriptions, users
from idp.services.clients import SUPPORTED_SCOPES
from tests.support.cli import Operator
from tests.support.factories import NIC, SIREN, Factories
from tests.support.oidc import RelyingParty, query
from tests.support.outbox import emails, last_email, links
from tests.support.rows import row_counts
from tests.support.signin import submit

ORG_HEADER = (
    "primary,dossier,type,company_name,siren,nic,civility,last_name,first_name,"
    "street_number,street_name,postal_code,city,email,phone,quota,status,services"
)


@pytest.fixture
def idp(app: Flask, tmp_path: Path) -> Operator:
    return Operator(app, tmp_path)


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def refused(result: Result, words: str) -> Result:
    assert result.exit_code != 0, result.output
    assert words in result.output, result.output
    return result


def as_json(result: Result):
    return json.loads(ok(result).output)


@pytest.fixture
def dpae(factories: Factories) -> str:
    """A service DPAE opening a registered client; returns the client id."""
    registered, _ = factories.client(client_id="declarations")
    factories.service("DPAE", registered.client_id, document_types=("DPAE", "AR"))
    return registered.client_id


def member_of(app: Flask, identifier: str) -> OrganisationAccount | None:
    with app.app_context():
        user = users.find_by_identifier(identifier)
        member = organisations.membership(user.id) if user is not None else None
        if member is not None:
            db.session.expunge(member)
        return member


def services_of(app: Flask, identifier: str) -> set[str]:
    with app.app_context():
        user = users.find_by_identifier(identifier)
        assert user is not None
        held = set(subscriptions.subscriptions_of(user.id))
        return {s.code for s in subscriptions.all_services() if s.id in held}


# -- idp services ----------------------------------------------------------------------------


def test_services_add_list_and_remove(app, idp, factories, dpae):
    registered, _ = factories.client(client_id="aed-app")
    added = as_json(
        idp(
            "services",
            "add",
            "aed",
            "--description",
            "Attestation employeur",
            "--client",
            registered.client_id,
            "--recipients",
            "France Travail",
            "--document-type",
            "AED",
            "--json",
        )
    )
    assert added["code"] == "AED" and added["clients"] == ["aed-app"]
    # A service restricts the applications it opens.
    with app.app_context():
        assert factories.runtime.clients.lookup("aed-app").requires_habilitation
    primary = factories.organisation(services=("DPAE",))
    factories.secondary(primary, "cs1", services=("DPAE",))
    listed = {row["code"]: row for row in as_json(idp("services", "list", "--json"))}
    assert listed["AED"] == {
        "code": "AED",
        "description": "Attestation employeur",
        "recipients": "France Travail",
        "document_types": ["AED"],
        "clients": ["aed-app"],
        "subscribers": 0,
    }
    assert listed["DPAE"]["subscribers"] == 2 and listed["DPAE"]["clients"] == [dpae]
    assert "DPAE\tTéléprocédure DPAE" in ok(idp("services", "list")).output
    removed = ok(idp("services", "remove", "DPAE"))
    assert "2 account(s) lost it" in removed.output
    assert services_of(app, "cs1.asp1ent") == set()
    assert [row["code"] for row in as_json(idp("services", "list", "--json"))] == ["AED"]


def test_services_add_refusals_write_nothing(app, idp, dpae):
    before = row_counts(app)
    refused(
        idp("services", "add", "X1", "--description", "X", "--client", "nobody"),
        "nobody",
    )
    refused(idp("services", "add", "DPAE", "--description", "X", "--client", dpae), "DPAE")
    refused(idp("services", "add", "bad code!", "--description", "X", "--client", dpae), "code")
    refused(idp("services", "remove", "NOPE"), "no service 'NOPE'")
    assert row_counts(app) == before


def test_removing_a_service_ends_the_secondary_s_tokens(app, client, idp, factories):
    registered, secret = factories.client(client_id="declarations", first_party=True)
    factories.service("DPAE", registered.client_id)
    primary = factories.organisation(services=("DPAE",))
    factories.secondary(primary, "cs1", email="cs1@example.org", services=("DPAE",))
    rp = RelyingParty(client, registered.client_id, secret)
    tokens = rp.tokens(identifier="cs1.asp1ent")
    assert rp.userinfo(tokens["access_token"]).status_code == 200
    ok(idp("services", "remove", "DPAE"))
    assert rp.userinfo(tokens["access_token"]).status_code == 401
    silent = rp.authorize(prompt="none")  # the session that obtained them ended
    assert query(silent.location)["error"] == "login_required"
    # The application does not open to everyone: it still requires a habilitation.
    again = rp.walk(rp.authorize(ui_locales="en"), "cs1.asp1ent")
    assert again.status_code == 200 and not rp.leaves(again)
    assert "You do not have the authorisation required" in again.get_data(as_text=True)


def test_an_application_another_service_opens_stays_behind_that_service(app, idp, factories, dpae):
    factories.service("AED", dpae)
    primary = factories.organisation(services=("AED",))
    removed = ok(idp("services", "remove", "DPAE"))
    assert "0 account(s) lost it" in removed.output
    with app.app_context():
        assert subscriptions.usable_clients(primary.id) == {dpae}
        assert subscriptions.refused(factories.user("marie").id, dpae, requires_habilitation=True)


# -- idp orgs add / list / show / status / quota ----------------------------------------------


def add_org(idp, primary: str = "asp1ent", *extra: str) -> Result:
    return idp(
        "orgs",
        "add",
        "--primary",
        primary,
        "--name",
        "COMPTE ASP1ENT DEV",
        "--type",
        "Entreprise",
        "--siren",
        SIREN,
        "--nic",
        NIC,
        "--responsible-civility",
        "M.",
        "--responsible-last-name",
        "DUPONT",
        "--responsible-first-name",
        "Pierre",
        "--email",
        "pierre.dupont@example.org",
        *extra,
    )


def test_orgs_add_makes_the_account_primary(app, idp, factories):
    factories.user("asp1ent", email="asp1ent@example.org")
    created = as_json(add_org(idp, "asp1ent", "--dossier", "D-42", "--quota", "3", "--json"))
    assert created == {
        "dossier": "D-42",
        "primary": "asp1ent",
        "type": "Entreprise",
        "company_name": "COMPTE ASP1ENT DEV",
        "siret": SIREN + NIC,
        "status": "pending",
        "quota": 3,
        "mailboxes_used": 0,
    }
    member = member_of(app, "asp1ent")
    assert member is not None and member.is_primary and member.last_name == "DUPONT"


def test_orgs_add_refusals_write_nothing(app, idp, factories):
    factories.user("asp1ent", email="asp1ent@example.org")
    factories.organisation("other", services=())
    before = row_counts(app)
    refused(add_org(idp, "nobody"), "no account 'nobody'")
    refused(add_org(idp, "asp1ent", "--nic", "00018"), "SIRET")
    refused(add_org(idp, "other"), "already belongs to an organisation")
    refused(add_org(idp, "asp1ent", "--dossier", "00001"), "already taken")
    refused(add_org(idp, "asp1ent", "--responsible-civility", "Dr"), "title")
    wrong_type = idp("orgs", "add", "--primary", "asp1ent", "--name", "X", "--type", "Club")
    refused(wrong_type, "Choose a type")
    assert row_counts(app) == before


def test_orgs_list_filters_by_status(idp, factories):
    factories.organisation("asp1ent", status="open")
    factories.organisation("asp2ent", status="pending")
    everything = as_json(idp("orgs", "list", "--json"))
    assert [row["primary"] for row in everything] == ["asp1ent", "asp2ent"]
    pending = as_json(idp("orgs", "list", "--status", "pending", "--json"))
    assert [row["primary"] for row in pending] == ["asp2ent"]
    assert "asp1ent\tCOMPTE ASP1ENT DEV\topen\tmailboxes 0/2" in ok(idp("orgs", "list")).output


def test_orgs_show_by_dossier_or_primary(app, idp, factories, dpae):
    primary = factories.organisation(services=("DPAE",))
    factories.secondary(
        primary, "cs1", email="cs1@example.org", autonomous=True, services=("DPAE",)
    )
    factories.secondary(primary, "cs2")
    shown = as_json(idp("orgs", "show", "asp1ent", "--json"))
    assert shown == as_json(idp("orgs", "show", shown["dossier"], "--json"))
    assert shown["status"] == "open" and shown["quota"] == 2 and shown["mailboxes_used"] == 1
    assert shown["services"] == ["DPAE"]
    assert shown["identity"]["company_name"] == "COMPTE ASP1ENT DEV"
    assert shown["secondaries"] == [
        {
            "identifier": "cs1.asp1ent",
            "state": "pending",
            "mailbox": "cs1@example.org",
            "autonomous": True,
            "services": ["DPAE"],
        },
        {
            "identifier": "cs2.asp1ent",
            "state": "pending",
            "mailbox": None,
            "autonomous": False,
            "services": [],
        },
    ]
    text = ok(idp("orgs", "show", "asp1ent")).output
    assert "quota: 1 of 2 mailboxes used" in text and "cs2.asp1ent\tpending" in text


def test_unknown_organisation_is_an_error(idp, factories):
    factories.user("plain")  # an account, but no organisation's primary
    for args in (
        ("show", "plain"),
        ("status", "nope", "open"),
        ("quota", "nope", "3"),
        ("services", "nope", "--add", "X"),
    ):
        refused(idp("orgs", *args), "no organisation")


def test_orgs_status_closes_the_organisation_s_services(app, idp, factories, dpae):
    primary = factories.organisation(services=("DPAE",))
    with app.app_context():
        assert subscriptions.usable_clients(primary.id) == {dpae}
    assert "closed" in ok(idp("orgs", "status", "asp1ent", "closed")).output
    with app.app_context():
        assert subscriptions.usable_clients(primary.id) == set()
    refused(idp("orgs", "status", "asp1ent", "shut"), "Invalid value")


def test_orgs_quota_never_below_the_mailboxes_used(app, idp, factories):
    primary = factories.organisation(quota=2)
    factories.secondary(primary, "cs1", email="cs1@example.org")
    factories.secondary(primary, "cs2", email="cs2@example.org")
    refused(idp("orgs", "quota", "asp1ent", "1"), "already have 2 secondary accounts")
    assert as_json(idp("orgs", "show", "asp1ent", "--json"))["quota"] == 2
    assert "quota 5 (2 mailboxes used)" in ok(idp("orgs", "quota", "asp1ent", "5")).output


def test_orgs_billing_date_set_shown_on_the_billing_tab_and_cleared(
    app, idp, factories, client, puzzles
):
    factories.organisation()
    assert (
        "billing date 2008-06-27" in ok(idp("orgs", "billing-date", "asp1ent", "2008-06-27")).output
    )
    assert as_json(idp("orgs", "show", "asp1ent", "--json"))["billing_date"] == "2008-06-27"
    assert "billing_date: 2008-06-27" in ok(idp("orgs", "show", "asp1ent")).output
    assert submit(client, puzzles, "asp1ent").status_code == 303
    tab = client.get("/account/organisation/account/billing").get_data(as_text=True)
    assert "<dd>27/06/2008</dd>" in tab
    for wrong in ("2008-13-01", "20080627", "27/06/2008", "demain"):
        refused(idp("orgs", "billing-date", "asp1ent", wrong), "is not a date in the form")
    assert as_json(idp("orgs", "show", "asp1ent", "--json"))["billing_date"] == "2008-06-27"
    ok(idp("orgs", "billing-date", "asp1ent", "none"))
    assert as_json(idp("orgs", "show", "asp1ent", "--json"))["billing_date"] is None
    changes = [e.detail["changed"] for e in factories.audit("organisation_billing_changed")]
    assert changes == [
        {"billing_date": [None, "2008-06-27"]},
        {"billing_date": ["2008-06-27", None]},
    ]


# -- idp orgs services: the cascade ------------------------------------------------------------


def test_orgs_services_add_and_remove_cascade_to_secondaries(app, idp, factories, dpae):
    registered, _ = factories.client(client_id="aed-app")
    factories.service("AED", registered.client_id)
    primary = factories.organisation(services=())
    factories.secondary(primary, "cs1")
    assert ok(idp("orgs", "services", "asp1ent", "--add", "DPAE")).output.endswith(": DPAE\n")
    assert ok(idp("orgs", "services", "asp1ent", "--add", "aed")).output.endswith(": AED, DPAE\n")
    assert services_of(app, "asp1ent") == {"AED", "DPAE"}
    ok(idp("users", "add", "cs2", "--org", "asp1ent", "--password", "Correct-Horse-42",
           "--service", "DPAE", "--service", "AED"))  # fmt: skip
    assert services_of(app, "cs2.asp1ent") == {"AED", "DPAE"}
    result = ok(idp("orgs", "services", "asp1ent", "--remove", "DPAE"))
    assert "AED" in result.output and "DPAE" not in result.output
    assert services_of(app, "asp1ent") == {"AED"}
    assert services_of(app, "cs2.asp1ent") == {"AED"}  # the cascade
    before = row_counts(app)
    refused(idp("orgs", "services", "asp1ent", "--add", "NOPE"), "no service 'NOPE'")
    assert row_counts(app) == before


# -- idp users add --org / --secondary-of ------------------------------------------------------


def test_users_add_secondary_with_mailbox_autonomy_and_services(app, idp, factories, dpae):
    factories.organisation(services=("DPAE",))
    created = as_json(
        idp(
            "users", "add", "cs1", "--org", "asp1ent", "--mailbox", "cs1@example.org",
            "--autonomous", "--service", "DPAE", "--password", "Correct-Horse-42", "--json",
        )
    )  # fmt: skip
    assert created["identifier"] == "cs1.asp1ent"
    member = member_of(app, "cs1.asp1ent")
    assert member is not None and member.role == "secondary"
    assert member.has_mailbox and member.autonomous
    assert services_of(app, "cs1.asp1ent") == {"DPAE"}
    with app.app_context():
        assert subscriptions.usable_clients(created_id(app, "cs1.asp1ent")) == {dpae}


def created_id(app: Flask, identifier: str) -> int:
    user = users.find_by_identifier(identifier)
    assert user is not None
    return user.id


def test_users_add_secondary_of_names_the_primary(app, idp, factories):
    factories.organisation()
    ok(idp("users", "add", "cs9", "--secondary-of", "asp1ent", "--password", "Correct-Horse-42"))
    member = member_of(app, "cs9.asp1ent")
    assert member is not None and not member.has_mailbox


def test_users_add_secondary_refusals_write_nothing(app, idp, factories, dpae):
    registered, _ = factories.client(client_id="aed-app")
    factories.service("AED", registered.client_id)
    primary = factories.organisation(quota=1, services=("DPAE",))
    factories.secondary(primary, "cs1", email="cs1@example.org")
    factories.user("plain", email="plain@example.org")
    password = ("--password", "Correct-Horse-42")
    before = row_counts(app)
    refused(
        idp("users", "add", "x", "--secondary-of", "plain", *password),
        "'plain' is not the primary account",
    )
    refused(
        idp("users", "add", "x", "--secondary-of", "cs1.asp1ent", *password),
        "is not the primary account",
    )
    refused(idp("users", "add", "x", "--org", "nope", *password), "no organisation 'nope'")
    refused(
        idp("users", "add", "cs2", "--org", "asp1ent", "--mailbox", "cs2@example.org", *password),
        "reached the number of secondary accounts",
    )
    refused(
        idp("users", "add", "cs2", "--org", "asp1ent", "--service", "AED", *password),
        "AED",
    )
    refused(
        idp("users", "add", "cs2", "--org", "asp1ent", "--service", "NOPE", *password),
        "no service 'NOPE'",
    )
    refused(idp("users", "add", "cs1", "--org", "asp1ent", *password), "cs1.asp1ent")
    refused(idp("users", "add", "Bad Name", "--org", "asp1ent", *password), "name")
    refused(
        idp("users", "add", "cs2", "--org", "asp1ent", "--email", "a@example.org", *password),
        "--mailbox",
    )
    refused(idp("users", "add", "paul", "--mailbox", "p@example.org", *password), "--org")
    refused(idp("users", "add", "--org", "asp1ent", *password), "NAME")
    assert row_counts(app) == before


def test_a_secondary_without_mailbox_is_invited_at_the_primary_s_responsible(app, idp, factories):
    factories.organisation()
    sent = len(emails(app))
    result = ok(idp("users", "add", "cs2", "--org", "asp1ent", "--invite"))
    assert "invitation queued for responsable@example.org" in result.output
    assert len(emails(app)) == sent + 1
    message = last_email(app)
    assert message["To"] == "responsable@example.org"
    assert any("/invitation/" in url for url in links(message))


def test_a_secondary_s_temporary_password_is_to_personalise(app, idp, factories):
    factories.organisation()
    created = as_json(
        idp("users", "add", "cs3", "--org", "asp1ent", "--temporary-password", "--json")
    )
    assert created["temporary_password"]
    with app.app_context():
        user = users.find_by_identifier("cs3.asp1ent")
        assert user is not None and user.password_temporary


def test_users_add_without_org_is_unchanged(app, idp):
    ok(idp("users", "add", "--identifier", "paul", "--password", "Correct-Horse-42"))
    ok(idp("users", "add", "jeanne", "--password", "Correct-Horse-42"))
    assert member_of(app, "paul") is None
    assert member_of(app, "jeanne") is None
    refused(idp("users", "add", "a", "--identifier", "b", "--password", "x"), "not both")


# -- idp orgs import ---------------------------------------------------------------------------


def write(tmp_path: Path, *lines: str) -> str:
    path = tmp_path / "organisations.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


GOOD_ORG = (
    f"asp1ent,D-1,Entreprise,COMPTE ASP1ENT DEV,{SIREN},{NIC},M.,DUPONT,Pierre,56,"
    "rue de Billancourt,92100,BOULOGNE BILLANCOURT,pierre.dupont@example.org,0146000000,2,"
    "open,DPAE"
)


def test_import_writes_good_lines_and_reports_bad_ones(app, idp, tmp_path, factories, dpae):
    for identifier in ("asp1ent", "asp2ent", "asp3ent", "asp4ent", "asp5ent", "asp6ent"):
        factories.user(identifier, email=f"{identifier}@example.org")
    factories.organisation("member")
    path = write(
        tmp_path,
        ORG_HEADER,
        GOOD_ORG,
        f"asp2ent,,Entreprise,SECONDE,{SIREN},00018,,,,,,,,,,,,",
        "asp3ent,,Club,TROISIEME,,,,,,,,,,not-an-email,,-1,shut,",
        "nobody,,Entreprise,PERSONNE,,,,,,,,,,,,,,",
        "asp4ent,,Entreprise,QUATRIEME,,,,,,,,,,,,,,DPAE|NOPE",
        "member,,Entreprise,DEJA,,,,,,,,,,,,,,",
        "asp5ent,D-1,Entreprise,DOSSIER PRIS,,,,,,,,,,,,,,",
        ",,,,,,,,,,,,,,,,,",  # an empty line is skipped
        "asp6ent,,OGA,SIXIEME,,,Mme,MARTIN,Claire,,,,,,,0,pending,",
    )
    result = idp("orgs", "import", path, "--json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert len(report["created"]) == 2 and "D-1" in report["created"]
    refused_lines = {line["line"]: line for line in report["refused"]}
    assert sorted(refused_lines) == [3, 4, 5, 6, 7, 8]
    assert refused_lines[3]["identifier"] == "asp2ent"
    assert refused_lines[3]["problems"] == [
        "nic: The SIRET (SIREN + NIC) is not valid: check the NIC code."
    ]
    assert refused_lines[4]["problems"] == [
        "type: Choose a type from the list.",
        "email: This e-mail address is not valid.",
        "quota '-1' is not a whole number",
        "status must be one of pending, open, closed",
    ]
    assert "no account 'nobody'" in refused_lines[5]["problems"][0]
    assert refused_lines[6]["problems"] == ["services: no service 'NOPE'"]
    assert "already belongs" in refused_lines[7]["problems"][0]
    assert "D-1 is already taken" in refused_lines[8]["problems"][0]
    shown = as_json(idp("orgs", "show", "D-1", "--json"))
    assert shown["primary"] == "asp1ent" and shown["status"] == "open" and shown["quota"] == 2
    assert shown["services"] == ["DPAE"] and shown["identity"]["city"] == "BOULOGNE BILLANCOURT"
    assert member_of(app, "asp6ent") is not None  # its dossier numbered for it
    for identifier in ("asp2ent", "asp3ent", "asp4ent", "asp5ent"):
        assert member_of(app, identifier) is None  # nothing of a bad line is written


def test_import_prints_each_refused_line_and_a_summary(idp, tmp_path, factories, dpae):
    factories.user("asp1ent", email="asp1ent@example.org")
    path = write(tmp_path, ORG_HEADER, GOOD_ORG, "nobody,,Entreprise,PERSONNE,,,,,,,,,,,,,,")
    result = idp("orgs", "import", path)
    assert result.exit_code == 1
    assert "line 3 (nobody): no account 'nobody'" in result.stderr
    assert result.stdout.strip() == "1 created, 0 updated, 1 refused"


def test_import_semicolons_and_all_good_exit_zero(idp, tmp_path, factories, dpae):
    factories.user("asp1ent", email="asp1ent@example.org")
    path = tmp_path / "excel.csv"
    path.write_text(
        "\ufeff" + ORG_HEADER.replace(",", ";") + "\n" + GOOD_ORG.replace(",", ";") + "\n",
        encoding="utf-8",
    )
    assert "1 created, 0 updated, 0 refused" in ok(idp("orgs", "import", str(path))).output


def test_import_sets_the_billing_date_and_refuses_a_line_with_a_bad_one(
    app, idp, tmp_path, factories, dpae
):
    for identifier in ("asp1ent", "asp2ent"):
        factories.user(identifier, email=f"{identifier}@example.org")
    path = write(
        tmp_path,
        ORG_HEADER + ",billing_date",
        GOOD_ORG + ",2008-06-27",
        "asp2ent,,Entreprise,SECONDE,,,,,,,,,,,,,,,2008-02-30",
    )
    report = json.loads(idp("orgs", "import", path, "--json").output)
    assert report["created"] == ["D-1"]
    (line,) = report["refused"]
    assert line["line"] == 3 and "2008-02-30 is not a date" in line["problems"][0]
    assert member_of(app, "asp2ent") is None
    assert as_json(idp("orgs", "show", "D-1", "--json"))["billing_date"] == "2008-06-27"


def test_import_with_a_bad_header_refuses_the_file(app, idp, tmp_path, factories):
    factories.user("asp1ent", email="asp1ent@example.org")
    before = row_counts(app)
    result = idp("orgs", "import", write(tmp_path, "primary,raison_sociale", "asp1ent,X"))
    assert result.exit_code == 1
    assert "missing column 'type'" in result.output
    assert "unknown column 'raison_sociale'" in result.output
    assert row_counts(app) == before


# -- idp demo seed -----------------------------------------------------------------------------


def test_demo_seed_creates_the_organisation_exactly_and_is_idempotent(app, idp, tmp_path):
    output = tmp_path / "instance" / "demo-client.json"
    first = ok(idp("demo", "seed", "--output", str(output)))
    assert "asp1ent / Asp1ent-Demo-2026" in first.output
    assert "cs2.asp1ent / Secondaire-Demo-2026" in first.output
    declarations = json.loads((tmp_path / "instance" / "demo-declarations.json").read_text())
    assert declarations["client_id"] == "demo-rp-declarations"
    assert declarations["redirect_uri"] == "http://127.0.0.1:5002/callback"
    assert declarations["title"] == "Déclarations sociales en ligne"
    assert declarations["session_cookie"] != "demo_rp_session"
    # The organisation scope where the provider offers it; the first application never asks.
    assert ("organisation" in declarations["scope"].split()) == ("organisation" in SUPPORTED_SCOPES)
    assert "scope" not in json.loads(output.read_text())
    counts = row_counts(app)

    again = ok(idp("demo", "seed", "--output", str(output)))
    assert "asp1ent" not in again.output and "registered" not in again.output
    assert row_counts(app) == counts

    service = {row["code"]: row for row in as_json(idp("services", "list", "--json"))}["DPAE"]
    assert service["description"] == "Déclaration Préalable à l'Embauche"
    assert service["recipients"] == "URSSAF"
    assert service["document_types"] == ["DPAE", "Accusé de réception"]
    assert service["clients"] == ["demo-rp-declarations"]
    shown = as_json(idp("orgs", "show", "asp1ent", "--json"))
    assert shown["company_name"] == "COMPTE ASP1ENT DEV" and shown["type"] == "Entreprise"
    assert shown["siret"] == "07955542100019"
    assert shown["status"] == "open" and shown["quota"] == 2 and shown["services"] == ["DPAE"]
    identity = shown["identity"]
    assert (identity["civility"], identity["last_name"], identity["first_name"]) == (
        "M.",
        "DUPONT",
        "Pierre",
    )
    assert (identity["street_number"], identity["street_name"]) == ("56", "rue de Billancourt")
    assert (identity["postal_code"], identity["city"]) == ("92100", "BOULOGNE BILLANCOURT")
    accounts = {a["identifier"]: a for a in shown["secondaries"]}
    assert set(accounts) == {"cs1.asp1ent", "cs2.asp1ent", "cs3.asp1ent"}
    cs1, cs2, cs3 = (accounts[f"cs{n}.asp1ent"] for n in (1, 2, 3))
    assert cs1["autonomous"] and cs1["mailbox"] and cs1["services"] == ["DPAE"]
    assert not cs2["autonomous"] and cs2["mailbox"] is None and cs2["services"] == ["DPAE"]
    assert cs3["state"] == "closed"
    with app.app_context():
        for identifier, password in (
            ("asp1ent", "Asp1ent-Demo-2026"),
            ("cs2.asp1ent", "Secondaire-Demo-2026"),
        ):
            user = users.find_by_identifier(identifier)
            assert user is not None and app.extensions["idp"].passwords.verify(
                user.password_hash, password
            )
        cs2_user = users.find_by_identifier("cs2.asp1ent")
        assert subscriptions.usable_clients(cs2_user.id) == {"demo-rp-declarations"}

    # A lost credentials file: a new secret, the same client, still behind DPAE.
    lost = tmp_path / "instance" / "demo-declarations.json"
    secret = declarations["client_secret"]
    lost.unlink()
    ok(idp("demo", "seed", "--output", str(output)))
    assert json.loads(lost.read_text())["client_secret"] != secret
    listed = {row["code"]: row for row in as_json(idp("services", "list", "--json"))}
    assert listed["DPAE"]["clients"] == ["demo-rp-declarations"]


def test_the_second_demo_application_reads_its_title_scope_and_cookie(app, idp, tmp_path):
    output = tmp_path / "demo-client.json"
    ok(idp("demo", "seed", "--output", str(output), "--declarations-url", "http://127.0.0.1:5902"))
    credentials = json.loads((tmp_path / "demo-declarations.json").read_text())
    assert credentials["redirect_uri"] == "http://127.0.0.1:5902/callback"
    second = demo_rp.create_app(credentials)
    first = demo_rp.create_app(json.loads(output.read_text()))
    assert second.config["SESSION_COOKIE_NAME"] != first.config["SESSION_COOKIE_NAME"]
    assert second.extensions["demo_rp"].oauth.client_kwargs["scope"] == credentials["scope"]
    assert first.extensions["demo_rp"].oauth.client_kwargs["scope"] == demo_rp.SCOPE
    home = second.test_client().get("/").get_data(as_text=True)
    assert '<h1 id="title">Déclarations sociales en ligne</h1>' in home
    assert "Déclarations sociales en ligne" not in first.test_client().get("/").get_data(
        as_text=True
    )


def test_services_link_and_unlink_an_application(app, idp, factories, dpae):
    factories.client(client_id="payroll")
    primary = factories.organisation(services=("DPAE",))
    assert "opens payroll" in ok(idp("services", "link", "dpae", "payroll")).output
    with app.app_context():
        assert subscriptions.usable_clients(primary.id) == {dpae, "payroll"}
        assert app.extensions["idp"].clients.lookup("payroll").requires_habilitation
    refused(idp("services", "link", "DPAE", "payroll"), "already opens")
    refused(idp("services", "link", "DPAE", "nope"), "Unknown application: nope")
    ok(idp("services", "unlink", "DPAE", "payroll"))
    with app.app_context():
        assert subscriptions.usable_clients(primary.id) == {dpae}
    refused(idp("services", "unlink", "DPAE", "payroll"), "does not open")
    assert [e.detail["by"] for e in factories.audit("service_client_unlinked")] == ["cli"]
