"""The outbox of messages: written with the change a message carries, sent by a worker.

A message is queued in the transaction of its change (a temporary password and its e-mail
commit together or not at all), its address and values sealed (a code, a password may be
among them). Workers claim due messages in one statement, so two never send the same one at
once; a sender that dies mid-attempt leaves a lease that expires, and the message is sent
again: at least once. Once sent, the sealed part is erased and the rest stays as a record.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update

from idp.config import DeliveriesSettings
from idp.extensions import db, rowcount
from idp.models import OutboxMessage
from idp.services import audit, sealing

PENDING, SENT, FAILED = "pending", "sent", "failed"
STATES = (PENDING, SENT, FAILED)
# A claimed message is tried again after this if its worker died mid-attempt (longer than
# any channel's timeout).
LEASE_SECONDS = 300
# Where this database session notes that it queued messages: once they are committed, the
# web process wakes its sender (idp.notify.worker).
QUEUED = "idp.outbox.queued"
_SEAL = {"info": b"idp outbox seal", "aad": b"outbox message"}


@dataclass(frozen=True)
class Claimed:
    """A message taken for one attempt, its values still sealed (`open_payload`)."""

    id: int
    channel: str
    template: str
    locale: str
    payload: str
    attempts: int


def open_payload(message: Claimed, hash_key: str) -> tuple[Any, dict[str, Any]]:
    """The recipient (an address, a number, a postal address's fields) and the template's
    values; raises when the payload cannot be opened (sealed under another hash key)."""
    opened = json.loads(sealing.unseal(message.payload, hash_key, **_SEAL))
    return opened["to"], opened["context"]


def enqueue(
    channel: str,
    to: Any,
    template: str,
    *,
    locale: str,
    context: dict[str, Any],
    recipient: str,
    now: int,
    hash_key: str,
) -> OutboxMessage:
    """Queue a message in the current transaction; `recipient` is what operators may see."""
    sealed = sealing.seal(json.dumps({"to": to, "context": context}), hash_key, **_SEAL)
    message = OutboxMessage(
        channel=channel,
        recipient=recipient[:255],
        template=template,
        locale=locale,
        payload=sealed,
        state=PENDING,
        created_at=now,
        attempts=0,
        next_attempt_at=now,
    )
    db.session.add(message)
    db.session.info[QUEUED] = True
    return message


def claim(*, now: int, limit: int = 20) -> list[Claimed]:
    """Take up to `limit` due messages for one attempt each (counted now), oldest first.

    One statement: a CTE picks the due rows, skipping those another worker holds
    (PostgreSQL's SKIP LOCKED; SQLite has one writer at a time), and the UPDATE re-checks that
    each is still due: a message is never taken twice for one attempt. (A CTE, not `IN
    (subquery)`: PostgreSQL may run such a subquery again and take more than `limit`.) The
    caller commits at once.
    """
    due = (
        select(OutboxMessage.id)
        .where(OutboxMessage.state == PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("due")
    )
    rows = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == due.c.id,
            OutboxMessage.state == PENDING,
            OutboxMessage.next_attempt_at <= now,
        )
        .values(attempts=OutboxMessage.attempts + 1, next_attempt_at=now + LEASE_SECONDS)
        .returning(
            OutboxMessage.id,
            OutboxMessage.channel,
            OutboxMessage.template,
            OutboxMessage.locale,
            OutboxMessage.payload,
            OutboxMessage.attempts,
        )
        .execution_options(synchronize_session=False)
    ).all()
    return [Claimed(**row._asdict()) for row in sorted(rows, key=lambda r: r.id)]


def record_sent(message_id: int, *, now: int) -> None:
    """Sent: the sealed part goes, the record stays."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(state=SENT, sent_at=now, payload=None, next_attempt_at=None, last_error=None)
        .execution_options(synchronize_session=False)
    )


def backoff_seconds(attempts: int, rules: DeliveriesSettings) -> int:
    """The wait after `attempts` failed attempts: doubling from the first, up to the maximum."""
    return min(rules.backoff_seconds * 2 ** (attempts - 1), rules.backoff_max_seconds)


def record_failure(claimed: Claimed, reason: str, *, now: int, rules: DeliveriesSettings) -> str:
    """A failed attempt: tried again after the backoff, or failed after the last; the state.

    `reason` is kept for operators: it must never hold the message's content."""
    failed = claimed.attempts >= rules.max_attempts
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == claimed.id)
        .values(
            state=FAILED if failed else PENDING,
            next_attempt_at=None if failed else now + backoff_seconds(claimed.attempts, rules),
            last_error=reason[:255],
        )
        .execution_options(synchronize_session=False)
    )
    return FAILED if failed else PENDING


def retry(message_id: int, *, now: int, by: str) -> bool:
    """A failed message back in the queue, with its attempts anew, and audited (`by`: "cli"
    or "staff:<identifier>"); False when there is no failed message of this id."""
    retried = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.state == FAILED)
        .values(state=PENDING, attempts=0, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    if rowcount(retried) != 1:
        return False
    audit.record("delivery_retried", "success", at=now, by=by, message=message_id)
    return True


def listing(*, state: str | None = None, limit: int = 100) -> list[OutboxMessage]:
    """Messages, newest first (only those in `state` when given)."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if state is not None:
        query = query.where(OutboxMessage.state == state)
    return list(db.session.scalars(query))


def counts() -> dict[str, int]:
    """How many messages are in each state (the queue's depth is the pending count)."""
    found = dict(
        db.session.execute(
            select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
        ).all()
    )
    return {state: int(found.get(state, 0)) for state in STATES}
