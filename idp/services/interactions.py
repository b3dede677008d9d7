"""Pending authorization requests: where the protocol and the hosted pages meet.

The authorize endpoint stores the request and sends the browser to a page (sign-in,
consent, ...); the page records what the user did and resumes it (idp.oidc.interaction).
"""

from __future__ import annotations

from sqlalchemy import Update, bindparam, delete, update
from sqlalchemy.orm import InstrumentedAttribute

from idp.extensions import db, find_one, rowcount
from idp.models import PendingAuthorization
from idp.services.hashing import hashes_equal, new_secret

# The writes of every flow, built once with bound parameters: building a statement costs
# more than running it. No loaded row needs them mirrored (`synchronize_session`): a
# request reads none of these rows after writing it, and its commit expires them anyway.
_PA = PendingAuthorization
_DELETE_EXPIRED = (
    delete(_PA)
    .where(_PA.expires_at < bindparam("now"))
    .execution_options(synchronize_session=False)
)


def _marking(column: InstrumentedAttribute[str | None]) -> Update:
    """One UPDATE by reference: it matches nothing once a twin tab has answered the request,
    where an ORM change would fail (the row it loaded is gone) with a 500."""
    return (
        update(_PA)
        .where(_PA.ref == bindparam("pending_ref"))
        .values({column: bindparam("sid")})
        .execution_options(synchronize_session=False)
    )


_MARK_AUTHENTICATED = _marking(_PA.authenticated_sid)
_MARK_CONSENTED = _marking(_PA.consented_sid)
_FINISH = (
    delete(_PA)
    .where(_PA.id == bindparam("pending_id"))
    .execution_options(synchronize_session=False)
)


def create(
    params: dict[str, str], *, client_id: str, binding: str, now: int, ttl_seconds: int
) -> PendingAuthorization:
    db.session.execute(_DELETE_EXPIRED, {"now": now})
    pending = PendingAuthorization(
        ref=new_secret(24),
        client_id=client_id,
        params=params,
        browser_binding=binding,
        created_at=now,
        expires_at=now + ttl_seconds,
    )
    db.session.add(pending)
    return pending


def load(ref: str | None, *, binding: str, now: int) -> PendingAuthorization | None:
    """The pending request if it exists, is unexpired and belongs to this browser."""
    if not ref or not isinstance(ref, str) or len(ref) > 64:
        return None
    pending = find_one(PendingAuthorization, ref=ref)
    if pending is None or pending.expires_at <= now:
        return None
    if not hashes_equal(pending.browser_binding, binding):
        return None
    return pending


def mark_authenticated(ref: str, sid: str) -> None:
    """Record the session that signed in for the request `ref`.

    The sign-in's own commit (the lockout's reservation) has expired the row loaded before
    it, and changing it through the ORM would also load it again.
    """
    db.session.execute(_MARK_AUTHENTICATED, {"pending_ref": ref, "sid": sid})


def mark_consented(ref: str, sid: str) -> None:
    """Record the session that consented for the request `ref`."""
    db.session.execute(_MARK_CONSENTED, {"pending_ref": ref, "sid": sid})


def finish(pending: PendingAuthorization) -> bool:
    """Take the request off the pending list; False if another request already did.

    One DELETE decides, so a request answered twice at once (a double submit, two tabs)
    yields one authorization response, never two codes.
    """
    taken = db.session.execute(_FINISH, {"pending_id": pending.id})
    return rowcount(taken) == 1
