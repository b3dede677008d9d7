"""Remembered consent: per user and client, covering the scopes agreed to so far."""

from __future__ import annotations

from authlib.oauth2.rfc6749 import list_to_scope, scope_to_list
from sqlalchemy.exc import IntegrityError

from idp.extensions import db, find_one
from idp.models import Consent


def _find(user_id: int, client_id: str) -> Consent | None:
    return find_one(Consent, user_id=user_id, client_id=client_id)


def covers(user_id: int, client_id: str, scope: str) -> bool:
    consent = _find(user_id, client_id)
    if consent is None:
        return False
    return set(scope_to_list(scope) or []) <= set(scope_to_list(consent.scope) or [])


def give(user_id: int, client_id: str, scope: str, *, now: int) -> None:
    consent = _find(user_id, client_id)
    requested = scope_to_list(scope) or []
    if consent is None:
        try:
            with db.session.begin_nested():
                db.session.add(
                    Consent(
                        user_id=user_id,
                        client_id=client_id,
                        scope=list_to_scope(requested),
                        granted_at=now,
                    )
                )
            return
        except IntegrityError:  # given at the same moment by another request: merge with it
            consent = _find(user_id, client_id)
            assert consent is not None
    merged = list(dict.fromkeys([*(scope_to_list(consent.scope) or []), *requested]))
    consent.scope = list_to_scope(merged)
    consent.granted_at = now
