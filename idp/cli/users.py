"""`idp users add|grant|reset-password`."""

from __future__ import annotations

import click
from flask import Flask

from idp.cli.app import echo_json, pass_app
from idp.extensions import db
from idp.runtime import runtime
from idp.services import users as accounts
from idp.services.passwords import generate_temporary
from idp.services.users import AccountError, NewAccount


@click.group()
def users() -> None:
    """Accounts."""


def _find(identifier: str):
    user = accounts.find_by_identifier(identifier)
    if user is None:
        raise click.ClickException(f"no account {identifier!r}")
    return user


@users.command()
@click.option("--identifier", required=True)
@click.option("--email")
@click.option("--phone")
@click.option("--given-name")
@click.option("--family-name")
@click.option("--password", help="Initial password (visible in the process list: prefer a prompt).")
@click.option(
    "--temporary-password",
    is_flag=True,
    help="Generate a temporary password, printed once, to personalise at first sign-in.",
)
@click.option("--json", "as_json", is_flag=True)
@pass_app
def add(
    app: Flask,
    identifier: str,
    email: str | None,
    phone: str | None,
    given_name: str | None,
    family_name: str | None,
    password: str | None,
    temporary_password: bool,
    as_json: bool,
) -> None:
    """Create an account."""
    if password and temporary_password:
        raise click.UsageError("choose --password or --temporary-password, not both")
    rt = runtime()
    temporary = generate_temporary() if temporary_password else None
    if not password and not temporary:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        account = NewAccount(
            identifier=identifier,
            email=accounts.normalise_email(email, allow_reserved=True) if email else None,
            phone=phone,
            given_name=given_name,
            family_name=family_name,
        )
        user = accounts.create(
            account,
            now=rt.now(),
            hashing=rt.passwords,
            password=temporary or password,
            temporary=bool(temporary),
        )
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    if as_json:
        result = {"identifier": user.identifier, "subject": user.subject}
        if temporary:
            result["temporary_password"] = temporary
        echo_json(result)
        return
    click.echo(f"created account {user.identifier}")
    if temporary:
        click.echo(f"temporary password: {temporary}  (shown once)")


@users.command()
@click.argument("identifier")
@click.argument("client_id")
@pass_app
def grant(app: Flask, identifier: str, client_id: str) -> None:
    """Habilitate an account for a client that requires habilitation."""
    rt = runtime()
    user = _find(identifier)
    if rt.clients.lookup(client_id) is None:
        raise click.ClickException(f"no client {client_id!r}")
    added = accounts.grant(user, client_id, now=rt.now())
    db.session.commit()
    click.echo(f"{user.identifier} {'granted' if added else 'was already granted'} {client_id}")


@users.command("reset-password")
@click.argument("identifier")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def reset_password(app: Flask, identifier: str, as_json: bool) -> None:
    """Give the account a new temporary password, printed once."""
    rt = runtime()
    user = _find(identifier)
    temporary = generate_temporary()
    accounts.set_password(user, temporary, now=rt.now(), hashing=rt.passwords, temporary=True)
    db.session.commit()
    if as_json:
        echo_json({"identifier": user.identifier, "temporary_password": temporary})
    else:
        click.echo(f"temporary password for {user.identifier}: {temporary}  (shown once)")
