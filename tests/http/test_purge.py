"""`idp db purge` (and the worker's periodic purge): rows whose time is over go, the others
stay, table by table."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from idp.extensions import db
from idp.models import (
    AdminSession,
    AuthorizationCode,
    BrowserSession,
    CaptchaChallenge,
    LogoutDelivery,
    OneTimeCode,
    OutboxMessage,
    PendingAuthorization,
    PendingRegistration,
    RecoveryAttempt,
    RevokedServiceToken,
    StaffMember,
    Token,
    UsedAssertion,
)
from tests.support.cli import Operator

DAY = 86400
RETENTION = 7 * DAY  # [deliveries] retention_days's default


def _key() -> str:
    return secrets.token_hex(16)


def _rows(now: int, user_id: int, staff_id: int) -> dict[type, tuple[list[Any], list[Any]]]:
    """Per model: rows the purge must delete, rows it must keep."""
    past, future, long_ago = now - 1, now + 3600, now - RETENTION - 1

    def code(expires_at: int) -> AuthorizationCode:
        return AuthorizationCode(
            code_hash=_key(),
            client_id="c",
            user_id=user_id,
            redirect_uri="https://rp/cb",
            scope="openid",
            auth_time=now,
            grant_id=_key(),
            created_at=now,
            amr=[],
            expires_at=expires_at,
        )

    def token(expires_at: int, refresh_expires_at: int | None) -> Token:
        return Token(
            access_token_hash=_key(),
            client_id="c",
            user_id=user_id,
            scope="openid",
            granted_scope="openid",
            grant_id=_key(),
            issued_at=now - 60,
            expires_at=expires_at,
            refresh_expires_at=refresh_expires_at,
        )

    def pending(expires_at: int) -> PendingAuthorization:
        return PendingAuthorization(
            ref=_key(),
            client_id="c",
            params={},
            browser_binding=_key(),
            created_at=now,
            expires_at=expires_at,
        )

    def otp(purpose: str, expires_at: int) -> OneTimeCode:
        return OneTimeCode(
            user_id=user_id,
            purpose=purpose,
            target="t",
            code_hash=_key(),
            window_started_at=now - 60,
            expires_at=expires_at,
            last_sent_at=now - 60,
            attempts=0,
        )

    def captcha(expires_at: int) -> CaptchaChallenge:
        return CaptchaChallenge(
            ref=_key(),
            browser_binding=_key(),
            kind="image",
            answer_hash=_key(),
            created_at=now,
            expires_at=expires_at,
        )

    def recovery(expires_at: int) -> RecoveryAttempt:
        return RecoveryAttempt(
            ref=_key(),
            browser_binding=_key(),
            path="channels",
            created_at=now,
            expires_at=expires_at,
        )

    def registration(expires_at: int) -> PendingRegistration:
        return PendingRegistration(
            ref=_key(),
            browser_binding=_key(),
            email="a@example.org",
            code_hash=_key(),
            code_expires_at=expires_at,
            created_at=now,
            expires_at=expires_at,
        )

    def session(**times: int | None) -> BrowserSession:
        values = {"created_at": now - 60, "last_seen_at": now - 60, "ended_at": None, **times}
        return BrowserSession(
            sid=_key(), user_id=user_id, auth_time=now, acr="pwd", amr=["pwd"], **values
        )

    def console(**times: int | None) -> AdminSession:
        values = {"created_at": now - 60, "last_seen_at": now - 60, "ended_at": None, **times}
        return AdminSession(secret_hash=_key(), staff_id=staff_id, factor_failures=0, **values)

    def logout(**fields: int | None) -> LogoutDelivery:
        return LogoutDelivery(client_id="c", sid=_key(), user_subject="s", attempts=1, **fields)

    def message(state: str, sent_at: int | None, created_at: int = now) -> OutboxMessage:
        return OutboxMessage(
            channel="email",
            recipient="a@example.org",
            template="t",
            locale="fr",
            payload=None,
            state=state,
            created_at=created_at,
            attempts=1,
            sent_at=sent_at,
        )

    return {
        AuthorizationCode: ([code(past)], [code(future)]),
        # The access token is over but its refresh token is not: the row still serves.
        Token: ([token(past, None), token(past, past)], [token(past, future), token(future, None)]),
        PendingAuthorization: ([pending(past)], [pending(future)]),
        UsedAssertion: (
            [UsedAssertion(client_id="c", jti=_key(), expires_at=past)],
            [UsedAssertion(client_id="c", jti=_key(), expires_at=future)],
        ),
        RevokedServiceToken: (
            [RevokedServiceToken(jti=_key(), expires_at=past)],
            [RevokedServiceToken(jti=_key(), expires_at=future)],
        ),
        OneTimeCode: ([otp("recovery", past)], [otp("email", future)]),
        CaptchaChallenge: ([captcha(past)], [captcha(future)]),
        RecoveryAttempt: ([recovery(past)], [recovery(future)]),
        PendingRegistration: ([registration(past)], [registration(future)]),
        # Ended, idle or too old more than the retention ago; ended or idle lately: kept.
        BrowserSession: (
            [
                session(ended_at=long_ago),
                session(last_seen_at=long_ago - 30 * 60),
                session(created_at=long_ago - 12 * 3600),
            ],
            [session(), session(ended_at=now - 60), session(last_seen_at=now - DAY)],
        ),
        AdminSession: (
            [console(ended_at=long_ago), console(last_seen_at=long_ago - 15 * 60)],
            [console(), console(ended_at=now - 60)],
        ),
        LogoutDelivery: (
            [
                logout(created_at=long_ago, delivered_at=long_ago, next_attempt_at=None),
                logout(created_at=long_ago, delivered_at=None, next_attempt_at=None),
            ],
            [
                logout(created_at=long_ago, delivered_at=None, next_attempt_at=now),
                logout(created_at=now - 60, delivered_at=now - 60, next_attempt_at=None),
            ],
        ),
        # Failed messages stay until an operator retries them.
        OutboxMessage: (
            [message("sent", long_ago)],
            [message("sent", now - 60), message("pending", None), message("failed", None, 0)],
        ),
    }


def _seed(app: Flask, factories, make: Callable[..., dict]) -> dict[type, tuple[set, set]]:
    factories.staff("agent")
    marie = factories.user("marie")
    with app.app_context():
        staff_id = db.session.scalar(select(StaffMember.id))
        rows = make(app.extensions["idp"].now(), marie.id, staff_id)
        for dead, live in rows.values():
            db.session.add_all([*dead, *live])
        db.session.commit()
        ids = {
            model: ({r.id for r in dead}, {r.id for r in live})
            for model, (dead, live) in rows.items()
        }
        db.session.remove()
    return ids


def _remaining(app: Flask, model: type) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(select(model.id)))


def test_the_purge_deletes_what_is_over_and_keeps_the_rest(app, factories, tmp_path):
    ids = _seed(app, factories, _rows)
    before = {model: _remaining(app, model) for model in ids}
    result = Operator(app, tmp_path)("db", "purge")
    assert result.exit_code == 0, result.output
    counts = dict(part.split("=") for part in result.output.split())
    for model, (dead, live) in ids.items():
        left = _remaining(app, model)
        assert live <= left, model.__name__
        assert not dead & left, model.__name__
        assert before[model] - left == dead, model.__name__
        assert int(counts[model.__tablename__]) == len(dead), model.__name__


def test_the_worker_purges_every_so_often(app, factories, clock):
    ids = _seed(app, factories, _rows)
    worker = app.extensions["idp.deliveries"]
    removed = worker.purge_if_due()
    assert removed is not None and removed["tokens"] == len(ids[Token][0])
    assert not ids[Token][0] & _remaining(app, Token)
    assert worker.purge_if_due() is None  # not again before [deliveries] purge_minutes
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 3


def test_a_purge_that_found_nothing_says_so(app, caplog):
    caplog.set_level(logging.INFO, logger="idp.notify.worker")
    removed = app.extensions["idp.deliveries"].purge_if_due()
    assert removed is not None and not any(removed.values())
    assert "purged nothing: no row had expired" in caplog.messages
