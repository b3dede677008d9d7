"""Property: whatever a primary, its secondaries and the operator do, rights only flow down
and nothing outlives them.

A state machine drives an organisation (a primary, three secondaries, one autonomous) and
four services opening four applications (one application behind two services) through the
services the pages call, and signs accounts in through the real flows (sign-in page,
authorize, token endpoint). After every step:
- no secondary holds, by its rows or by `held_services`, a service its primary lacks, and a
  closed organisation holds none;
- no unrevoked token, unexchanged code or live session that obtained a token exists for an
  application the account may no longer use (a deactivated account: none at all).
Refusals are predicted from the state before the step: a choice beyond the primary's, or by
a non-autonomous secondary, must be refused and change nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import select

from idp.clock import FrozenClock
from idp.extensions import db
from idp.i18n import text
from idp.models import AuthorizationCode, BrowserSession, OrganisationAccount, Token
from idp.services import organisations, subscriptions, users
from idp.services.organisations import OrganisationError
from tests.support.factories import Factories
from tests.support.oidc import RelyingParty

PRIMARY = "asp1ent"
SECONDARIES = ("s1.asp1ent", "s2.asp1ent", "s3.asp1ent")  # s1 is autonomous
ACCOUNTS = (PRIMARY, *SECONDARIES)
# Four services opening four applications; c4 is behind two of them.
SERVICES = {"S1": ("c1",), "S2": ("c2", "c4"), "S3": ("c3",), "S4": ("c4",)}
CODES = tuple(SERVICES)
SCOPE = "openid offline_access"
REFUSAL = text("habilitation.title", "en")


@pytest.fixture
def settings_overrides() -> dict[str, dict[str, object]]:
    # Hundreds of sign-ins within seconds: the limits are tested elsewhere.
    return {"ratelimit": {"login_per_ip": "100000/minute", "login_per_identifier": "100000/minute"}}


def _member(identifier: str) -> OrganisationAccount:
    user = users.find_by_identifier(identifier)
    assert user is not None
    found = organisations.membership(user.id)
    assert found is not None
    return found


def _ids(codes: frozenset[str]) -> frozenset[int]:
    return frozenset(subscriptions.find_service(code).id for code in codes)  # type: ignore[union-attr]


def _codes(service_ids: set[int]) -> frozenset[str]:
    return frozenset(s.code for s in subscriptions.all_services() if s.id in service_ids)


class OrganisationMachine(RuleBasedStateMachine):
    """Bound by `machine_for` to an app whose database is restored before every run."""

    app: Flask
    clock: FrozenClock
    secrets: dict[str, str | None]
    restore: Any

    def __init__(self) -> None:
        super().__init__()
        type(self).restore()

    # -- steps -------------------------------------------------------------------------

    def _act(self, action: Any, *, refusal: str | None) -> None:
        """Run a management action; it must be refused with `refusal`, or succeed."""
        with self.app.app_context():
            try:
                action()
            except OrganisationError as refused:
                db.session.rollback()
                assert refused.key == refusal, (refused.key, refusal)
                return
            assert refusal is None, f"expected the refusal {refusal}"
            db.session.commit()

    def _rows(self, identifier: str) -> frozenset[str]:
        return _codes(set(subscriptions.subscriptions_of(_member(identifier).user_id)))

    def _choose(self, identifier: str, codes: frozenset[str], by: str) -> None:
        subscriptions.set_services(
            _member(identifier),
            subscriptions.Choice(_ids(codes), {}),
            acting=_member(by),
            now=self.clock.now(),
        )

    @rule(code=st.sampled_from(CODES), subscribe=st.booleans())
    def primary_subscription(self, code: str, subscribe: bool) -> None:
        with self.app.app_context():
            current = self._rows(PRIMARY)
        wanted = current | {code} if subscribe else current - {code}
        self._act(lambda: self._choose(PRIMARY, wanted, PRIMARY), refusal=None)

    @rule(secondary=st.sampled_from(SECONDARIES), codes=st.frozensets(st.sampled_from(CODES)))
    def primary_grants(self, secondary: str, codes: frozenset[str]) -> None:
        with self.app.app_context():
            beyond = not codes <= self._rows(PRIMARY)
        refusal = "org.service_beyond_primary" if beyond else None
        self._act(lambda: self._choose(secondary, codes, PRIMARY), refusal=refusal)

    @rule(secondary=st.sampled_from(SECONDARIES), codes=st.frozensets(st.sampled_from(CODES)))
    def secondary_chooses(self, secondary: str, codes: frozenset[str]) -> None:
        with self.app.app_context():
            autonomous = _member(secondary).autonomous
            beyond = not codes <= self._rows(PRIMARY)
        refusal = (
            "org.services_not_autonomous"
            if not autonomous
            else "org.service_beyond_primary"
            if beyond
            else None
        )
        self._act(lambda: self._choose(secondary, codes, secondary), refusal=refusal)

    @rule(secondary=st.sampled_from(SECONDARIES))
    def toggle_autonomy(self, secondary: str) -> None:
        def toggle() -> None:
            member = _member(secondary)
            subscriptions.set_autonomous(
                member, not member.autonomous, acting=_member(PRIMARY), now=self.clock.now()
            )

        self._act(toggle, refusal=None)

    @rule(secondary=st.sampled_from(SECONDARIES), active=st.booleans())
    def deactivate_or_reactivate(self, secondary: str, active: bool) -> None:
        change = organisations.reactivate if active else organisations.deactivate
        self._act(
            lambda: change(_member(secondary), now=self.clock.now(), by=PRIMARY), refusal=None
        )

    @rule(status=st.sampled_from(["open", "closed"]))
    def operator_sets_status(self, status: str) -> None:
        def apply() -> None:
            organisation = organisations.find_organisation(PRIMARY)
            assert organisation is not None
            organisations.set_status(organisation, status, now=self.clock.now(), by="operator")

        self._act(apply, refusal=None)

    @rule(account=st.sampled_from(ACCOUNTS))
    def sign_in_and_get_tokens(self, account: str) -> None:
        """One browser signs in and gets tokens for every application the account may use;
        the first application it may not use gets the habilitation refusal."""
        with self.app.app_context():
            user = users.find_by_identifier(account)
            assert user is not None
            active = user.is_active
            usable = subscriptions.usable_clients(user.id)
        if not active:
            return
        browser = self.app.test_client()
        for client_id in sorted(usable):
            rp = RelyingParty(browser, client_id, self.secrets[client_id], clock=self.clock)
            body = rp.tokens(identifier=account, scope=SCOPE)
            assert body["refresh_token"]
        closed = sorted(set(self.secrets) - usable)
        if closed:
            rp = RelyingParty(browser, closed[0], self.secrets[closed[0]], clock=self.clock)
            response = rp.walk(rp.authorize(scope=SCOPE, ui_locales="en"), account)
            assert not rp.leaves(response), "a code for an application it may not use"
            assert REFUSAL in response.get_data(as_text=True)

    # -- invariants --------------------------------------------------------------------

    @invariant()
    def rights_flow_down_and_nothing_outlives_them(self) -> None:
        with self.app.app_context():
            accounts = {a: users.find_by_identifier(a) for a in ACCOUNTS}
            ids = {a: u.id for a, u in accounts.items() if u is not None}
            primary_rows = set(subscriptions.subscriptions_of(ids[PRIMARY]))
            primary_held = subscriptions.held_services(ids[PRIMARY])
            organisation = organisations.find_organisation(PRIMARY)
            assert organisation is not None
            if organisation.status != "open":
                assert not primary_held, "a closed organisation holds no service"
            for secondary in SECONDARIES:
                assert set(subscriptions.subscriptions_of(ids[secondary])) <= primary_rows
                assert subscriptions.held_services(ids[secondary]) <= primary_held, secondary
            usable = {
                user.id: subscriptions.usable_clients(user.id) if user.is_active else set()
                for user in accounts.values()
                if user is not None
            }
            tokens = db.session.scalars(select(Token).where(Token.user_id.in_(usable))).all()
            live = {(t.user_id, t.client_id) for t in tokens if not t.revoked}
            assert all(client in usable[user] for user, client in live), live
            lost_sids = {t.sid for t in tokens if t.client_id not in usable[t.user_id] and t.sid}
            open_sessions = db.session.execute(
                select(BrowserSession.sid, BrowserSession.user_id).where(
                    BrowserSession.user_id.in_(usable), BrowserSession.ended_at.is_(None)
                )
            ).all()
            inactive = {user.id for user in accounts.values() if user and not user.is_active}
            for sid, user_id in open_sessions:
                assert sid not in lost_sids and user_id not in inactive, (sid, user_id)
            codes = db.session.execute(
                select(AuthorizationCode.user_id, AuthorizationCode.client_id).where(
                    AuthorizationCode.user_id.in_(usable), AuthorizationCode.used_at.is_(None)
                )
            ).all()
            assert all(client in usable[user] for user, client in codes), codes


def _world(factories: Factories) -> dict[str, str | None]:
    """The applications, services and organisation every run starts from; their secrets."""
    secrets = {}
    for client_id in sorted({c for clients in SERVICES.values() for c in clients}):
        _, secrets[client_id] = factories.client(client_id=client_id, first_party=True, scope=SCOPE)
    for code, clients in SERVICES.items():
        factories.service(code, *clients)
    primary = factories.organisation(PRIMARY, quota=3, services=CODES)
    factories.secondary(primary, "s1", autonomous=True, services=("S1", "S2"))
    factories.secondary(primary, "s2", services=("S2", "S3"))
    factories.secondary(primary, "s3", services=("S4",))
    return secrets


@pytest.mark.parametrize("backend", ["sqlite"])
def test_rights_flow_down_and_nothing_outlives_them(
    app: Flask, factories: Factories, clock: FrozenClock, base_dir: Path
) -> None:
    secrets = _world(factories)
    database = base_dir / "instance" / "idp.sqlite3"
    snapshot = base_dir / "snapshot.sqlite3"
    with app.app_context():
        db.engine.dispose()
    shutil.copy(database, snapshot)

    def restore() -> None:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        shutil.copy(snapshot, database)

    machine = type(
        "BoundOrganisationMachine",
        (OrganisationMachine,),
        {"app": app, "clock": clock, "secrets": secrets, "restore": staticmethod(restore)},
    )
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=50,
            stateful_step_count=10,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
            database=None,
        ),
    )
