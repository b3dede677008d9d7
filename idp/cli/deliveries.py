"""`idp deliveries run|list|retry`: the outbox of e-mails, SMS and letters to account holders,
and the worker that also sends the back-channel logout tokens (`idp logout-deliveries list`)."""

from __future__ import annotations

import signal
from datetime import UTC, datetime
from types import FrameType

import click
from flask import Flask

from idp.cli.app import echo_json, pass_app
from idp.extensions import db
from idp.models import OutboxMessage
from idp.notify.worker import EXTENSION, DeliveryWorker
from idp.runtime import runtime
from idp.services import outbox


@click.group("deliveries")
def deliveries_group() -> None:
    """Messages to account holders, and the worker that sends them (and logout tokens)."""


@deliveries_group.command()
@click.option("--once", is_flag=True, help="One pass, then exit (from a cron job).")
@click.option("--json", "as_json", is_flag=True, help="With --once: the counts as JSON.")
@pass_app
def run(app: Flask, once: bool, as_json: bool) -> None:
    """Send the queued messages and the due back-channel logout tokens, with retries; also
    purge expired rows now and then.

    Without --once it runs until SIGTERM or SIGINT (a service of its own, beside the web
    processes; several may run at once)."""
    if as_json and not once:
        raise click.UsageError("--json goes with --once")
    worker: DeliveryWorker = app.extensions[EXTENSION]
    if once:
        messages, logouts = worker.run_once(), worker.send_logouts()
        if as_json:
            echo_json({"messages": messages, "logout": logouts})
            return
        click.echo(" ".join(f"{name}={count}" for name, count in messages.items()))
        click.echo("logout " + " ".join(f"{name}={count}" for name, count in logouts.items()))
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        worker.stop(timeout=0)  # the loop ends after its pass; waited for below

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    click.echo("delivery worker running (SIGTERM or Ctrl-C to stop)")
    worker.run_forever()
    worker.stop()  # the logout attempt under way, if any, ends and is recorded


def _when(seconds: int | None) -> str | None:
    return datetime.fromtimestamp(seconds, UTC).isoformat() if seconds is not None else None


def _row(message: OutboxMessage) -> dict[str, object]:
    """What an operator may see of a message: never its sealed values."""
    return {
        "id": message.id,
        "channel": message.channel,
        "recipient": message.recipient,
        "template": message.template,
        "state": message.state,
        "attempts": message.attempts,
        "created_at": _when(message.created_at),
        "next_attempt_at": _when(message.next_attempt_at),
        "sent_at": _when(message.sent_at),
        "last_error": message.last_error,
    }


@deliveries_group.command("list")
@click.option("--failed", is_flag=True, help="Only those given up after the last attempt.")
@click.option("--pending", is_flag=True, help="Only those still to be sent.")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10000))
@click.option("--json", "as_json", is_flag=True)
@pass_app
def list_messages(app: Flask, failed: bool, pending: bool, limit: int, as_json: bool) -> None:
    """Messages, newest first, then how many are in each state."""
    if failed and pending:
        raise click.UsageError("--failed or --pending, not both")
    state = outbox.FAILED if failed else outbox.PENDING if pending else None
    rows = [_row(m) for m in outbox.listing(state=state, limit=limit)]
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        click.echo(
            f"{row['id']:>6}  {row['state']:<7} {row['channel']:<5} {row['template']} "
            f"to={row['recipient']} attempts={row['attempts']} "
            f"next={row['next_attempt_at'] or '-'} last_error={row['last_error'] or '-'}"
        )
    click.echo(" ".join(f"{state}={count}" for state, count in outbox.counts().items()))


@deliveries_group.command()
@click.argument("message_id", type=int)
@pass_app
def retry(app: Flask, message_id: int) -> None:
    """Put a failed message back in the queue, with its attempts anew."""
    if not outbox.retry(message_id, now=runtime().now(), by="cli"):
        raise click.ClickException(f"no failed message {message_id}")
    db.session.commit()
    click.echo(f"message {message_id} queued again")
