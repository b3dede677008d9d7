"""`idp audit tail`: the latest security events."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import click
from flask import Flask
from sqlalchemy import select

from idp.cli.app import echo_json, pass_app
from idp.extensions import db
from idp.models import AuditEvent, User


@click.group()
def audit() -> None:
    """Audit trail."""


def _row(event: AuditEvent, identifiers: dict[int, str]) -> dict[str, object]:
    who = identifiers.get(event.user_id) if event.user_id else None
    return {
        "at": datetime.fromtimestamp(event.at, UTC).isoformat(),
        "event": event.event,
        "outcome": event.outcome,
        "account": who or event.identifier,
        "known_account": event.user_id is not None,
        "client_id": event.client_id,
        "ip": event.ip,
        "detail": event.detail or {},
    }


def _fetch(after_id: int, limit: int | None) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.id > after_id).order_by(AuditEvent.id.desc())
    if limit:
        query = query.limit(limit)
    return list(reversed(db.session.scalars(query).all()))


def _print(events: list[AuditEvent], as_json: bool) -> None:
    user_ids = {e.user_id for e in events if e.user_id}
    identifiers = dict(
        db.session.execute(select(User.id, User.identifier).where(User.id.in_(user_ids))).all()
    )
    for event in events:
        row = _row(event, identifiers)
        if as_json:
            echo_json(row)
            continue
        detail = " ".join(f"{k}={v}" for k, v in row["detail"].items())  # type: ignore[union-attr]
        click.echo(
            f"{row['at']}  {row['event']:<22} {row['outcome']:<20} "
            f"account={row['account'] or '-'} client={row['client_id'] or '-'} "
            f"ip={row['ip'] or '-'} {detail}".rstrip()
        )


@audit.command()
@click.option("-n", "--lines", default=20, show_default=True, help="How many events.")
@click.option("--follow", "-f", is_flag=True, help="Keep printing new events.")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def tail(app: Flask, lines: int, follow: bool, as_json: bool) -> None:
    """Print the latest audit events (time, event, outcome, account, client, IP)."""
    events = _fetch(0, lines)
    _print(events, as_json)
    last = events[-1].id if events else 0
    while follow:
        time.sleep(1)
        db.session.rollback()  # see other processes' commits
        events = _fetch(last, None)
        _print(events, as_json)
        last = events[-1].id if events else last
