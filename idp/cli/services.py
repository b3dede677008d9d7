"""`idp services add|list|remove`: the "téléprocédures" organisations subscribe to, and the
relying applications each one opens (thin: the rules live in idp.services.subscriptions)."""

from __future__ import annotations

from typing import Any

import click
from flask import Flask

from idp.cli.app import echo_json, pass_app
from idp.extensions import db
from idp.models import Service
from idp.runtime import runtime
from idp.services import subscriptions
from idp.services.organisations import OrganisationError


@click.group()
def services() -> None:
    """Services ("téléprocédures") and the applications they open."""


def find(code: str) -> Service:
    """The service with this code, or the command's error."""
    service = subscriptions.find_service(code)
    if service is None:
        raise click.ClickException(f"no service {code!r}")
    return service


def describe(service: Service) -> dict[str, Any]:
    return {
        "code": service.code,
        "description": service.description,
        "recipients": service.recipients,
        "document_types": list(service.document_types or []),
        "clients": subscriptions.clients_of(service.id),
        "subscribers": len(subscriptions.subscriber_ids(service.id)),
    }


@services.command()
@click.argument("code")
@click.option("--description", required=True, help='What it is, e.g. "Déclaration sociale".')
@click.option(
    "--client",
    "client_ids",
    multiple=True,
    required=True,
    help="A registered client it opens (repeatable).",
)
@click.option("--recipients", help='"Destinataires", e.g. "URSSAF".')
@click.option("--document-type", "document_types", multiple=True, help="Repeatable.")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def add(
    app: Flask,
    code: str,
    description: str,
    client_ids: tuple[str, ...],
    recipients: str | None,
    document_types: tuple[str, ...],
    as_json: bool,
) -> None:
    """Add a service opening CLIENT_IDs: subscribing an account to it habilitates the account
    for them (and those clients then require a habilitation, even if the service is removed)."""
    rt = runtime()
    try:
        service = subscriptions.add_service(
            code,
            description,
            client_ids=client_ids,
            recipients=recipients,
            document_types=document_types,
            clients=rt.clients,
            now=rt.now(),
            by="cli",
        )
    except OrganisationError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    if as_json:
        echo_json(describe(service))
    else:
        click.echo(f"service {service.code} added, opening {', '.join(sorted(set(client_ids)))}")


@services.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def list_services(app: Flask, as_json: bool) -> None:
    """Every service: its clients, document types and how many accounts subscribe."""
    rows = [describe(service) for service in subscriptions.all_services()]
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("no services")
    for row in rows:
        click.echo(
            f"{row['code']}\t{row['description']}\trecipients: {row['recipients'] or '-'}\t"
            f"document types: {', '.join(row['document_types']) or '-'}\t"
            f"clients: {', '.join(row['clients'])}\t"
            f"subscribers: {row['subscribers']}"
        )


@services.command()
@click.argument("code")
@pass_app
def remove(app: Flask, code: str) -> None:
    """Remove a service: every subscribed account loses it at once (its tokens for the
    service's applications are revoked and the sessions that obtained them end)."""
    rt = runtime()
    service = find(code)
    losing = len(subscriptions.subscriber_ids(service.id))
    code = service.code
    subscriptions.remove_service(service, now=rt.now(), by="cli")
    db.session.commit()
    click.echo(f"service {code} removed; {losing} account(s) lost it")


@services.command()
@click.argument("code")
@click.argument("client_id")
@pass_app
def link(app: Flask, code: str, client_id: str) -> None:
    """Let the service open one more application (which then requires a habilitation)."""
    _change_link(code, client_id, link=True)


@services.command()
@click.argument("code")
@click.argument("client_id")
@pass_app
def unlink(app: Flask, code: str, client_id: str) -> None:
    """The service no longer opens the application: its subscribers lose it at once."""
    _change_link(code, client_id, link=False)


def _change_link(code: str, client_id: str, *, link: bool) -> None:
    rt = runtime()
    service = find(code)
    try:
        if link:
            subscriptions.link_client(
                service, client_id, clients=rt.clients, now=rt.now(), by="cli"
            )
        else:
            subscriptions.unlink_client(service, client_id, now=rt.now(), by="cli")
    except OrganisationError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"service {service.code} {'opens' if link else 'no longer opens'} {client_id}")
