"""`idp logout-deliveries list`: back-channel logout tokens still to send, and their fate.

The delivery worker (`idp deliveries run`) sends them; this command shows what it did."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import Flask

from idp.cli.app import echo_json, pass_app
from idp.models import LogoutDelivery
from idp.services import logout_deliveries


@click.group("logout-deliveries")
def logout_deliveries_group() -> None:
    """Back-channel logout to relying applications."""


def _when(seconds: int | None) -> str | None:
    return datetime.fromtimestamp(seconds, UTC).isoformat() if seconds is not None else None


def _row(delivery: LogoutDelivery) -> dict[str, object]:
    return {
        "id": delivery.id,
        "client_id": delivery.client_id,
        "sid": delivery.sid,
        "state": logout_deliveries.state(delivery),
        "attempts": delivery.attempts,
        "created_at": _when(delivery.created_at),
        "next_attempt_at": _when(delivery.next_attempt_at),
        "delivered_at": _when(delivery.delivered_at),
        "last_status": delivery.last_status,
        "last_error": delivery.last_error,
    }


@logout_deliveries_group.command("list")
@click.option("--pending", is_flag=True, help="Only those still to be tried.")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def list_deliveries(app: Flask, pending: bool, as_json: bool) -> None:
    """Deliveries, newest first."""
    rows = [_row(d) for d in logout_deliveries.listing(pending_only=pending)]
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        click.echo(
            f"{row['id']:>6}  {row['state']:<9} client={row['client_id']} "
            f"attempts={row['attempts']} next={row['next_attempt_at'] or '-'} "
            f"last={row['last_status'] or row['last_error'] or '-'}"
        )
