"""The root group: loads the configuration once and runs commands in an app context."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click
from flask import Flask

from idp.config import ConfigError

if TYPE_CHECKING:
    from idp.services.importer import ImportReport


class AppHolder:
    """Builds the app lazily, so `idp --help` works without a database."""

    def __init__(self, config: str | None, **factory_options: Any) -> None:
        self.config = config
        self.factory_options = factory_options  # a test's clock; nothing in production
        self._app: Flask | None = None

    @property
    def app(self) -> Flask:
        if self._app is None:
            from idp import create_app

            try:
                self._app = create_app(self.config, **self.factory_options)
            except ConfigError as exc:
                raise click.ClickException(f"configuration: {exc}") from None
        return self._app

    def close(self) -> None:
        """Release database connections when the command ends."""
        if self._app is not None:
            from idp.extensions import db

            with self._app.app_context():
                db.session.remove()
                db.engine.dispose()


@click.group()
@click.option(
    "--config",
    "config",
    envvar="IDP_CONFIG",
    type=click.Path(dir_okay=False),
    help="TOML configuration file (default: $IDP_CONFIG, else built-in defaults).",
)
@click.pass_context
def root(ctx: click.Context, config: str | None) -> None:
    """Operate the identity provider."""
    if not isinstance(ctx.obj, AppHolder):  # tests hand in their own
        ctx.obj = AppHolder(config)
    ctx.call_on_close(ctx.obj.close)


def pass_app(func: Callable[..., Any]) -> Callable[..., Any]:
    """Run the command inside the app context; the app is its first argument."""

    @click.pass_obj
    @functools.wraps(func)
    def wrapper(holder: AppHolder, *args: Any, **kwargs: Any) -> Any:
        app = holder.app
        with app.app_context():
            return func(app, *args, **kwargs)

    return wrapper


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def echo_import_report(report: ImportReport, *, as_json: bool) -> None:
    """Every CSV import's output: refused lines on stderr, then the summary (or the JSON);
    exit status 1 when a line was refused."""
    if as_json:
        echo_json(report.as_json())
    else:
        for line in report.refused:
            click.echo(line.describe(), err=True)
        click.echo(report.summary())
    if report.refused:
        raise SystemExit(1)
