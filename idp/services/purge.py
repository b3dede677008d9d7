"""The purge: rows whose time is over leave the database, so that tables stay bounded.

Every table whose rows expire is here, with the rule that says when a row is of no more use:
one-time secrets and requests in progress once they expire, deny-list entries once what they
deny has expired itself, sessions once they can no longer be used, and the records of sent
messages and finished logout deliveries after `[deliveries] retention_days`. Failed messages
stay until an operator retries them. `idp db purge` and the delivery worker both call it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Delete, delete, func, or_

from idp.config import Settings
from idp.extensions import db, rowcount
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
    Token,
    UsedAssertion,
)
from idp.services.outbox import SENT


def _expired(model: Any, now: int) -> Delete:
    return delete(model).where(model.expires_at <= now)


def _rules(now: int, settings: Settings) -> dict[str, Delete]:
    kept = now - settings.deliveries.retention_days * 86400
    browser, admin = settings.session, settings.admin
    return {
        "authorization_codes": _expired(AuthorizationCode, now),
        # Both the access token and its refresh token must be over.
        "tokens": delete(Token).where(
            Token.expires_at <= now, func.coalesce(Token.refresh_expires_at, 0) <= now
        ),
        "pending_authorizations": _expired(PendingAuthorization, now),
        "used_assertions": _expired(UsedAssertion, now),
        "revoked_service_tokens": _expired(RevokedServiceToken, now),
        "one_time_codes": _expired(OneTimeCode, now),
        "captcha_challenges": _expired(CaptchaChallenge, now),
        "recovery_attempts": _expired(RecoveryAttempt, now),
        "pending_registrations": _expired(PendingRegistration, now),
        # Ended, idle or too old, and kept a while after (the account's page lists them).
        "browser_sessions": delete(BrowserSession).where(
            or_(
                BrowserSession.ended_at <= kept,
                BrowserSession.last_seen_at <= kept - browser.idle_minutes * 60,
                BrowserSession.created_at <= kept - browser.absolute_hours * 3600,
            )
        ),
        "admin_sessions": delete(AdminSession).where(
            or_(
                AdminSession.ended_at <= kept,
                AdminSession.last_seen_at <= kept - admin.idle_minutes * 60,
                AdminSession.created_at <= kept - admin.absolute_hours * 3600,
            )
        ),
        # Delivered, or given up (no next attempt) long enough ago.
        "logout_deliveries": delete(LogoutDelivery).where(
            or_(
                LogoutDelivery.delivered_at <= kept,
                LogoutDelivery.next_attempt_at.is_(None) & (LogoutDelivery.created_at <= kept),
            )
        ),
        "outbox_messages": delete(OutboxMessage).where(
            OutboxMessage.state == SENT, OutboxMessage.sent_at <= kept
        ),
    }


def purge(*, now: int, settings: Settings) -> dict[str, int]:
    """Delete what is over at `now`; how many rows went, per table. The caller commits."""
    return {
        table: rowcount(db.session.execute(rule.execution_options(synchronize_session=False)))
        for table, rule in _rules(now, settings).items()
    }
