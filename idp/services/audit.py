"""Audit records: who, what, when, from where, and the outcome."""

from __future__ import annotations

from typing import Any

from idp import request_id
from idp.extensions import db
from idp.models import AuditEvent


def record(
    event: str,
    outcome: str,
    *,
    at: int,
    user_id: int | None = None,
    identifier: str | None = None,
    client_id: str | None = None,
    ip: str | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add an audit event to the current transaction (committed with the action it records),
    stamped with the id of the request being handled, if any."""
    entry = AuditEvent(
        at=at,
        event=event,
        outcome=outcome,
        user_id=user_id,
        identifier=identifier,
        client_id=client_id,
        ip=ip,
        detail=detail or None,
        request_id=request_id.current(),
    )
    db.session.add(entry)
    return entry
