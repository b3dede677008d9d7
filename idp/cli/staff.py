"""`idp staff add|list|roles|remove|reset-second-factor`: who opens the operators' console."""

from __future__ import annotations

import click
from flask import Flask

from idp.cli.app import echo_json, pass_app
from idp.extensions import db
from idp.models import StaffMember
from idp.runtime import runtime
from idp.services import staff as staff_service
from idp.services import users as accounts
from idp.services.staff import ROLES, StaffError

BY = "cli"


@click.group("staff")
def staff() -> None:
    """Staff: the accounts that open the console (/admin), and their roles."""


def _member(identifier: str) -> StaffMember:
    user = accounts.find_by_identifier(identifier)
    member = staff_service.of_user(user.id) if user else None
    if member is None:
        raise click.ClickException(f"{identifier!r} is not staff")
    return member


_ROLE = click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice(list(ROLES)),
    help="assistance (accounts), auditor (the journal, read-only) or admin (everything). "
    "Repeat for several.",
)


@staff.command()
@click.argument("identifier")
@_ROLE
@pass_app
def add(app: Flask, identifier: str, roles: tuple[str, ...]) -> None:
    """Make an existing account staff. Its holder enrols an authenticator app at the first
    console sign-in."""
    user = accounts.find_by_identifier(identifier)
    if user is None:
        raise click.ClickException(f"no account {identifier!r}")
    try:
        staff_service.add(user, roles, now=runtime().now(), by=BY)
    except StaffError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"{user.identifier} is staff: {', '.join(roles)}")


@staff.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def list_staff(app: Flask, as_json: bool) -> None:
    """The staff, their roles, and whether their second factor is enrolled."""
    rows = staff_service.listing()
    if as_json:
        echo_json(
            [
                {"identifier": r.identifier, "roles": list(r.roles), "enrolled": r.enrolled}
                for r in rows
            ]
        )
        return
    for row in rows:
        enrolled = "enrolled" if row.enrolled else "not enrolled"
        click.echo(f"{row.identifier}\t{','.join(row.roles)}\t{enrolled}")
    if not rows:
        click.echo("no staff")


@staff.command()
@click.argument("identifier")
@_ROLE
@pass_app
def roles(app: Flask, identifier: str, roles: tuple[str, ...]) -> None:
    """Replace a staff member's roles (their console sessions end: they sign in again)."""
    member = _member(identifier)
    try:
        staff_service.set_roles(member, roles, now=runtime().now(), by=BY)
    except StaffError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"{identifier}: {', '.join(roles)}")


@staff.command()
@click.argument("identifier")
@pass_app
def remove(app: Flask, identifier: str) -> None:
    """The account stays; it no longer opens the console."""
    try:
        staff_service.remove(_member(identifier), now=runtime().now(), by=BY)
    except StaffError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"{identifier} is no longer staff")


@staff.command("reset-second-factor")
@click.argument("identifier")
@pass_app
def reset_second_factor(app: Flask, identifier: str) -> None:
    """A lost phone: the next console sign-in enrols a new authenticator app."""
    staff_service.reset_second_factor(_member(identifier), now=runtime().now(), by=BY)
    db.session.commit()
    click.echo(f"{identifier} enrols a new authenticator app at the next console sign-in")
