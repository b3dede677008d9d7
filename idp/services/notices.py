"""Notices that tell an account a security change happened ("… vient d'être modifié")."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from idp.models import User
from idp.notify import DeliveryFailed
from idp.notify.mail import Mailer
from idp.services import audit

log = logging.getLogger(__name__)


def send_change_notice(
    mailer: Mailer, address: str, user: User, template: str, *, now: int, kind: str
) -> None:
    """Tell `address` that the change `template` describes happened. A failed send is logged
    and audited, never raised: the change itself stands."""
    when = datetime.fromtimestamp(now, UTC).strftime("%d/%m/%Y %H:%M UTC")
    try:
        mailer.send(
            address, template, locale=user.locale or "fr", account=user.identifier, changed_at=when
        )
    except DeliveryFailed:
        log.warning("%s change notice to account %s not delivered", kind, user.id)
        audit.record("notification_failed", "error", at=now, user_id=user.id, kind=kind)
