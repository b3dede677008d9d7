"""`idp keys list|rotate`."""

from __future__ import annotations

import click
from flask import Flask

from idp.cli.app import echo_json, pass_app
from idp.runtime import runtime


@click.group()
def keys() -> None:
    """Signing keys."""


@keys.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def list_keys(app: Flask, as_json: bool) -> None:
    """Show every key: active, or superseded and published until its retirement."""
    rt = runtime()
    grace = rt.keys.grace_seconds
    rows = [
        {
            "kid": k.kid,
            "alg": k.alg,
            "created_at": k.created_at,
            "state": "active" if k.superseded_at is None else "superseded",
            "retires_at": None if k.superseded_at is None else k.superseded_at + grace,
        }
        for k in rt.keys.all()
    ]
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        retires = f" retires at {row['retires_at']}" if row["retires_at"] else ""
        click.echo(f"{row['kid']}  {row['alg']}  {row['state']}{retires}")


@keys.command()
@pass_app
def rotate(app: Flask) -> None:
    """Sign with new keys from now on; old ones stay published for the longest token life."""
    rt = runtime()
    created, retired = rt.keys.rotate(rt.now())
    for key in created:
        click.echo(f"new {key.alg} signing key {key.kid}")
    for kid in retired:
        click.echo(f"retired key {kid}")
