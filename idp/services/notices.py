"""Notices that tell an account a security change happened ("… vient d'être modifié")."""

from __future__ import annotations

from datetime import UTC, datetime

from idp.models import User
from idp.services.deliveries import Deliveries


def send_change_notice(
    address: str, user: User, template: str, *, now: int, deliveries: Deliveries
) -> None:
    """Tell `address` that the change `template` describes happened: queued with the change,
    so that the notice goes if and only if the change stands."""
    when = datetime.fromtimestamp(now, UTC).strftime("%d/%m/%Y %H:%M UTC")
    deliveries.enqueue(
        "email",
        address,
        template,
        locale=user.locale or "fr",
        account=user.identifier,
        changed_at=when,
    )
