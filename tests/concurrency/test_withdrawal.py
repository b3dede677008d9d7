"""A right withdrawn while refreshes are in flight: no token outlives it.

The primary unsubscribes its organisation from a service while the secondary's applications
refresh their tokens at the same moment. Whatever the interleaving, once the withdrawal is
committed no live token remains for the application the service opened (a refresh that
committed while the revocation waited for its row made a token the revocation must see too).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from idp.extensions import db
from idp.models import Token
from idp.services import organisations, subscriptions, users
from tests.support.concurrency import together
from tests.support.oidc import RelyingParty

SCOPE = "openid offline_access"
REFRESHES = 6
ROUNDS = 4


def _unsubscribe_everything(app: Flask) -> None:
    with app.app_context():
        user = users.find_by_identifier("asp1ent")
        assert user is not None
        primary = organisations.membership(user.id)
        assert primary is not None
        subscriptions.set_services(
            primary,
            subscriptions.Choice(frozenset(), {}),
            acting=primary,
            now=app.extensions["idp"].now(),
        )
        db.session.commit()


def _resubscribe(app: Flask) -> None:
    with app.app_context():
        service = subscriptions.find_service("DECL")
        assert service is not None
        for identifier in ("asp1ent", "cs1.asp1ent"):
            user = users.find_by_identifier(identifier)
            assert user is not None
            member = organisations.membership(user.id)
            assert member is not None
            primary = organisations.primary_of(member)
            subscriptions.set_services(
                member,
                subscriptions.Choice(frozenset({service.id}), {}),
                acting=primary,
                now=app.extensions["idp"].now(),
            )
        db.session.commit()


def _live_tokens(app: Flask, user_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(Token)
            .where(Token.user_id == user_id, Token.client_id == "decl", Token.revoked.is_(False))
        )


def _refreshes_during_withdrawal(
    app: Flask, parties: list[RelyingParty], grants: list[dict[str, Any]]
) -> list[int]:
    """Every refresh token presented at the moment the primary unsubscribes; their statuses."""

    def prepare(index: int) -> Callable[[], Any]:
        if index == len(parties):
            return lambda: _unsubscribe_everything(app)
        rp, grant = parties[index], grants[index]
        return lambda: rp.refresh(grant["refresh_token"]).status_code

    return together(len(parties) + 1, prepare)[: len(parties)]


def test_no_token_outlives_a_withdrawal_made_during_refreshes(app, factories, clock):
    _, secret = factories.client(client_id="decl", first_party=True, scope=SCOPE)
    factories.service("DECL", "decl")
    owner = factories.organisation("asp1ent", services=("DECL",))
    secondary = factories.secondary(owner, "cs1", services=("DECL",))
    for _ in range(ROUNDS):
        parties = [
            RelyingParty(app.test_client(), "decl", secret, clock=clock) for _ in range(REFRESHES)
        ]
        grants = [rp.tokens(identifier="cs1.asp1ent", scope=SCOPE) for rp in parties]
        statuses = _refreshes_during_withdrawal(app, parties, grants)
        assert set(statuses) <= {200, 400}, statuses
        assert _live_tokens(app, secondary.id) == 0
        _resubscribe(app)
