"""`idp init` and `idp serve`."""

from __future__ import annotations

import click
from flask import Flask
from flask_migrate import upgrade

from idp.cli.app import pass_app
from idp.runtime import runtime


@click.command()
@pass_app
def init(app: Flask) -> None:
    """Create or upgrade the schema; create signing keys if there are none."""
    rt = runtime()
    upgrade(directory=app.extensions["migrate"].directory)
    created = rt.keys.ensure(rt.now())
    for key in created:
        click.echo(f"created {key.alg} signing key {key.kid}")
    click.echo(f"database ready: {rt.settings.database_url.split('@')[-1]}")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@pass_app
def serve(app: Flask, host: str, port: int) -> None:
    """Run the development server (production: gunicorn 'wsgi:app')."""
    app.run(host=host, port=port, threaded=True, use_reloader=False)
