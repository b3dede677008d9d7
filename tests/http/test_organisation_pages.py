""" "Gestion des comptes": the list of secondary accounts, creating, deactivating and
reactivating one (idp/web/organisation.py), on SQLite and on PostgreSQL."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape
from sqlalchemy import select

from idp.extensions import db
from idp.i18n import text
from idp.models import OrganisationAccount, Subscription, User
from idp.services import organisations
from idp.services.password_policy import minimum_length
from tests.support.factories import DEFAULT_PASSWORD
from tests.support.oidc import csrf_token
from tests.support.outbox import emails, last_email, links
from tests.support.signin import submit

NEW_PASSWORD = "Quatre chevaux galopent vers Nantes"
LIST = "/account/organisation"
NEW = "/account/organisation/secondaries/new"


def fr(key: str, **params: object) -> str:
    """The French text as the page escapes it."""
    return str(escape(text(key, "fr", **params)))


def body(response) -> str:
    return response.get_data(as_text=True)


def sign_in(client, puzzles, identifier: str) -> None:
    assert submit(client, puzzles, identifier).status_code == 303


def row_names(page: str) -> list[str]:
    return re.findall(r'<th scope="row">([^<]+)</th>', page)


def user_row(app, identifier: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.identifier == identifier))
        assert user is not None, identifier
        db.session.expunge(user)
        return user


def token(client) -> str:
    """The session's CSRF token, from a page that always carries one."""
    return csrf_token(body(client.get("/account/password")))


def action(client, identifier: str, verb: str, **fields: str):
    """Press a row's button (deactivate/reactivate)."""
    return client.post(
        f"{LIST}/secondaries/{identifier}/{verb}", data={"csrf_token": token(client), **fields}
    )


def create(client, **fields: str):
    token = csrf_token(body(client.get(NEW)))
    data = {"way_in": "password", "new_password": NEW_PASSWORD, "confirmation": NEW_PASSWORD}
    return client.post(NEW, data={"csrf_token": token, **data, **fields})


@pytest.fixture
def primary(factories):
    return factories.organisation(quota=1)


@pytest.fixture
def signed_in(client, puzzles, primary):
    sign_in(client, puzzles, "asp1ent")
    return client


# -- who sees what ---------------------------------------------------------------------------


def test_primary_sees_its_summary_and_its_secondaries(app, signed_in, factories, primary):
    factories.secondary(primary, "cs1", email="cs1@example.org")
    factories.secondary(primary, "cs2")
    page = body(signed_in.get(LIST))
    for value in (
        fr("orgpages.title"),
        "asp1ent",
        "07955542100019",
        "COMPTE ASP1ENT DEV",
        "Monsieur Pierre DUPONT",
        fr("orgpages.profile_primary"),
        fr("orgpages.state.open"),
        fr("orgpages.secondaries"),
        fr("orgpages.found", n=2),
        fr("orgpages.mailbox_use", used=1, quota=1),
        'href="/account/organisation/account/identity"',
        'href="/account/organisation/secondaries/cs1.asp1ent/identity"',
        fr("orgpages.deactivate_account", identifier="cs2.asp1ent"),
        'href="/account/organisation/secondaries/new"',
    ):
        assert value in page, value
    with app.app_context():
        dossier = organisations.organisation_of(organisations.membership(primary.id)).dossier
    assert f"<dd>{dossier}</dd>" in page
    assert row_names(page) == ["cs1.asp1ent", "cs2.asp1ent"]


def test_english_page(signed_in):
    page = body(signed_in.get(LIST + "?ui_locales=en"))
    assert text("orgpages.title", "en") in page and text("orgpages.found", "en", n=0) in page
    assert "Mr Pierre DUPONT" in page


def test_mon_compte_links_members_only(app, client, puzzles, factories, primary):
    factories.user()
    sign_in(client, puzzles, "marie")
    assert LIST not in body(client.get("/account"))
    member = app.test_client()
    sign_in(member, puzzles, "asp1ent")
    assert f'href="{LIST}"' in body(member.get("/account"))


def test_ordinary_account_gets_404(client, puzzles, factories):
    factories.user()
    sign_in(client, puzzles, "marie")
    assert client.get(LIST).status_code == 404
    assert client.get(NEW).status_code == 404


def test_signed_out_goes_to_sign_in(client):
    assert client.get(LIST).location == f"/login?next={LIST}"


def test_secondary_sees_only_itself(app, client, puzzles, factories, primary):
    factories.secondary(primary, "cs1")
    factories.secondary(primary, "cs2")
    sign_in(client, puzzles, "cs1.asp1ent")
    page = body(client.get(LIST))
    assert fr("orgpages.profile_secondary", primary="asp1ent") in page
    assert "cs1.asp1ent" in page and "COMPTE ASP1ENT DEV" in page
    assert "cs2.asp1ent" not in page
    assert (
        fr("orgpages.secondaries") not in page
        and fr("orgpages.mailbox_use", used=0, quota=1) not in page
    )
    assert 'href="/account/organisation/account/identity"' in page
    assert client.get(NEW).status_code == 404
    assert action(client, "cs2.asp1ent", "deactivate").status_code == 404
    assert user_row(app, "cs2.asp1ent").is_active


# -- search, sort, pages ---------------------------------------------------------------------


@pytest.fixture
def many(factories, primary, app):
    """Five secondaries: cs1..cs4 without mailbox, mbx with one; cs3 deactivated, cs4 renamed."""
    for name in ("cs1", "cs2", "cs3", "cs4"):
        factories.secondary(primary, name)
    factories.secondary(primary, "mbx", email="mbx@example.org", last_login_at=1)
    with app.app_context():
        member = organisations.find_secondary(organisations.membership(primary.id), "cs4.asp1ent")
        member.company_name, member.last_name = "AUTRE SOCIETE", "MARTIN"
        organisations.deactivate(
            organisations.find_secondary(organisations.membership(primary.id), "cs3.asp1ent"),
            now=1,
            by="test",
        )
        db.session.commit()


def test_filters_and_count(signed_in, many):
    def names(**query: str) -> tuple[list[str], str]:
        page = body(signed_in.get(LIST, query_string=query))
        return row_names(page), page

    found, page = names(state="closed")
    assert found == ["cs3.asp1ent"] and fr("orgpages.found", n=1) in page
    assert names(mailbox="yes")[0] == ["mbx.asp1ent"]
    assert names(mailbox="no", state="pending")[0] == ["cs1.asp1ent", "cs2.asp1ent", "cs4.asp1ent"]
    assert names(company_name="autre")[0] == ["cs4.asp1ent"]
    assert names(responsible="martin")[0] == ["cs4.asp1ent"]
    assert names(state="open")[0] == ["mbx.asp1ent"]
    assert len(names(siret="079555421")[0]) == 5
    found, page = names(name="nobody")
    assert (
        found == [] and fr("orgpages.found", n=0) in page and fr("orgpages.nothing_found") in page
    )
    # The typed filters stay in the form.
    assert 'name="name" value="nobody"' in page


def test_sort_by_clicking_headers(signed_in, many):
    page = body(signed_in.get(LIST, query_string={"sort": "name", "order": "desc"}))
    assert row_names(page) == sorted(row_names(page), reverse=True)
    assert re.search(r'<th scope="col" aria-sort="descending">\s*<a href="[^"]*sort=name', page)
    # The header of the sorted column sorts the other way; the filters are kept.
    page = body(signed_in.get(LIST, query_string={"mailbox": "no", "sort": "state"}))
    assert row_names(page)[-1] == "cs3.asp1ent"  # "Fermé" comes last
    assert 'href="/account/organisation?mailbox=no&amp;sort=state&amp;order=desc"' in page
    assert 'href="/account/organisation?mailbox=no&amp;sort=company_name"' in page
    # Unknown sort or page values fall back, never a 500.
    assert (
        signed_in.get(LIST, query_string={"sort": "password_hash", "page": "x" * 9000}).status_code
        == 200
    )


@pytest.mark.parametrize("settings_overrides", [{"organisations": {"page_size": 2}}])
def test_pages(signed_in, many):
    first = body(signed_in.get(LIST))
    assert row_names(first) == ["cs1.asp1ent", "cs2.asp1ent"]
    assert fr("orgpages.found", n=5) in first
    assert 'href="/account/organisation?page=2" rel="next"' in first
    third = body(signed_in.get(LIST, query_string={"page": "3", "sort": "name"}))
    assert row_names(third) == ["mbx.asp1ent"] and 'aria-current="page"' in third
    assert row_names(body(signed_in.get(LIST, query_string={"page": "99"}))) == ["mbx.asp1ent"]


# -- deactivate, reactivate ------------------------------------------------------------------


def test_deactivate_is_immediate_and_comes_back_to_the_same_search(
    app, client, signed_in, factories, primary, puzzles
):
    factories.secondary(primary, "cs1", last_login_at=1)
    other = app.test_client()
    sign_in(other, puzzles, "cs1.asp1ent")
    token = csrf_token(body(signed_in.get(LIST)))
    response = signed_in.post(
        f"{LIST}/secondaries/cs1.asp1ent/deactivate",
        data={"csrf_token": token, "name": "cs", "page": "1", "sort": "kind", "evil": "x"},
    )
    assert response.status_code == 303
    assert response.location == "/account/organisation?name=cs&sort=kind&page=1#notices"
    page = body(signed_in.get(response.location.removesuffix("#notices")))
    assert fr("orgpages.deactivated", identifier="cs1.asp1ent") in page
    assert fr("orgpages.reactivate_account", identifier="cs1.asp1ent") in page
    assert not user_row(app, "cs1.asp1ent").is_active
    # Its session ended at once.
    assert other.get("/account").location.startswith("/login")
    assert factories.audit("account_disabled")[-1].user_id == user_row(app, "cs1.asp1ent").id


def test_reactivate_with_a_recent_sign_in(app, signed_in, factories, primary):
    factories.secondary(primary, "cs1", status="disabled")
    response = action(signed_in, "cs1.asp1ent", "reactivate", state="closed")
    assert (
        response.status_code == 303
        and response.location == "/account/organisation?state=closed#notices"
    )
    assert fr("orgpages.reactivated", identifier="cs1.asp1ent") in body(signed_in.get(LIST))
    assert user_row(app, "cs1.asp1ent").is_active


def test_reactivate_after_a_stale_sign_in_needs_the_password(
    app, signed_in, factories, primary, clock
):
    factories.secondary(primary, "cs1", status="disabled")
    clock.advance(16 * 60)
    asked = action(signed_in, "cs1.asp1ent", "reactivate", page="1")
    page = body(asked)
    assert asked.status_code == 200
    assert fr("orgpages.reactivate_title", identifier="cs1.asp1ent") in page
    assert 'name="current_password"' in page and 'name="page" value="1"' in page
    assert fr("org.reauth_needed") not in page  # asked, not yet refused
    assert not user_row(app, "cs1.asp1ent").is_active

    lockout = app.extensions["idp"].lockout
    with app.app_context():
        before = lockout.tries_left("asp1ent", now=clock.now())
    wrong = signed_in.post(
        f"{LIST}/secondaries/cs1.asp1ent/reactivate",
        data={"csrf_token": csrf_token(page), "current_password": "not it", "page": "1"},
    )
    assert fr("account.current_password_wrong") in body(wrong)
    assert not user_row(app, "cs1.asp1ent").is_active
    with app.app_context():
        assert lockout.tries_left("asp1ent", now=clock.now()) == before - 1

    right = signed_in.post(
        f"{LIST}/secondaries/cs1.asp1ent/reactivate",
        data={"csrf_token": csrf_token(page), "current_password": DEFAULT_PASSWORD, "page": "1"},
    )
    assert right.status_code == 303 and right.location == "/account/organisation?page=1#notices"
    assert user_row(app, "cs1.asp1ent").is_active


def test_deactivate_needs_no_password_even_when_stale(app, signed_in, factories, primary, clock):
    factories.secondary(primary, "cs1")
    clock.advance(20 * 60)
    assert action(signed_in, "cs1.asp1ent", "deactivate").status_code == 303
    assert not user_row(app, "cs1.asp1ent").is_active


@pytest.mark.parametrize("verb", ["deactivate", "reactivate"])
def test_idor_another_organisations_account_or_the_primary_itself(
    app, signed_in, factories, primary, verb
):
    other = factories.organisation("autre", email="autre@example.org")
    factories.secondary(other, "cs1", status="active" if verb == "deactivate" else "disabled")
    for target in ("cs1.autre", "autre", "asp1ent", "nobody.asp1ent"):
        assert action(signed_in, target, verb).status_code == 404, target
    assert user_row(app, "cs1.autre").is_active is (verb == "deactivate")
    assert user_row(app, "asp1ent").is_active and user_row(app, "autre").is_active


def test_idor_no_invitation_for_another_organisations_account(app, signed_in, factories):
    other = factories.organisation("autre", email="autre@example.org")
    factories.secondary(other, "cs1", email="cs1@autre.example", password=None)
    before = len(emails(app))
    for target in ("cs1.autre", "autre", "asp1ent", "nobody.asp1ent"):
        assert action(signed_in, target, "invite").status_code == 404, target
    assert len(emails(app)) == before


def test_csrf_missing_is_refused_and_nothing_changes(app, signed_in, factories, primary):
    factories.secondary(primary, "cs1")
    factories.secondary(primary, "cs2", status="disabled")
    assert signed_in.post(f"{LIST}/secondaries/cs1.asp1ent/deactivate").status_code == 400
    assert signed_in.post(f"{LIST}/secondaries/cs2.asp1ent/reactivate").status_code == 400
    assert signed_in.post(f"{LIST}/secondaries/cs1.asp1ent/invite").status_code == 400
    refused = signed_in.post(NEW, data={"name": "cs3", "new_password": NEW_PASSWORD})
    assert refused.status_code == 400
    assert user_row(app, "cs1.asp1ent").is_active
    assert not user_row(app, "cs2.asp1ent").is_active
    with app.app_context():
        assert db.session.scalar(select(User).where(User.identifier == "cs3.asp1ent")) is None


# -- create ----------------------------------------------------------------------------------


def test_create_page_offers_the_primarys_services_only(signed_in, factories, primary, app):
    factories.service("AED", document_types=("Attestation", "Rectificatif"))
    factories.service("DPAE")
    with app.app_context():
        organisations_member = organisations.membership(primary.id)
        factories._subscribe(primary.id, ("AED",), acting=organisations_member)
        db.session.commit()
    page = body(signed_in.get(NEW))
    assert fr("orgpages.create_title") in page and ".asp1ent</span>" in page
    assert "AED" in page and "DPAE" not in page
    assert fr("orgpages.document_types", code="AED") in page and "Rectificatif" in page
    assert fr("orgpages.select_all") in page
    assert 'name="current_password"' not in page  # signed in just now


def test_create_with_a_password_and_services(app, signed_in, factories, primary):
    aed = factories.service("AED", document_types=("Attestation", "Rectificatif"))
    dpae = factories.service("DPAE")
    with app.app_context():
        factories._subscribe(
            primary.id, ("AED", "DPAE"), acting=organisations.membership(primary.id)
        )
        db.session.commit()
    response = create(
        signed_in,
        name="cs1",
        autonomous="y",
        services=str(aed),
        **{f"document_types-{aed}": "Rectificatif"},
    )
    assert response.status_code == 303 and response.location == LIST + "#notices"
    page = body(signed_in.get(LIST))
    assert fr("orgpages.created", identifier="cs1.asp1ent") in page
    assert row_names(page) == ["cs1.asp1ent"]
    created = user_row(app, "cs1.asp1ent")
    assert app.extensions["idp"].passwords.verify(created.password_hash, NEW_PASSWORD)
    with app.app_context():
        member = db.session.get(OrganisationAccount, created.id)
        assert member.autonomous and not member.has_mailbox
        held = db.session.scalars(
            select(Subscription).where(Subscription.user_id == created.id)
        ).all()
        assert [(s.service_id, s.document_types) for s in held] == [(aed, ["Rectificatif"])]
        assert dpae not in {s.service_id for s in held}
    assert factories.audit("secondary_account_created")[-1].user_id == created.id
    assert factories.audit("services_changed")[-1].user_id == created.id


def test_services_beyond_the_primarys_are_refused_and_nothing_is_created(
    app, signed_in, factories, primary
):
    factories.service("AED")
    dpae = factories.service("DPAE")
    with app.app_context():
        factories._subscribe(primary.id, ("AED",), acting=organisations.membership(primary.id))
        db.session.commit()
    response = create(signed_in, name="cs1", services=str(dpae))
    assert response.status_code == 200
    assert fr("org.service_beyond_primary", code="DPAE") in body(response)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.identifier == "cs1.asp1ent")) is None


def test_create_with_an_invitation_to_its_own_mailbox(app, signed_in):
    response = create(
        signed_in,
        name="cs1",
        way_in="invitation",
        mailbox="y",
        email="cs1@example.org",
        new_password="",
        confirmation="",
    )
    assert response.status_code == 303
    sent = last_email(app)
    assert sent["To"] == "cs1@example.org"
    assert any("/invitation/" in link for link in links(sent))
    assert user_row(app, "cs1.asp1ent").password_hash is None
    page = body(signed_in.get(LIST))
    assert fr("orgpages.invitation_sent", address="cs1@example.org") in page


def test_invitation_without_mailbox_reaches_the_primarys_responsible(app, signed_in):
    assert (
        create(signed_in, name="cs1", way_in="invitation", email="typed@example.org").status_code
        == 303
    )
    sent = last_email(app)
    assert sent["To"] == "responsable@example.org"
    assert any("/invitation/" in link for link in links(sent))
    assert user_row(app, "cs1.asp1ent").email is None  # the unticked mailbox's address is ignored


def test_the_invitation_can_be_sent_again_while_no_password_is_chosen(
    app, signed_in, factories, primary
):
    factories.secondary(primary, "cs1", email="cs1@example.org", password=None)
    factories.secondary(primary, "cs2")  # no mailbox (the quota allows one)
    page = body(signed_in.get(LIST))
    assert page.count(fr("orgpages.invite_again")) == 1  # cs2 has a password
    before = len(emails(app))
    assert action(signed_in, "cs1.asp1ent", "invite").status_code == 303
    sent = emails(app)[before:]
    assert [m["To"] for m in sent] == ["cs1@example.org"]
    assert any("/invitation/" in link for link in links(sent[0]))
    # An account that chose its password gets no new way in from its primary.
    assert action(signed_in, "cs2.asp1ent", "invite").status_code == 303
    assert len(emails(app)) == before + 1
    assert fr("orgpages.invitation_not_needed", identifier="cs2.asp1ent") in body(
        signed_in.get(LIST)
    )


def test_quota_reached_with_a_mailbox_keeps_what_was_typed(app, signed_in, factories, primary):
    factories.secondary(primary, "cs1", email="cs1@example.org")
    response = create(signed_in, name="cs2", mailbox="y", email="cs2@example.org", autonomous="y")
    page = body(response)
    assert response.status_code == 200
    assert fr("org.quota_reached", quota=1) in page
    assert 'id="email-error"' in page and 'aria-describedby="email-error"' in page
    assert 'value="cs2"' in page and 'value="cs2@example.org"' in page
    assert re.search(r'id="mailbox" name="mailbox" value="y"[^>]* checked', page)
    assert re.search(r'id="autonomous" name="autonomous" value="y"[^>]* checked', page)
    assert NEW_PASSWORD not in page  # never the passwords
    # Without a mailbox it is free.
    assert create(signed_in, name="cs2").status_code == 303


def test_name_taken_also_by_a_deactivated_account(app, signed_in, factories, primary):
    factories.secondary(primary, "cs1", status="disabled")
    response = create(signed_in, name="cs1")
    assert fr("org.secondary_name_taken", identifier="cs1.asp1ent") in body(response)
    assert 'aria-describedby="name-hint name-error"' in body(response)


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"name": ""}, "orgpages.name_required"),
        ({"name": "Cs 1!"}, "org.secondary_name_invalid"),
        ({"name": "cs1", "mailbox": "y", "email": ""}, "orgpages.email_required"),
        ({"name": "cs1", "mailbox": "y", "email": "not an address"}, "org.email_invalid"),
        ({"name": "cs1", "confirmation": NEW_PASSWORD + "x"}, "password.mismatch"),
        ({"name": "cs1", "new_password": "soleil", "confirmation": "soleil"}, "password.too_short"),
    ],
)
def test_refusals_say_why_and_create_nothing(app, signed_in, fields, key):
    response = create(signed_in, **fields)
    assert response.status_code == 200
    page = body(response)
    assert fr("orgpages.not_created") in page
    settings = app.extensions["idp"].settings.password
    limits = {"min": minimum_length(settings), "max": settings.max_length}
    assert fr(key, **limits) in page, key
    with app.app_context():
        assert db.session.scalar(select(User).where(User.identifier.like("%.asp1ent"))) is None


def test_create_after_a_stale_sign_in_needs_the_password(app, signed_in, clock, factories):
    clock.advance(16 * 60)
    page = body(signed_in.get(NEW))
    assert 'name="current_password"' in page
    lockout = app.extensions["idp"].lockout
    with app.app_context():
        before = lockout.tries_left("asp1ent", now=clock.now())
    missing = create(signed_in, name="cs1")
    assert fr("org.reauth_needed") in body(missing)
    wrong = create(signed_in, name="cs1", current_password="not it")
    assert fr("account.current_password_wrong") in body(wrong) and 'value="cs1"' in body(wrong)
    with app.app_context():
        assert lockout.tries_left("asp1ent", now=clock.now()) == before - 1
        assert db.session.scalar(select(User).where(User.identifier == "cs1.asp1ent")) is None
    assert create(signed_in, name="cs1", current_password=DEFAULT_PASSWORD).status_code == 303
    assert user_row(app, "cs1.asp1ent").is_active


def test_creating_one_transaction(app, signed_in, factories, primary, monkeypatch):
    """A failure while setting the services leaves no half-made account."""
    from idp.services import subscriptions

    def broken(*args, **kwargs):
        raise organisations.OrganisationError("org.service_unknown", code="?")

    monkeypatch.setattr(subscriptions, "set_services", broken)
    assert create(signed_in, name="cs1").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(User).where(User.identifier == "cs1.asp1ent")) is None
    assert emails(app) == []
