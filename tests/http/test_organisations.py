"""The rules of organisations, attacked: names, quota, rights ⊆ primary, the cascade when a
right is withdrawn, mail routing, the mailbox switch, deactivation, notices and the audit.

Management actions go through the services (the pages call the same ones); what they must
end or refuse is checked through real flows: sign-ins, the token endpoint, UserInfo,
introspection, recovery and the outbox.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, select

from idp.clock import FrozenClock
from idp.extensions import db
from idp.i18n import text
from idp.models import AuditEvent, BrowserSession, OrganisationAccount, Subscription, User
from idp.services import credentials, organisations, subscriptions, users
from idp.services.organisations import NewSecondary, OrganisationError
from tests.support.concurrency import together
from tests.support.factories import DEFAULT_PASSWORD, Factories
from tests.support.oidc import RelyingParty, csrf_token, query
from tests.support.outbox import emails, last_email, settle, text_part
from tests.support.recovery import CODE, post_page, walk_to_code_page
from tests.support.signin import submit

PRIMARY = "asp1ent"
RESPONSIBLE = "responsable@example.org"  # the primary's responsible (factories.organisation)
NEW_PASSWORD = "Quatre chevaux galopent vers Nantes"
NOTICE = "vient d'être modifié"
OFFLINE = "openid profile offline_access"


# -- helpers ---------------------------------------------------------------------------------


@contextmanager
def acting(app: Flask) -> Iterator[None]:
    """A management action: in an app context, committed as a page would, then the delivery
    worker's pass that follows a page in these tests."""
    with app.app_context():
        yield
        db.session.commit()
    settle(app)


def member(identifier: str) -> OrganisationAccount:
    user = users.find_by_identifier(identifier)
    assert user is not None, identifier
    found = organisations.membership(user.id)
    assert found is not None, identifier
    return found


def now(app: Flask) -> int:
    return app.extensions["idp"].now()


def add(app: Flask, name: str, *, email: str | None = None, primary: str = PRIMARY) -> str:
    """Create a secondary through the service; returns its identifier."""
    rt = app.extensions["idp"]
    with acting(app):
        user = organisations.add_secondary(
            member(primary),
            NewSecondary(name=name, email=email),
            kinds=rt.settings.organisations.type_list,
            now=rt.now(),
            by=primary,
            hashing=rt.passwords,
            password=DEFAULT_PASSWORD,
        )
        return user.identifier


def refused_key(action: Callable[[], Any]) -> str:
    with pytest.raises(OrganisationError) as refusal:
        action()
    return refusal.value.key


def service_ids(*codes: str) -> frozenset[int]:
    found = [subscriptions.find_service(code) for code in codes]
    assert all(found), codes
    return frozenset(s.id for s in found if s is not None)


def choose(identifier: str, *codes: str, by: str, at: int) -> None:
    subscriptions.set_services(
        member(identifier),
        subscriptions.Choice(service_ids(*codes), {}),
        acting=member(by),
        now=at,
    )


def stored_user(app: Flask, identifier: str) -> User:
    with app.app_context():
        user = users.find_by_identifier(identifier)
        assert user is not None
        db.session.expunge(user)
        return user


def session_ended(app: Flask, sid: str) -> bool:
    with app.app_context():
        row = db.session.scalar(select(BrowserSession).where(BrowserSession.sid == sid))
        assert row is not None, "no such session"
        return row.ended_at is not None


def audit_rows(app: Flask, event: str) -> list[AuditEvent]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEvent).where(AuditEvent.event == event)))
        db.session.expunge_all()
        return rows


@pytest.fixture
def settings_overrides() -> dict[str, dict[str, object]]:
    # A short recovery floor keeps the mail-routing tests fast.
    return {"recovery": {"response_floor_ms": 1}}


@pytest.fixture
def primary(factories: Factories) -> User:
    return factories.organisation(PRIMARY, quota=1)


# -- names -----------------------------------------------------------------------------------


def test_the_chosen_name_gets_the_primary_suffix(app, primary):
    assert add(app, "cs1") == "cs1.asp1ent"
    assert add(app, "  CS2 ") == "cs2.asp1ent"


@pytest.mark.parametrize(
    "name", ["", "-cs", "cs-", "c s", "cs.1", "cs1.asp1ent", "é", "x" * 33, "../x", "cs%"]
)
def test_invalid_names_are_refused(app, primary, name):
    with app.app_context():
        assert refused_key(lambda: add(app, name)) == "org.secondary_name_invalid"
        assert users.find_by_identifier(f"{name}.{PRIMARY}") is None


def test_a_name_is_never_reused_even_once_deactivated(app, primary):
    add(app, "cs1")
    with acting(app):
        organisations.deactivate(member("cs1.asp1ent"), now=now(app), by=PRIMARY)
    with app.app_context():
        assert refused_key(lambda: add(app, "cs1")) == "org.secondary_name_taken"


def test_another_organisation_may_use_the_same_name(app, primary, factories):
    factories.organisation("autre", email="autre@example.org")
    assert add(app, "cs1") == "cs1.asp1ent"
    assert add(app, "cs1", primary="autre") == "cs1.autre"


def test_a_secondary_cannot_have_secondaries(app, primary):
    add(app, "cs1")
    with app.app_context():
        assert refused_key(lambda: add(app, "sub", primary="cs1.asp1ent")) == "org.not_primary"


# -- quota -----------------------------------------------------------------------------------


def test_mailboxes_are_capped_by_the_quota(app, primary):
    add(app, "cs1", email="cs1@example.org")
    with app.app_context():
        assert refused_key(lambda: add(app, "cs2", email="cs2@example.org")) == (
            "org.quota_reached"
        )
        assert users.find_by_identifier("cs2.asp1ent") is None


def test_secondaries_without_a_mailbox_are_unlimited(app, factories):
    factories.organisation(PRIMARY, quota=0)
    names = [add(app, f"cs{n}") for n in range(6)]
    assert len(set(names)) == 6


def test_a_deactivated_mailbox_still_counts(app, primary):
    add(app, "cs1", email="cs1@example.org")
    with acting(app):
        organisations.deactivate(member("cs1.asp1ent"), now=now(app), by=PRIMARY)
    with app.app_context():
        assert refused_key(lambda: add(app, "cs2", email="cs2@example.org")) == (
            "org.quota_reached"
        )


def test_the_quota_cannot_go_below_the_mailboxes_used(app, factories):
    factories.organisation(PRIMARY, quota=2)
    add(app, "cs1", email="cs1@example.org")
    add(app, "cs2", email="cs2@example.org")
    with app.app_context():
        organisation = organisations.find_organisation(PRIMARY)
        key = refused_key(
            lambda: organisations.set_quota(organisation, 1, now=now(app), by=PRIMARY)
        )
        assert key == "org.quota_below_used"
        organisations.set_quota(organisation, 2, now=now(app), by=PRIMARY)
        assert organisation.secondary_quota == 2


def test_giving_a_mailbox_beyond_the_quota_is_refused(app, primary):
    add(app, "cs1", email="cs1@example.org")
    add(app, "cs2")
    with app.app_context():
        key = refused_key(
            lambda: organisations.set_mailbox(
                member("cs2.asp1ent"), "cs2@example.org", now=now(app), by=PRIMARY
            )
        )
        assert key == "org.quota_reached"
        assert not member("cs2.asp1ent").has_mailbox


def test_two_creations_racing_for_the_last_mailbox_slot_one_wins(app, primary):
    """Two primaries' sessions create a mailbox at once with one slot left: the organisation
    row's lock makes the second see the first's mailbox (SQLite ignored FOR UPDATE: both
    were created there before the lock became a write)."""

    def prepare(index: int) -> Callable[[], str]:
        def fire() -> str:
            with app.app_context():
                try:
                    add(app, f"race{index}", email=f"race{index}@example.org")
                except OrganisationError as refusal:
                    return refusal.key
                return "created"

        return fire

    outcomes = together(2, prepare)
    assert sorted(outcomes) == ["created", "org.quota_reached"]
    with app.app_context():
        assert organisations.mailbox_count(organisations.find_organisation(PRIMARY).id) == 1


# -- rights ⊆ primary ------------------------------------------------------------------------


@pytest.fixture
def catalogue(factories: Factories) -> None:
    factories.client(client_id="decl", first_party=True)
    factories.client(client_id="tva", first_party=True)
    factories.service("DECL", "decl")
    factories.service("TVA", "tva")


@pytest.mark.parametrize("autonomous", [False, True])
def test_a_secondary_cannot_be_given_a_service_its_primary_lacks(
    app, factories, catalogue, autonomous
):
    owner = factories.organisation(PRIMARY, services=("DECL",))
    factories.secondary(owner, "cs1", autonomous=autonomous)
    with app.app_context():
        key = refused_key(lambda: choose("cs1.asp1ent", "TVA", by=PRIMARY, at=now(app)))
        assert key == "org.service_beyond_primary"
        assert subscriptions.held_services(member("cs1.asp1ent").user_id) == set()


def test_an_autonomous_secondary_chooses_among_its_primarys_services_only(
    app, factories, catalogue
):
    owner = factories.organisation(PRIMARY, services=("DECL",))
    factories.secondary(owner, "cs1", autonomous=True)
    with app.app_context():
        key = refused_key(
            lambda: choose("cs1.asp1ent", "DECL", "TVA", by="cs1.asp1ent", at=now(app))
        )
        assert key == "org.service_beyond_primary"
    with acting(app):
        choose("cs1.asp1ent", "DECL", by="cs1.asp1ent", at=now(app))
    with app.app_context():
        assert subscriptions.held_services(member("cs1.asp1ent").user_id) == service_ids("DECL")


def test_a_non_autonomous_secondary_cannot_choose(app, factories, catalogue):
    owner = factories.organisation(PRIMARY, services=("DECL",))
    factories.secondary(owner, "cs1")
    with app.app_context():
        key = refused_key(lambda: choose("cs1.asp1ent", "DECL", by="cs1.asp1ent", at=now(app)))
        assert key == "org.services_not_autonomous"


def test_another_organisations_primary_cannot_choose_for_a_secondary(app, factories, catalogue):
    owner = factories.organisation(PRIMARY, services=("DECL",))
    factories.organisation("autre", services=("DECL",), email="autre@example.org")
    factories.secondary(owner, "cs1")
    with app.app_context():
        key = refused_key(lambda: choose("cs1.asp1ent", "DECL", by="autre", at=now(app)))
        assert key == "org.not_your_account"


def test_autonomy_is_toggled_by_its_primary_only(app, factories, catalogue):
    owner = factories.organisation(PRIMARY, services=("DECL",))
    factories.secondary(owner, "cs1")
    factories.secondary(owner, "cs2", autonomous=True)
    factories.organisation("autre", email="autre@example.org")

    def toggle(target: str, by: str) -> None:
        subscriptions.set_autonomous(member(target), True, acting=member(by), now=now(app))

    with app.app_context():
        assert refused_key(lambda: toggle("cs1.asp1ent", "cs1.asp1ent")) == (
            "org.services_not_autonomous"
        )
        # An autonomous sibling may choose its own services, not its sibling's autonomy.
        assert refused_key(lambda: toggle("cs1.asp1ent", "cs2.asp1ent")) == ("org.not_your_account")
        assert refused_key(lambda: toggle("cs1.asp1ent", "autre")) == "org.not_your_account"
        assert not member("cs1.asp1ent").autonomous
    with acting(app):
        toggle("cs1.asp1ent", PRIMARY)
    with app.app_context():
        assert member("cs1.asp1ent").autonomous
        (event,) = [
            e for e in audit_rows(app, "secondary_autonomy_changed") if e.user_id is not None
        ]
        assert event.detail["by"] == PRIMARY


def test_an_autonomous_secondary_cannot_make_itself_non_autonomous(app, factories, catalogue):
    owner = factories.organisation(PRIMARY, services=("DECL",))
    factories.secondary(owner, "cs1", autonomous=True)
    with app.app_context():
        key = refused_key(
            lambda: subscriptions.set_autonomous(
                member("cs1.asp1ent"), False, acting=member("cs1.asp1ent"), now=now(app)
            )
        )
        assert key == "org.not_your_account"


def test_a_secondary_holds_nothing_its_primary_lost_even_if_rows_remain(app, factories, catalogue):
    """held_services re-checks the primary: rows alone never give a right."""
    owner = factories.organisation(PRIMARY, services=("DECL",))
    secondary = factories.secondary(owner, "cs1", services=("DECL",))
    with acting(app):
        # The primary's own row disappears without the cascade (as a direct SQL edit would).
        db.session.execute(delete(Subscription).where(Subscription.user_id == owner.id))
    with app.app_context():
        assert subscriptions.subscriptions_of(secondary.id)
        assert subscriptions.held_services(secondary.id) == set()
        assert subscriptions.refused(secondary.id, "decl", requires_habilitation=True)


# -- the cascade -----------------------------------------------------------------------------


@dataclass
class Signed:
    """What a secondary's browser obtained through one client."""

    rp: RelyingParty
    tokens: dict[str, Any]
    sid: str


@dataclass
class World:
    app: Flask
    decl: Signed  # opened by DECL only
    both: Signed  # opened by DECL and TVA: reachable through TVA after DECL goes


def _sign_in(
    app: Flask, client_id: str, secret: str | None, clock: FrozenClock, scope: str
) -> Signed:
    rp = RelyingParty(app.test_client(), client_id, secret, clock=clock)
    body = rp.tokens(identifier="cs1.asp1ent", scope=scope)
    return Signed(rp, body, rp.verify(body["id_token"])["sid"])


@pytest.fixture(params=[OFFLINE, "openid organisation offline_access"], ids=["fast", "grant"])
def world(request, app, factories: Factories, clock: FrozenClock) -> World:
    """A secondary holding DECL and TVA, signed in (two browsers) through both clients; the
    scope decides which refresh path answers (the fast path, or Authlib's grant)."""
    scope = "openid profile organisation offline_access"
    # Flagged as well: removing DECL, the only service opening it, must not open it to all.
    _, decl_secret = factories.client(
        client_id="decl", first_party=True, scope=scope, requires_habilitation=True
    )
    _, both_secret = factories.client(client_id="both", first_party=True, scope=scope)
    factories.service("DECL", "decl", "both")
    factories.service("TVA", "both")
    owner = factories.organisation(PRIMARY, services=("DECL", "TVA"))
    factories.secondary(owner, "cs1", services=("DECL", "TVA"))
    return World(
        app,
        _sign_in(app, "decl", decl_secret, clock, request.param),
        _sign_in(app, "both", both_secret, clock, request.param),
    )


def _unsubscribe_primary(app: Flask) -> None:
    choose(PRIMARY, "TVA", by=PRIMARY, at=now(app))


def _revoke_from_secondary(app: Flask) -> None:
    choose("cs1.asp1ent", "TVA", by=PRIMARY, at=now(app))


def _remove_service(app: Flask) -> None:
    subscriptions.remove_service(subscriptions.find_service("DECL"), now=now(app), by="operator")


def _close_organisation(app: Flask) -> None:
    organisation = organisations.find_organisation(PRIMARY)
    organisations.set_status(organisation, "closed", now=now(app), by="operator")


WITHDRAWALS = {
    "primary_unsubscribes": (_unsubscribe_primary, True),
    "primary_revokes_it_from_the_secondary": (_revoke_from_secondary, True),
    "operator_removes_the_service": (_remove_service, True),
    "organisation_closed": (_close_organisation, False),
}


def _ended(world: World, signed: Signed) -> None:
    tokens, rp = signed.tokens, signed.rp
    refreshed = rp.refresh(tokens["refresh_token"])
    assert refreshed.status_code == 400, refreshed.get_json()
    assert refreshed.get_json()["error"] == "invalid_grant"
    assert rp.userinfo(tokens["access_token"]).status_code == 401
    for value in (tokens["access_token"], tokens["refresh_token"]):
        assert rp.introspect(value).get_json() == {"active": False}
    assert session_ended(world.app, signed.sid)


def _untouched(world: World, signed: Signed) -> None:
    tokens, rp = signed.tokens, signed.rp
    assert rp.userinfo(tokens["access_token"]).status_code == 200
    assert rp.introspect(tokens["access_token"]).get_json()["active"] is True
    assert not session_ended(world.app, signed.sid)
    assert rp.refresh(tokens["refresh_token"]).status_code == 200


def _next_authorization_is_refused(signed: Signed) -> None:
    """The browser whose session ended signs in again and meets the habilitation refusal."""
    rp = signed.rp
    login = rp.authorize()
    assert login.status_code in (302, 303) and login.location.startswith("/login"), (
        "the session that obtained the tokens should have ended"
    )
    refusal = rp.sign_in(login.location, "cs1.asp1ent")
    assert refusal.location.startswith("/login/habilitation/"), refusal.location
    assert "code" not in query(refusal.location)


@pytest.mark.parametrize("withdrawal", WITHDRAWALS)
def test_a_withdrawn_service_ends_what_it_opened_at_once(world, withdrawal):
    withdraw, other_client_kept = WITHDRAWALS[withdrawal]
    with acting(world.app):
        withdraw(world.app)
    _ended(world, world.decl)
    _next_authorization_is_refused(world.decl)
    if other_client_kept:
        _untouched(world, world.both)
    else:
        _ended(world, world.both)
    events = audit_rows(world.app, "access_withdrawn")
    assert any("decl" in e.detail["clients"] for e in events)


def test_removing_the_only_service_opening_an_application_keeps_it_restricted(
    app, factories, clock
):
    """A service restricts the application it opens; removing it never opens it to everyone
    (the application was registered without a habilitation flag of its own)."""
    _, secret = factories.client(client_id="decl", first_party=True)
    factories.service("DECL", "decl")
    owner = factories.organisation(PRIMARY, services=("DECL",))
    factories.secondary(owner, "cs1", services=("DECL",))
    with app.app_context():
        _remove_service(app)
        db.session.commit()
        assert subscriptions.find_service("DECL") is None
    factories.user("marie")
    for identifier in ("marie", "cs1.asp1ent"):
        rp = RelyingParty(app.test_client(), "decl", secret, clock=clock)
        login = rp.authorize()
        refusal = rp.sign_in(login.location, identifier)
        assert refusal.location.startswith("/login/habilitation/"), identifier


def test_a_grant_of_the_service_again_needs_a_new_sign_in(world):
    """Resubscribing gives the right back, not the revoked tokens."""
    with acting(world.app):
        _unsubscribe_primary(world.app)
    with acting(world.app):
        choose(PRIMARY, "DECL", "TVA", by=PRIMARY, at=now(world.app))
        choose("cs1.asp1ent", "DECL", "TVA", by=PRIMARY, at=now(world.app))
    assert world.decl.rp.userinfo(world.decl.tokens["access_token"]).status_code == 401
    body = world.decl.rp.tokens(identifier="cs1.asp1ent", scope=OFFLINE)
    assert world.decl.rp.userinfo(body["access_token"]).status_code == 200


def test_an_unexchanged_code_dies_with_the_right(app, factories, clock):
    _, secret = factories.client(client_id="decl", first_party=True)
    factories.service("DECL", "decl")
    owner = factories.organisation(PRIMARY, services=("DECL",))
    factories.secondary(owner, "cs1", services=("DECL",))
    rp = RelyingParty(app.test_client(), "decl", secret, clock=clock)
    code = rp.obtain_code(identifier="cs1.asp1ent")
    with acting(app):
        choose(PRIMARY, by=PRIMARY, at=now(app))
    answer = rp.exchange(code)
    assert answer.status_code == 400
    assert answer.get_json()["error"] == "invalid_grant"


def test_a_code_that_escaped_the_withdrawal_is_refused_at_the_exchange(app, factories, clock):
    """A code issued at the very moment of a withdrawal (after its deletion of codes) is
    still refused: the exchange checks the right again."""
    _, secret = factories.client(client_id="decl", first_party=True)
    factories.service("DECL", "decl")
    owner = factories.organisation(PRIMARY, services=("DECL",))
    secondary = factories.secondary(owner, "cs1", services=("DECL",))
    rp = RelyingParty(app.test_client(), "decl", secret, clock=clock)
    code = rp.obtain_code(identifier="cs1.asp1ent")
    with acting(app):  # the right goes, but not through enforce: the code survives
        db.session.execute(delete(Subscription).where(Subscription.user_id == secondary.id))
    answer = rp.exchange(code)
    assert answer.status_code == 400
    assert answer.get_json()["error"] == "invalid_grant"


# -- mail routing ----------------------------------------------------------------------------


def _recovery_code_recipient(app, client, puzzles, identifier: str) -> str:
    before = len(emails(app))
    walk_to_code_page(client, puzzles, identifier)
    sent = emails(app)[before:]
    assert len(sent) == 1, [m["To"] for m in sent]
    return sent[0]["To"]


def test_recovery_of_a_secondary_without_mailbox_reaches_the_primarys_responsible(
    app, client, factories, puzzles, clock
):
    owner = factories.organisation(PRIMARY)
    factories.secondary(owner, "cs1", last_login_at=clock.now() - 3600)
    assert _recovery_code_recipient(app, client, puzzles, "cs1.asp1ent") == RESPONSIBLE
    with app.app_context():
        assert users.find_by_identifier("cs1.asp1ent").email is None


def test_a_secondary_with_a_mailbox_gets_its_own_mail(app, client, factories, puzzles, clock):
    owner = factories.organisation(PRIMARY)
    factories.secondary(owner, "cs1", email="cs1@example.org", last_login_at=clock.now() - 60)
    assert _recovery_code_recipient(app, client, puzzles, "cs1.asp1ent") == "cs1@example.org"
    assert all(m["To"] != RESPONSIBLE for m in emails(app))


def test_an_invitation_of_a_secondary_without_mailbox_goes_to_the_responsible(app, factories):
    owner = factories.organisation(PRIMARY)
    invited = factories.secondary(owner, "cs1", password=None)
    with acting(app):
        app.extensions["idp"].deliveries.send_invitation(users.get(invited.id))
    (message,) = emails(app)
    assert message["To"] == RESPONSIBLE
    assert "cs1.asp1ent" in text_part(message)


def test_the_primarys_own_mailbox_is_used_when_the_identity_has_no_address(
    app, client, factories, puzzles, clock
):
    owner = factories.organisation(PRIMARY)
    with acting(app):
        member(PRIMARY).email = None
    factories.secondary(owner, "cs1", last_login_at=clock.now() - 3600)
    assert _recovery_code_recipient(app, client, puzzles, "cs1.asp1ent") == "asp1ent@example.org"


def _contacts_form(http, url: str, **fields: str):
    page = http.get(url)
    assert page.status_code == 200, page.status_code
    form = page.get_data(as_text=True)
    data = {"csrf_token": csrf_token(form), "email": "", "mobile": "", "landline": "", "fax": ""}
    return form, http.post(url, data={**data, **fields})


def test_a_secondary_without_mailbox_gives_itself_no_address_at_its_first_connection(
    app, client, factories, puzzles
):
    """Its first connection asks no address (the quota's mailbox would be had for free and
    its messages would leave the responsible): it confirms its contacts without one."""
    owner = factories.organisation(PRIMARY)
    factories.secondary(owner, "cs1", contacts_confirmed_at=None)
    signed = submit(client, puzzles, "cs1.asp1ent")
    assert signed.location == "/contacts/confirm"
    tampered_page, tampered = _contacts_form(client, "/contacts/confirm", email="moi@example.org")
    assert 'name="email"' not in tampered_page
    assert text("contacts.email_routed", "fr", primary=PRIMARY) in html.unescape(tampered_page)
    assert tampered.status_code == 200
    assert text("contacts.email_by_primary", "fr") in html.unescape(tampered.get_data(as_text=True))
    assert emails(app) == []  # no code to the typed address
    _, confirmed = _contacts_form(client, "/contacts/confirm", mobile="06 12 34 56 78")
    assert confirmed.status_code == 303
    assert not confirmed.location.startswith("/contacts/verify")
    user = stored_user(app, "cs1.asp1ent")
    assert user.email is None and user.contacts_confirmed_at is not None


def test_a_secondary_without_mailbox_cannot_add_an_address_later(app, client, factories, puzzles):
    owner = factories.organisation(PRIMARY)
    factories.secondary(owner, "cs1")
    assert submit(client, puzzles, "cs1.asp1ent").status_code == 303
    _, refused = _contacts_form(client, "/account/contacts", email="moi@example.org")
    assert refused.status_code == 200
    assert text("contacts.email_by_primary", "fr") in html.unescape(refused.get_data(as_text=True))
    page = client.get("/account/email").get_data(as_text=True)
    assert text("contacts.email_routed", "fr", primary=PRIMARY) in html.unescape(page)
    assert 'name="email"' not in page
    token = csrf_token(client.get("/account/password").get_data(as_text=True))
    changed = client.post("/account/email", data={"csrf_token": token, "email": "moi@example.org"})
    assert changed.status_code == 200
    assert client.get("/contacts/verify").location.startswith("/account/contacts")
    assert stored_user(app, "cs1.asp1ent").email is None
    assert emails(app) == []


def test_a_stray_address_of_a_secondary_without_mailbox_is_not_used(
    app, client, factories, puzzles, clock
):
    """However an address reached the account (an import, a direct edit), its messages go to
    the responsible while it has no mailbox."""
    owner = factories.organisation(PRIMARY)
    factories.secondary(owner, "cs1", last_login_at=clock.now() - 3600, email_verified=True)
    with acting(app):
        users.find_by_identifier("cs1.asp1ent").email = "stray@example.org"
    assert _recovery_code_recipient(app, client, puzzles, "cs1.asp1ent") == RESPONSIBLE


# -- the mailbox switch ----------------------------------------------------------------------


def test_giving_a_mailbox_forces_a_password_reset(app, factories, clock, puzzles):
    owner = factories.organisation(PRIMARY, quota=1)
    registered, secret = factories.client(first_party=True)
    factories.secondary(owner, "cs1")
    rp = RelyingParty(app.test_client(), registered.client_id, secret, clock=clock)
    body = rp.tokens(identifier="cs1.asp1ent", scope=OFFLINE)
    sid = rp.verify(body["id_token"])["sid"]
    with acting(app):
        warning = organisations.set_mailbox(
            member("cs1.asp1ent"), "cs1@example.org", now=now(app), by=PRIMARY
        )
    assert warning is True
    assert stored_user(app, "cs1.asp1ent").password_temporary
    assert session_ended(app, sid)
    assert rp.userinfo(body["access_token"]).status_code == 401
    assert rp.refresh(body["refresh_token"]).status_code == 400
    signed = submit(app.test_client(), puzzles, "cs1.asp1ent")
    assert signed.status_code == 303
    assert signed.location == "/password/change"
    assert [e.detail["mailbox"] for e in audit_rows(app, "secondary_mailbox_changed")] == [True]


def test_changing_an_existing_mailbox_needs_no_reset(app, factories):
    owner = factories.organisation(PRIMARY, quota=1)
    factories.secondary(owner, "cs1", email="cs1@example.org")
    with acting(app):
        warning = organisations.set_mailbox(
            member("cs1.asp1ent"), "autre.cs1@example.org", now=now(app), by=PRIMARY
        )
    assert warning is False
    assert not stored_user(app, "cs1.asp1ent").password_temporary


# -- deactivation ----------------------------------------------------------------------------


def test_deactivation_ends_sessions_and_tokens_and_reactivation_lets_it_back(
    app, factories, clock, puzzles
):
    owner = factories.organisation(PRIMARY)
    registered, secret = factories.client(first_party=True)
    factories.secondary(owner, "cs1")
    rp = RelyingParty(app.test_client(), registered.client_id, secret, clock=clock)
    body = rp.tokens(identifier="cs1.asp1ent", scope=OFFLINE)
    sid = rp.verify(body["id_token"])["sid"]
    with acting(app):
        organisations.deactivate(member("cs1.asp1ent"), now=now(app), by=PRIMARY)
    assert session_ended(app, sid)
    assert rp.userinfo(body["access_token"]).status_code == 401
    assert rp.refresh(body["refresh_token"]).status_code == 400
    assert rp.introspect(body["access_token"]).get_json() == {"active": False}
    assert submit(app.test_client(), puzzles, "cs1.asp1ent").status_code == 200
    with app.app_context():
        page = organisations.search_secondaries(member(PRIMARY), organisations.SecondaryFilter())
        assert [(r.user.identifier, r.state) for r in page.rows] == [("cs1.asp1ent", "closed")]
    with acting(app):
        organisations.reactivate(member("cs1.asp1ent"), now=now(app), by=PRIMARY)
    assert submit(app.test_client(), puzzles, "cs1.asp1ent").status_code == 303
    # The tokens of before stay dead.
    assert rp.userinfo(body["access_token"]).status_code == 401
    assert [e.detail["by"] for e in audit_rows(app, "account_disabled")] == [PRIMARY]
    assert [e.detail["by"] for e in audit_rows(app, "account_enabled")] == [PRIMARY]


def test_the_primary_cannot_be_deactivated_as_a_secondary(app, factories):
    factories.organisation(PRIMARY)
    with app.app_context():
        key = refused_key(lambda: organisations.deactivate(member(PRIMARY), now=0, by=PRIMARY))
        assert key == "org.not_secondary"


# -- notices ---------------------------------------------------------------------------------


def _notices_to(app: Flask, since: int) -> list[str]:
    return sorted(m["To"] for m in emails(app)[since:] if NOTICE in text_part(m))


def test_a_secondary_changing_its_own_password_notifies_the_responsible(
    app, client, factories, puzzles
):
    owner = factories.organisation(PRIMARY)
    factories.secondary(owner, "cs1", email="cs1@example.org")
    assert submit(client, puzzles, "cs1.asp1ent").status_code == 303
    page = client.get("/account/password").get_data(as_text=True)
    done = client.post(
        "/account/password",
        data={
            "csrf_token": csrf_token(page),
            "current_password": DEFAULT_PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirmation": NEW_PASSWORD,
        },
    )
    assert done.location == "/account/password/done"
    assert _notices_to(app, 0) == ["cs1@example.org", RESPONSIBLE]
    notice = next(m for m in emails(app) if m["To"] == RESPONSIBLE)
    assert "Le mot de passe de votre compte cs1.asp1ent vient d'être modifié" in text_part(notice)
    assert "service support clients" in text_part(notice)


def _replace_password(app: Flask, user_id: int, *, reason: str) -> None:
    rt = app.extensions["idp"]
    with acting(app):
        credentials.replace_password(
            users.get(user_id),
            NEW_PASSWORD,
            now=rt.now(),
            hashing=rt.passwords,
            temporary=False,
            keep_sid=None,
            reason=reason,
            deliveries=rt.deliveries,
        )


def test_a_secondary_without_mailbox_gets_one_notice_at_the_responsible(app, factories):
    owner = factories.organisation(PRIMARY)
    secondary = factories.secondary(owner, "cs1")
    _replace_password(app, secondary.id, reason="primary")
    assert _notices_to(app, 0) == [RESPONSIBLE]


def test_a_reset_by_the_primary_notifies_the_responsible(app, factories):
    owner = factories.organisation(PRIMARY)
    secondary = factories.secondary(owner, "cs1", email="cs1@example.org")
    rt = app.extensions["idp"]
    with acting(app):
        credentials.reset_to_temporary(
            users.get(secondary.id),
            now=rt.now(),
            hashing=rt.passwords,
            reason="primary",
            deliveries=rt.deliveries,
        )
    assert RESPONSIBLE in _notices_to(app, 0)


def test_a_recovery_of_a_secondary_notifies_the_responsible(app, client, factories, puzzles, clock):
    owner = factories.organisation(PRIMARY)
    factories.secondary(owner, "cs1", last_login_at=clock.now() - 3600)
    code_path = walk_to_code_page(client, puzzles, "cs1.asp1ent")
    code = CODE.search(text_part(last_email(app))).group(1)
    assert post_page(client, code_path, code=code).status_code == 303
    temporary = text_part(last_email(app)).split("Mot de passe provisoire : ")[1].split()[0]
    before = len(emails(app))
    assert submit(app.test_client(), puzzles, "cs1.asp1ent", temporary).status_code == 303
    assert _notices_to(app, before) == [RESPONSIBLE]


def test_a_primarys_own_change_notifies_nobody_else(app, factories):
    owner = factories.organisation(PRIMARY)
    factories.secondary(owner, "cs1", email="cs1@example.org")
    _replace_password(app, owner.id, reason="self")
    assert _notices_to(app, 0) == ["asp1ent@example.org"]


# -- audit -----------------------------------------------------------------------------------


def test_each_management_action_records_who_acted_and_what_changed(app, factories, catalogue):
    owner = factories.organisation(PRIMARY, services=("DECL", "TVA"), quota=1)
    add(app, "cs1")
    with acting(app):
        choose("cs1.asp1ent", "DECL", by=PRIMARY, at=now(app))
        organisations.set_quota(
            organisations.find_organisation(PRIMARY), 3, now=now(app), by=PRIMARY
        )
        organisations.set_mailbox(
            member("cs1.asp1ent"), "cs1@example.org", now=now(app), by=PRIMARY
        )
        subscriptions.set_autonomous(
            member("cs1.asp1ent"), True, acting=member(PRIMARY), now=now(app)
        )
        choose(PRIMARY, "TVA", by=PRIMARY, at=now(app))
        identity = organisations.Identity.of(member("cs1.asp1ent"))
        organisations.update_identity(
            member("cs1.asp1ent"),
            dataclasses.replace(identity, company_name="ETABLISSEMENT 2", city="Lyon"),
            kinds=app.extensions["idp"].settings.organisations.type_list,
            now=now(app),
            by=PRIMARY,
        )
        organisations.update_billing(
            organisations.find_organisation(PRIMARY),
            use_responsible_address=False,
            address={"street_name": "rue de la Paix", "postal_code": "75002", "city": "Paris"},
            now=now(app),
            by=PRIMARY,
        )
        organisations.set_status(
            organisations.find_organisation(PRIMARY), "closed", now=now(app), by="operator"
        )
    cs1 = stored_user(app, "cs1.asp1ent")
    (created,) = audit_rows(app, "secondary_account_created")
    assert created.user_id == cs1.id and created.detail["by"] == PRIMARY
    services = audit_rows(app, "services_changed")
    mine = [(e.user_id, e.detail["by"], e.detail["added"], e.detail["removed"]) for e in services]
    assert (cs1.id, PRIMARY, ["DECL"], []) in mine
    assert (owner.id, PRIMARY, [], ["DECL"]) in mine
    (quota,) = audit_rows(app, "organisation_quota_changed")
    assert quota.detail == {"by": PRIMARY, "changed": {"secondary_quota": [1, 3]}}
    (mailbox,) = audit_rows(app, "secondary_mailbox_changed")
    assert (mailbox.user_id, mailbox.detail["by"]) == (cs1.id, PRIMARY)
    (autonomy,) = audit_rows(app, "secondary_autonomy_changed")
    assert autonomy.detail == {"by": PRIMARY, "autonomous": True}
    (identity_event,) = audit_rows(app, "organisation_identity_changed")
    assert identity_event.user_id == cs1.id
    assert identity_event.detail == {"by": PRIMARY, "changed": ["city", "company_name"]}
    (billing,) = audit_rows(app, "organisation_billing_changed")
    assert billing.detail["by"] == PRIMARY
    assert billing.detail["changed"] == [
        "use_responsible_address",
        "city",
        "postal_code",
        "street_name",
    ]
    (status,) = audit_rows(app, "organisation_status_changed")
    assert status.detail["by"] == "operator"
    assert status.detail["changed"] == {"status": ["open", "closed"]}
