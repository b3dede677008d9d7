"""`idp init`, `idp serve` and `idp db ...`."""

from __future__ import annotations

import click
from flask import Flask

from idp import extensions, schema
from idp.access_log import DevRequestHandler
from idp.cli.app import AppHolder, pass_app
from idp.config import ConfigError
from idp.runtime import runtime
from idp.services.purge import purge as purge_expired


@click.command()
@pass_app
def init(app: Flask) -> None:
    """Create or upgrade the schema; create signing keys if there are none."""
    rt = runtime()
    schema.upgrade(app)
    created = rt.keys.ensure(rt.now())
    for key in created:
        click.echo(f"created {key.alg} signing key {key.kid}")
    click.echo(f"database ready: {rt.settings.database_url.split('@')[-1]}")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--production",
    is_flag=True,
    help="Serve with granian (WSGI) in worker processes instead of the development server.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Worker processes, one per core (default: [server] workers). With --production.",
)
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    help="Threads per worker (default: [server] threads). With --production.",
)
@click.pass_obj
def serve(
    holder: AppHolder,
    host: str,
    port: int,
    production: bool,
    workers: int | None,
    threads: int | None,
) -> None:
    """Run the development server, or with --production granian (gunicorn: see the README)."""
    if not production:
        if workers is not None or threads is not None:
            raise click.UsageError("--workers and --threads go with --production")
        app = holder.app
        with app.app_context():
            app.run(
                host=host,
                port=port,
                threaded=True,
                use_reloader=False,
                request_handler=DevRequestHandler,
            )
        return
    from idp import serving

    try:
        settings = serving.settings_for_workers(holder.config, workers, threads)
    except ConfigError as exc:
        raise click.ClickException(f"configuration: {exc}") from None
    serving.serve(settings, host, port)


@click.group()
def db() -> None:
    """Schema migrations (for developers)."""


@db.command()
@click.option("-m", "--message", required=True, help="What the change is.")
@pass_app
def revision(app: Flask, message: str) -> None:
    """Write a migration for what the models changed since the latest revision."""
    schema.new_revision(app, message)


@db.command()
@pass_app
def purge(app: Flask) -> None:
    """Delete expired rows (codes, tokens, sessions, requests in progress, sent messages...)."""
    rt = runtime()
    removed = purge_expired(now=rt.now(), settings=rt.settings)
    extensions.db.session.commit()
    click.echo(" ".join(f"{table}={count}" for table, count in removed.items()))
