"""`idp audit tail`: the latest security events, filtered like the console's Journal."""

from __future__ import annotations

import time

import click
from flask import Flask

from idp.cli.app import echo_json, pass_app
from idp.extensions import db
from idp.i18n import text
from idp.services import journal
from idp.services.journal import BadFilter, Row


@click.group()
def audit() -> None:
    """Audit trail."""


def _as_dict(row: Row) -> dict[str, object]:
    return {
        "at": row.at.isoformat(),
        "event": row.event,
        "outcome": row.outcome,
        "account": row.account,
        "known_account": row.known_account,
        "client_id": row.client_id,
        "ip": row.ip,
        "detail": row.detail,
        "request_id": row.request_id,
    }


def _print(rows: list[Row], as_json: bool) -> None:
    for row in rows:
        if as_json:
            echo_json(_as_dict(row))
            continue
        detail = " ".join(f"{k}={v}" for k, v in row.detail.items())
        click.echo(
            f"{row.at.isoformat()}  {row.event:<22} {row.outcome:<20} "
            f"account={row.account or '-'} client={row.client_id or '-'} "
            f"ip={row.ip or '-'} request={row.request_id or '-'} {detail}".rstrip()
        )


@audit.command()
@click.option("-n", "--lines", default=20, show_default=True, help="How many events.")
@click.option("--follow", "-f", is_flag=True, help="Keep printing new events.")
@click.option("--since", default="", help="From this day (YYYY-MM-DD, Paris time), included.")
@click.option("--until", default="", help="To this day (YYYY-MM-DD, Paris time), included.")
@click.option("--event", default="", help="Only this event (sign_in, account_locked...).")
@click.option("--outcome", default="", help="Only this outcome (success, locked...).")
@click.option("--account", default="", help="Only this account's events (its identifier).")
@click.option("--client-id", default="", help="Only this application.")
@click.option("--ip", default="", help="Only from this IP address.")
@click.option("--staff", default="", help="Only the actions of this staff member.")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def tail(app: Flask, lines: int, follow: bool, as_json: bool, **filters: str) -> None:
    """Print the latest audit events (time, event, outcome, account, client, IP)."""
    try:
        wanted = journal.parse(filters)
    except BadFilter as refused:
        raise click.UsageError(
            "; ".join(
                f"--{name.replace('_', '-')}: {text(key, 'en')}"
                for name, key in refused.problems.items()
            )
        ) from None
    rows = journal.latest(wanted, limit=lines)
    _print(rows, as_json)
    last = rows[-1].id if rows else 0
    while follow:
        time.sleep(1)
        db.session.rollback()  # see other processes' commits
        rows = journal.latest(wanted, after_id=last)
        _print(rows, as_json)
        last = rows[-1].id if rows else last
