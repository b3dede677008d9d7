"""Back-channel logout deliveries (OpenID Connect Back-Channel Logout 1.0): who is told that
a session ended, and when to try again.

A delivery is written in the transaction that ends the session, so a session never ends
without its applications being told, and nobody is told of a session that did not end.
Sending is apart (`idp.oidc.backchannel`): after the request, or by the delivery worker
(`idp deliveries run`); each attempt first reserves its delivery in one statement, so two
senders never POST the same one at once.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select, union, update

from idp.extensions import db, rowcount
from idp.models import AuthorizationCode, BrowserSession, Client, LogoutDelivery, Token, User

# Waits after the 1st, 2nd, ... failed attempt; after the last attempt the delivery gives up.
BACKOFF_SECONDS = (30, 120, 600, 3600, 6 * 3600)
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
# A reserved delivery is retried after this if its sender died mid-attempt (longer than any
# request's timeout).
LEASE_SECONDS = 300
# Where a request's new deliveries are listed (on the SQLAlchemy session, not Flask's), so
# the web layer sends them once the response is out.
QUEUED = "idp.logout_deliveries.queued"


@dataclass(frozen=True)
class Outcome:
    """What one attempt got: the receiver's status, or the network error."""

    status: int | None = None
    error: str | None = None

    @property
    def delivered(self) -> bool:
        """200 or 204: the relying application has ended its session (spec §2.8)."""
        return self.status in (200, 204)


def queue(sids: Collection[str], *, now: int) -> list[int]:
    """Queue a delivery for each client with a back-channel logout URI that got a code or
    tokens in one of these sessions; returns the new deliveries' ids."""
    if not sids:
        return []
    seen = union(
        select(Token.client_id, Token.sid).where(Token.sid.in_(sids)),
        select(AuthorizationCode.client_id, AuthorizationCode.sid).where(
            AuthorizationCode.sid.in_(sids)
        ),
    ).subquery()
    rows = db.session.execute(
        select(seen.c.client_id, seen.c.sid, User.subject)
        .join(Client, Client.client_id == seen.c.client_id)
        .join(BrowserSession, BrowserSession.sid == seen.c.sid)
        .join(User, User.id == BrowserSession.user_id)
        .where(Client.backchannel_logout_uri.is_not(None))
    ).all()
    deliveries = [
        LogoutDelivery(
            client_id=client_id,
            sid=sid,
            user_subject=subject,
            created_at=now,
            attempts=0,
            next_attempt_at=now,
        )
        for client_id, sid, subject in rows
    ]
    if not deliveries:
        return []
    db.session.add_all(deliveries)
    db.session.flush()
    ids = [delivery.id for delivery in deliveries]
    db.session.info.setdefault(QUEUED, []).extend(ids)
    return ids


def take_queued() -> list[int]:
    """The deliveries this database session queued since the last call (the web layer sends
    them after the answer)."""
    return db.session.info.pop(QUEUED, [])


def due(*, now: int, ids: Collection[int] | None = None) -> list[int]:
    """Deliveries whose next attempt is due (among `ids` when given), oldest first."""
    query = select(LogoutDelivery.id).where(
        LogoutDelivery.delivered_at.is_(None), LogoutDelivery.next_attempt_at <= now
    )
    if ids is not None:
        query = query.where(LogoutDelivery.id.in_(ids))
    return list(db.session.scalars(query.order_by(LogoutDelivery.next_attempt_at)))


def reserve(delivery_id: int, *, now: int) -> LogoutDelivery | None:
    """Take a due delivery for one attempt (counted now), or None when another sender has it
    or it is no longer due. One UPDATE: of two senders, exactly one matches."""
    reserved = rowcount(
        db.session.execute(
            update(LogoutDelivery)
            .where(
                LogoutDelivery.id == delivery_id,
                LogoutDelivery.delivered_at.is_(None),
                LogoutDelivery.next_attempt_at <= now,
            )
            .values(attempts=LogoutDelivery.attempts + 1, next_attempt_at=now + LEASE_SECONDS)
            .execution_options(synchronize_session=False)
        )
    )
    if reserved != 1:
        return None
    delivery = db.session.get(LogoutDelivery, delivery_id)
    if delivery is not None:
        db.session.refresh(delivery)
    return delivery


def record(delivery: LogoutDelivery, outcome: Outcome, *, now: int) -> bool:
    """Record an attempt's outcome; True when the delivery will be tried again."""
    delivery.last_status = outcome.status
    delivery.last_error = (outcome.error or "")[:255] or None
    if outcome.delivered:
        delivery.delivered_at = now
        delivery.next_attempt_at = None
        return False
    if delivery.attempts >= MAX_ATTEMPTS:
        delivery.next_attempt_at = None
        return False
    delivery.next_attempt_at = now + BACKOFF_SECONDS[delivery.attempts - 1]
    return True


def give_up(delivery: LogoutDelivery, reason: str) -> None:
    """Stop trying: there is nowhere to deliver (the client or its URI is gone)."""
    delivery.last_status = None
    delivery.last_error = reason
    delivery.next_attempt_at = None


def listing(*, pending_only: bool = False) -> list[LogoutDelivery]:
    """Deliveries, newest first; `pending_only`: those still to be tried."""
    query = select(LogoutDelivery).order_by(LogoutDelivery.id.desc())
    if pending_only:
        query = query.where(
            LogoutDelivery.delivered_at.is_(None), LogoutDelivery.next_attempt_at.is_not(None)
        )
    return list(db.session.scalars(query))


def state(delivery: LogoutDelivery) -> str:
    """ "delivered", "pending" or "abandoned"."""
    if delivery.delivered_at is not None:
        return "delivered"
    return "pending" if delivery.next_attempt_at is not None else "abandoned"
