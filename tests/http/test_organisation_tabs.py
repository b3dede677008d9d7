"""The "Modifier" tabs of "Gestion des comptes": Identité, Options, Facturation, Mot de passe,
for the member's own account and for a secondary account its primary manages."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from markupsafe import escape
from sqlalchemy import select

from idp.extensions import db
from idp.i18n import text
from idp.models import BrowserSession, Organisation, User
from idp.services import organisations, subscriptions
from tests.support.factories import DEFAULT_PASSWORD, SIREN
from tests.support.oidc import RelyingParty, csrf_token
from tests.support.outbox import emails, text_part
from tests.support.signin import submit

OWN = "/account/organisation/account"
SECONDARIES = "/account/organisation/secondaries"
NEW_PASSWORD = "Quatre chevaux galopent vers Nantes"
STALE = 16 * 60  # past [organisations] reauthenticate_minutes


def says(response: Any, key: str, **params: Any) -> bool:
    """Whether the page shows the message (as Jinja escapes it)."""
    return escape(text(key, "fr", **params)) in response.get_data(as_text=True)


def field_error(response: Any, name: str, key: str, **params: Any) -> None:
    """The message is shown in the field's error, and the field points to it."""
    page = response.get_data(as_text=True)
    message = escape(text(key, "fr", **params))
    assert f'<p class="field-error" id="{name}-error">{message}</p>' in page, page
    field = re.search(rf'<(?:input|select|fieldset)[^>]*id="{re.escape(name)}"[^>]*>', page)
    assert field is not None and f"{name}-error" in field.group(0), field


def value_of(response: Any, name: str) -> str:
    page = response.get_data(as_text=True)
    match = re.search(rf'<input[^>]*name="{re.escape(name)}" value="([^"]*)"', page)
    assert match is not None, name
    return html.unescape(match.group(1))


def post(client: Any, url: str, **data: Any) -> Any:
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    return client.post(url, data={"csrf_token": csrf_token(page.get_data(as_text=True)), **data})


@pytest.fixture
def org(app, factories, clock):
    """asp1ent, subscribed to AED (with document types) and DPAE; cs1 (no mailbox, DPAE),
    cs2 (autonomous, with a mailbox); another organisation "autre" with its x.autre."""
    aed, _ = factories.client(name="AED")
    dpae, _ = factories.client(name="DPAE")
    factories.service("AED", aed.client_id, document_types=("Attestation", "Certificat"))
    factories.service("DPAE", dpae.client_id)
    factories.service("DSI", dpae.client_id)
    primary = factories.organisation(services=("AED", "DPAE"), quota=2)
    cs1 = factories.secondary(primary, "cs1", services=("DPAE",))
    cs2 = factories.secondary(
        primary, "cs2", email="cs2@example.org", autonomous=True, services=("DPAE",)
    )
    other = factories.organisation("autre", email="autre@example.org", services=("AED",))
    factories.secondary(other, "x")
    return {"primary": primary, "cs1": cs1, "cs2": cs2, "other": other}


@pytest.fixture
def primary(client, org, puzzles):
    assert submit(client, puzzles, "asp1ent").status_code == 303
    return client


def member(app, identifier: str) -> organisations.OrganisationAccount:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.identifier == identifier))
        found = organisations.membership(user.id)
        db.session.expunge_all()
        return found


def services_of(app, identifier: str) -> dict[str, list[str]]:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.identifier == identifier))
        rows = subscriptions.subscriptions_of(user.id).values()
        codes = {s.id: s.code for s in subscriptions.all_services()}
        return {codes[r.service_id]: list(r.document_types) for r in rows}


def user_row(app, identifier: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.identifier == identifier))
        db.session.expunge(user)
        return user


def service_id(app, code: str) -> str:
    with app.app_context():
        return str(subscriptions.find_service(code).id)


def asp1ent(app) -> Organisation:
    """The primary's organisation (the fixture has two)."""
    organisation_id = member(app, "asp1ent").organisation_id
    with app.app_context():
        found = db.session.get(Organisation, organisation_id)
        db.session.expunge(found)
        return found


def live_sessions(app, identifier: str) -> int:
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.identifier == identifier))
        return len(
            db.session.scalars(
                select(BrowserSession).where(
                    BrowserSession.user_id == user_id, BrowserSession.ended_at.is_(None)
                )
            ).all()
        )


def signed_in_elsewhere(app, puzzles, identifier: str) -> Any:
    other = app.test_client()
    assert submit(other, puzzles, identifier).status_code == 303
    return other


IDENTITY = {
    "kind": "OGA",
    "siren": SIREN,
    "nic": "00019",
    "company_name": "NOUVELLE RAISON",
    "corporate_officer": "",
    "civility": "Mme",
    "last_name": "MARTIN",
    "first_name": "Claire",
    "street_number": "56",
    "street_suffix": "bis",
    "street_name": "rue de Billancourt",
    "address_complement": "",
    "po_box": "",
    "postal_code": "92100",
    "city": "BOULOGNE BILLANCOURT",
    "country": "France",
    "email": "claire@example.org",
    "phone": "0149098737",
    "fax": "",
    "technical_name": "",
    "technical_email": "",
    "technical_phone": "",
    "administrative_name": "",
    "administrative_email": "",
    "administrative_phone": "",
}


# -- frame, access --------------------------------------------------------------------------


def test_header_tabs_and_way_back(primary):
    page = primary.get(f"{OWN}/identity")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    for key in ("org_tabs.dossier", "org_tabs.profile.primary", "org_tabs.status.open"):
        assert says(page, key)
    assert "COMPTE ASP1ENT DEV" in body and "asp1ent" in body
    assert f'href="{OWN}/identity" aria-current="page"' in body
    assert f'href="{OWN}/billing"' in body
    assert 'href="/account/organisation"' in body
    secondary = primary.get(f"{SECONDARIES}/cs1.asp1ent/options").get_data(as_text=True)
    assert f'href="{SECONDARIES}/cs1.asp1ent/options" aria-current="page"' in secondary
    assert "/billing" not in secondary
    assert escape(text("org_tabs.profile.secondary", "fr")) in secondary


def test_english(primary):
    page = primary.get(f"{OWN}/options?ui_locales=en")
    body = page.get_data(as_text=True)
    assert text("org_tabs.quota", "en") in body
    assert f"{OWN}/identity?ui_locales=en" in body


def test_sign_in_needed_and_ordinary_accounts_get_404(client, factories, puzzles, org):
    assert client.get(f"{OWN}/identity").status_code == 303
    factories.user("solo", email="solo@example.org")
    assert submit(client, puzzles, "solo").status_code == 303
    assert client.get(f"{OWN}/identity").status_code == 404


def test_unknown_tab_is_404(primary):
    assert primary.get(f"{OWN}/nothing").status_code == 404
    assert primary.get(f"{SECONDARIES}/cs1.asp1ent/nothing").status_code == 404


@pytest.mark.parametrize("tab", ["identity", "options", "billing", "password"])
@pytest.mark.parametrize("identifier", ["x.autre", "asp1ent", "autre", "nobody.asp1ent"])
def test_idor_every_tab_get_and_post(app, primary, tab, identifier):
    """Another organisation's secondary, the primary itself or another primary in the
    secondary URL: 404 on GET and POST, and nothing changes."""
    url = f"{SECONDARIES}/{identifier}/{tab}"
    assert primary.get(url).status_code == 404
    token = csrf_token(primary.get(f"{OWN}/identity").get_data(as_text=True))
    before = [member(app, i).__dict__.get("company_name") for i in ("x.autre", "asp1ent")]
    hash_before = user_row(app, "x.autre").password_hash
    response = primary.post(
        url,
        data={
            "csrf_token": token,
            **IDENTITY,
            "new_password": NEW_PASSWORD,
            "confirmation": NEW_PASSWORD,
            "mailbox": "on",
            "mailbox_email": "pirate@example.org",
            "service": [],
        },
    )
    assert response.status_code == 404
    after = [member(app, i).__dict__.get("company_name") for i in ("x.autre", "asp1ent")]
    assert after == before
    assert user_row(app, "x.autre").password_hash == hash_before
    assert member(app, "x.autre").has_mailbox is False


def test_secondary_cannot_manage_siblings_nor_see_billing(app, client, org, puzzles):
    assert submit(client, puzzles, "cs2.asp1ent").status_code == 303
    assert client.get(f"{SECONDARIES}/cs1.asp1ent/identity").status_code == 404
    assert client.get(f"{OWN}/billing").status_code == 404
    page = client.get(f"{OWN}/identity").get_data(as_text=True)
    assert "/billing" not in page


def test_billing_of_a_secondary_is_404(primary):
    assert primary.get(f"{SECONDARIES}/cs1.asp1ent/billing").status_code == 404


@pytest.mark.parametrize(
    "url",
    [f"{OWN}/{tab}" for tab in ("identity", "options", "billing", "password")]
    + [f"{SECONDARIES}/cs1.asp1ent/{tab}" for tab in ("identity", "options", "password")],
)
def test_csrf_missing_is_refused(app, primary, url):
    before = user_row(app, "cs1.asp1ent").password_hash
    response = primary.post(
        url,
        data={**IDENTITY, "quota": "5", "new_password": NEW_PASSWORD, "confirmation": NEW_PASSWORD},
    )
    assert response.status_code == 400
    assert member(app, "asp1ent").company_name == "COMPTE ASP1ENT DEV"
    assert member(app, "cs1.asp1ent").company_name == "COMPTE ASP1ENT DEV"
    assert user_row(app, "cs1.asp1ent").password_hash == before


# -- Identité --------------------------------------------------------------------------------


def test_identity_saved(app, primary):
    response = post(primary, f"{OWN}/identity", **IDENTITY)
    assert response.status_code == 303
    assert response.location == f"{OWN}/identity"
    assert says(primary.get(response.location), "org_tabs.saved")
    saved = member(app, "asp1ent")
    assert (saved.company_name, saved.kind, saved.civility) == ("NOUVELLE RAISON", "OGA", "Mme")
    assert (saved.street_suffix, saved.first_name) == ("bis", "Claire")


def test_identity_of_a_secondary_by_its_primary(app, primary):
    response = post(primary, f"{SECONDARIES}/cs1.asp1ent/identity", **IDENTITY)
    assert response.location == f"{SECONDARIES}/cs1.asp1ent/identity"
    assert member(app, "cs1.asp1ent").company_name == "NOUVELLE RAISON"
    assert member(app, "asp1ent").company_name == "COMPTE ASP1ENT DEV"


def test_identity_errors_are_tied_to_fields_and_values_kept(app, primary):
    response = post(
        primary,
        f"{OWN}/identity",
        **{**IDENTITY, "nic": "00018", "email": "pas une adresse", "kind": "Pirate"},
    )
    assert response.status_code == 200
    field_error(response, "nic", "org.siret_invalid")
    field_error(response, "email", "org.email_invalid")
    field_error(response, "kind", "org.kind_unknown")
    assert 'id="form-error"' in response.get_data(as_text=True)
    assert value_of(response, "company_name") == "NOUVELLE RAISON"
    assert value_of(response, "email") == "pas une adresse"
    assert member(app, "asp1ent").company_name == "COMPTE ASP1ENT DEV"


def test_copy_the_responsible_without_script(app, primary):
    typed = {**IDENTITY, "technical_name": "ancien"}
    response = post(primary, f"{OWN}/identity", **typed, copy="technical")
    assert response.status_code == 200
    assert value_of(response, "technical_name") == "Claire MARTIN"
    assert value_of(response, "technical_email") == "claire@example.org"
    assert value_of(response, "technical_phone") == "0149098737"
    assert value_of(response, "administrative_name") == ""
    assert value_of(response, "company_name") == "NOUVELLE RAISON"
    assert says(response, "org_tabs.copied", contact=text("org_tabs.technical", "fr"))
    # Nothing saved yet.
    saved = member(app, "asp1ent")
    assert saved.technical_name is None and saved.company_name == "COMPTE ASP1ENT DEV"


# -- Options ---------------------------------------------------------------------------------


def test_primary_options_quota_services_and_cascade(app, primary):
    aed = service_id(app, "AED")
    page = primary.get(f"{OWN}/options")
    assert says(page, "org_tabs.quota_hint", used=1)
    response = post(
        primary,
        f"{OWN}/options",
        quota="3",
        service=[aed],
        **{f"doctypes-{aed}": ["Certificat"]},
    )
    assert response.status_code == 303
    after = primary.get(response.location)
    assert says(after, "org_tabs.service_removed", code="DPAE", n=2)
    assert services_of(app, "asp1ent") == {"AED": ["Certificat"]}
    assert services_of(app, "cs1.asp1ent") == {} and services_of(app, "cs2.asp1ent") == {}
    assert asp1ent(app).secondary_quota == 3


def test_unsubscribing_on_the_page_ends_the_secondaries_access_at_once(
    app, client, factories, puzzles, clock
):
    """The cascade through the Options page: the secondary's tokens and session for the
    service's application end, its next authorization meets the habilitation refusal, and
    its own audit trail says what it lost and who did it."""
    _, secret = factories.client(client_id="decl", first_party=True)
    factories.service("DECL", "decl")
    owner = factories.organisation(services=("DECL",))
    factories.secondary(owner, "cs1", services=("DECL",))
    rp = RelyingParty(app.test_client(), "decl", secret, clock=clock)
    tokens = rp.tokens(identifier="cs1.asp1ent", scope="openid offline_access")
    assert live_sessions(app, "cs1.asp1ent") == 1
    assert submit(client, puzzles, "asp1ent").status_code == 303
    response = post(client, f"{OWN}/options", quota="0")
    assert response.status_code == 303
    assert says(client.get(response.location), "org_tabs.service_removed", code="DECL", n=1)
    assert services_of(app, "cs1.asp1ent") == {}
    assert rp.userinfo(tokens["access_token"]).status_code == 401
    assert rp.refresh(tokens["refresh_token"]).status_code == 400
    assert rp.introspect(tokens["access_token"]).get_json() == {"active": False}
    assert live_sessions(app, "cs1.asp1ent") == 0
    login = rp.authorize()
    refusal = rp.sign_in(login.location, "cs1.asp1ent")
    assert refusal.location.startswith("/login/habilitation/")
    cs1 = user_row(app, "cs1.asp1ent")
    trail = [e.detail for e in factories.audit("services_changed") if e.user_id == cs1.id]
    assert trail[-1] == {"by": "asp1ent", "added": [], "removed": ["DECL"], "cascade": True}


def test_quota_below_used_or_not_a_number_is_refused(app, primary):
    dpae = service_id(app, "DPAE")
    below = post(primary, f"{OWN}/options", quota="0", service=[dpae])
    field_error(below, "quota", "org.quota_below_used", used=1)
    assert value_of(below, "quota") == "0"
    assert services_of(app, "asp1ent") == {"AED": [], "DPAE": []}  # nothing saved
    words = post(primary, f"{OWN}/options", quota="beaucoup", service=[dpae])
    field_error(words, "quota", "org_tabs.quota_invalid")
    assert value_of(words, "quota") == "beaucoup"
    assert asp1ent(app).secondary_quota == 2


@pytest.mark.parametrize("quota", ["²", "9" * 30, "-1", "1.5"])
def test_odd_numbers_are_refused_not_crashed(app, primary, quota):
    response = post(primary, f"{OWN}/options", quota=quota, service=["³"])
    assert response.status_code == 200
    field_error(response, "quota", "org_tabs.quota_invalid")
    field_error(response, "services", "org.service_unknown", code="³")
    assert asp1ent(app).secondary_quota == 2


def test_select_all_without_script(app, primary):
    response = post(primary, f"{OWN}/options", quota="2", select_all="1")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    for code in ("AED", "DPAE", "DSI"):
        assert re.search(rf'value="{service_id(app, code)}" checked', body), code
    assert says(response, "org_tabs.all_selected")
    assert "DSI" not in services_of(app, "asp1ent")


def test_secondary_options_by_its_primary(app, primary, puzzles):
    cs1 = signed_in_elsewhere(app, puzzles, "cs1.asp1ent")
    assert live_sessions(app, "cs1.asp1ent") == 1
    aed = service_id(app, "AED")
    url = f"{SECONDARIES}/cs1.asp1ent/options"
    response = post(
        primary, url, mailbox="on", mailbox_email="cs1@example.org", autonomous="on", service=[aed]
    )
    assert response.status_code == 303
    warning = primary.get(response.location).get_data(as_text=True)
    assert (
        '<div class="alert alert-warning" role="alert"><p>ATTENTION : pour pouvoir accéder à sa '
        "boite mail, le titulaire du compte secondaire devra impérativement réinitialiser son "
        "mot de passe</p></div>"
    ) in warning
    # Shown once.
    assert "ATTENTION" not in primary.get(url).get_data(as_text=True)
    saved = member(app, "cs1.asp1ent")
    assert saved.has_mailbox and saved.autonomous
    user = user_row(app, "cs1.asp1ent")
    assert user.email == "cs1@example.org" and user.password_temporary
    assert live_sessions(app, "cs1.asp1ent") == 0
    assert cs1.get(f"{OWN}/identity").status_code == 303  # signed out
    assert services_of(app, "cs1.asp1ent") == {"AED": []}


def test_mailbox_quota_is_respected(app, factories, primary):
    factories.secondary(org_primary := user_row(app, "asp1ent"), "cs3", email="cs3@example.org")
    assert org_primary.identifier == "asp1ent"
    response = post(
        primary,
        f"{SECONDARIES}/cs1.asp1ent/options",
        mailbox="on",
        mailbox_email="cs1@example.org",
        service=[service_id(app, "DPAE")],
        autonomous="on",
    )
    assert response.status_code == 200
    field_error(response, "mailbox", "org.quota_reached", quota=2)
    assert value_of(response, "mailbox_email") == "cs1@example.org"
    saved = member(app, "cs1.asp1ent")
    assert not saved.has_mailbox and not saved.autonomous
    assert not user_row(app, "cs1.asp1ent").password_temporary


def test_mailbox_needs_a_valid_address(app, primary):
    url = f"{SECONDARIES}/cs1.asp1ent/options"
    empty = post(primary, url, mailbox="on", mailbox_email="")
    field_error(empty, "mailbox_email", "org_tabs.mailbox_email_required")
    wrong = post(primary, url, mailbox="on", mailbox_email="pas-une-adresse")
    field_error(wrong, "mailbox_email", "org.email_invalid")
    assert not member(app, "cs1.asp1ent").has_mailbox


def test_primary_cannot_give_a_secondary_more_than_it_has(app, primary):
    dsi = service_id(app, "DSI")
    response = post(primary, f"{SECONDARIES}/cs1.asp1ent/options", service=[dsi])
    field_error(response, "services", "org.service_beyond_primary", code="DSI")
    assert services_of(app, "cs1.asp1ent") == {"DPAE": []}


def test_non_autonomous_secondary_sees_read_only_and_cannot_post(app, client, org, puzzles):
    assert submit(client, puzzles, "cs1.asp1ent").status_code == 303
    page = client.get(f"{OWN}/options")
    assert says(page, "org_tabs.services_readonly")
    assert 'name="service"' not in page.get_data(as_text=True)
    token = csrf_token(client.get(f"{OWN}/identity").get_data(as_text=True))
    tampered = client.post(
        f"{OWN}/options", data={"csrf_token": token, "service": [service_id(app, "AED")]}
    )
    assert tampered.status_code == 200
    message = escape(text("org.services_not_autonomous", "fr"))
    assert f'<p class="field-error" id="services-error">{message}</p>' in tampered.get_data(
        as_text=True
    )
    assert services_of(app, "cs1.asp1ent") == {"DPAE": []}


def test_autonomous_secondary_chooses_among_its_primary_services(app, client, org, puzzles):
    assert submit(client, puzzles, "cs2.asp1ent").status_code == 303
    page = client.get(f"{OWN}/options").get_data(as_text=True)
    assert f'value="{service_id(app, "AED")}"' in page
    assert f'value="{service_id(app, "DSI")}"' not in page  # not the primary's
    assert 'name="quota"' not in page and 'name="mailbox"' not in page
    tampered = post(client, f"{OWN}/options", service=[service_id(app, "DSI")])
    field_error(tampered, "services", "org.service_beyond_primary", code="DSI")
    assert services_of(app, "cs2.asp1ent") == {"DPAE": []}
    chosen = post(client, f"{OWN}/options", service=[service_id(app, "AED")])
    assert chosen.status_code == 303
    assert services_of(app, "cs2.asp1ent") == {"AED": []}


def test_recent_sign_in_for_options(app, primary, clock):
    clock.advance(STALE)
    dpae = service_id(app, "DPAE")
    page = primary.get(f"{OWN}/options")
    assert 'name="current_password"' in page.get_data(as_text=True)
    missing = post(primary, f"{OWN}/options", quota="5", service=[dpae])
    field_error(missing, "current_password", "org.reauth_needed")
    assert value_of(missing, "quota") == "5"
    wrong = post(primary, f"{OWN}/options", quota="5", service=[dpae], current_password="non")
    field_error(wrong, "current_password", "account.current_password_wrong")
    with app.app_context():
        rt = app.extensions["idp"]
        assert rt.lockout.status("asp1ent", now=rt.now()).consecutive_failures == 1
    assert asp1ent(app).secondary_quota == 2
    assert services_of(app, "asp1ent") == {"AED": [], "DPAE": []}
    right = post(
        primary, f"{OWN}/options", quota="5", service=[dpae], current_password=DEFAULT_PASSWORD
    )
    assert right.status_code == 303
    assert services_of(app, "asp1ent") == {"DPAE": []}
    # The confirmation counts as a fresh sign-in.
    assert 'name="current_password"' not in primary.get(right.location).get_data(as_text=True)


def test_recent_sign_in_for_a_secondary_options(app, primary, clock):
    clock.advance(STALE)
    url = f"{SECONDARIES}/cs1.asp1ent/options"
    response = post(primary, url, autonomous="on", service=[service_id(app, "DPAE")])
    field_error(response, "current_password", "org.reauth_needed")
    assert not member(app, "cs1.asp1ent").autonomous


# -- Facturation -----------------------------------------------------------------------------


def test_billing_saved_and_shown(app, primary):
    page = primary.get(f"{OWN}/billing")
    assert says(page, "org_tabs.pricing")
    support = app.extensions["idp"].settings.branding.support_email
    assert f'href="mailto:{support}"' in page.get_data(as_text=True)
    response = post(
        primary,
        f"{OWN}/billing",
        street_name="avenue de la Gare",
        postal_code="42000",
        city="SAINT-ETIENNE",
        street_suffix="ter",
    )
    assert response.status_code == 303
    organisation = asp1ent(app)
    assert organisation.billing_uses_responsible_address is False
    assert organisation.billing_address["city"] == "SAINT-ETIENNE"
    assert organisation.billing_address["street_suffix"] == "ter"
    again = post(primary, f"{OWN}/billing", use_responsible="on")
    assert again.status_code == 303
    assert asp1ent(app).billing_uses_responsible_address


def test_billing_incomplete_address_is_refused(app, primary):
    response = post(primary, f"{OWN}/billing", street_name="avenue de la Gare", city="")
    field_error(response, "billing_address", "org.billing_address_incomplete")
    assert value_of(response, "street_name") == "avenue de la Gare"
    assert asp1ent(app).billing_uses_responsible_address


# -- Mot de passe ----------------------------------------------------------------------------


def test_own_password_change(app, primary):
    response = post(
        primary,
        f"{OWN}/password",
        current_password=DEFAULT_PASSWORD,
        new_password=NEW_PASSWORD,
        confirmation=NEW_PASSWORD,
    )
    assert response.status_code == 303
    assert says(primary.get(response.location), "account.password_done")
    user = user_row(app, "asp1ent")
    assert app.extensions["idp"].passwords.verify(user.password_hash, NEW_PASSWORD)
    assert not user.password_temporary


def test_own_password_rules_and_current(app, primary):
    weak = post(
        primary,
        f"{OWN}/password",
        current_password=DEFAULT_PASSWORD,
        new_password="soleil2024",
        confirmation="soleil2024",
    )
    assert says(weak, "password.too_weak")
    wrong = post(
        primary,
        f"{OWN}/password",
        current_password="non",
        new_password=NEW_PASSWORD,
        confirmation=NEW_PASSWORD,
    )
    assert says(wrong, "account.current_password_wrong")
    empty = post(primary, f"{OWN}/password")
    assert says(empty, "login.required")
    user = user_row(app, "asp1ent")
    assert app.extensions["idp"].passwords.verify(user.password_hash, DEFAULT_PASSWORD)


def test_primary_sets_a_secondary_password(app, factories, primary, puzzles):
    signed_in_elsewhere(app, puzzles, "cs1.asp1ent")
    page = primary.get(f"{SECONDARIES}/cs1.asp1ent/password").get_data(as_text=True)
    assert 'name="current_password"' not in page  # recent sign-in: not asked
    sent_before = len(emails(app))
    response = post(
        primary,
        f"{SECONDARIES}/cs1.asp1ent/password",
        new_password=NEW_PASSWORD,
        confirmation=NEW_PASSWORD,
    )
    assert response.status_code == 303
    assert says(
        primary.get(response.location), "org_tabs.password_set_secondary", identifier="cs1.asp1ent"
    )
    user = user_row(app, "cs1.asp1ent")
    assert app.extensions["idp"].passwords.verify(user.password_hash, NEW_PASSWORD)
    assert user.password_temporary
    assert live_sessions(app, "cs1.asp1ent") == 0
    assert live_sessions(app, "asp1ent") == 1
    sent = emails(app)[sent_before:]
    assert [m["To"] for m in sent] == ["responsable@example.org"]
    assert "cs1.asp1ent vient d'être modifié" in text_part(sent[0])
    audit = factories.audit("password_changed")[-1]
    assert audit.user_id == user.id and audit.detail["reason"] == "primary:asp1ent"


def test_secondary_password_rules_and_recent_sign_in(app, primary, clock):
    url = f"{SECONDARIES}/cs2.asp1ent/password"
    mismatch = post(primary, url, new_password=NEW_PASSWORD, confirmation=NEW_PASSWORD + "!")
    assert says(mismatch, "password.mismatch")
    # Checked against the secondary's own account: its current password cannot come back.
    same = post(primary, url, new_password=DEFAULT_PASSWORD, confirmation=DEFAULT_PASSWORD)
    assert says(same, "password.same_as_current")
    clock.advance(STALE)
    stale = post(primary, url, new_password=NEW_PASSWORD, confirmation=NEW_PASSWORD)
    field_error(stale, "current_password", "org.reauth_needed")
    wrong = post(
        primary, url, new_password=NEW_PASSWORD, confirmation=NEW_PASSWORD, current_password="x"
    )
    field_error(wrong, "current_password", "account.current_password_wrong")
    user = user_row(app, "cs2.asp1ent")
    assert app.extensions["idp"].passwords.verify(user.password_hash, DEFAULT_PASSWORD)
    right = post(
        primary,
        url,
        new_password=NEW_PASSWORD,
        confirmation=NEW_PASSWORD,
        current_password=DEFAULT_PASSWORD,
    )
    assert right.status_code == 303
    assert user_row(app, "cs2.asp1ent").password_temporary
