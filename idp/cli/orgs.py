"""`idp orgs add|list|show|status|quota|billing-date|services|import`: organisations, held by
their primary accounts (thin: the rules live in idp.services.organisations and subscriptions)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import click
from flask import Flask

from idp.cli.app import echo_import_report, echo_json, pass_app
from idp.cli.services import find as find_service
from idp.extensions import db
from idp.models import Organisation, OrganisationAccount, User
from idp.models.organisation import ORGANISATION_STATUSES, PENDING
from idp.runtime import runtime
from idp.services import org_importer, organisations, subscriptions, users
from idp.services.organisations import Identity, OrganisationError

# The identity's options besides --type and --name: (option, Identity field, help).
IDENTITY_OPTIONS = (
    ("--siren", "siren", "9 digits (with --nic: the SIRET, checked)."),
    ("--nic", "nic", "5 digits."),
    ("--corporate-officer", "corporate_officer", '"Mandataire social".'),
    ("--responsible-civility", "civility", "M. or Mme."),
    ("--responsible-last-name", "last_name", None),
    ("--responsible-first-name", "first_name", None),
    ("--street-number", "street_number", None),
    ("--street-suffix", "street_suffix", "bis, ter or quater."),
    ("--street-name", "street_name", None),
    ("--address-complement", "address_complement", None),
    ("--po-box", "po_box", None),
    ("--postal-code", "postal_code", None),
    ("--city", "city", None),
    ("--country", "country", None),
    ("--email", "email", "The responsible's address (messages of mailbox-less secondaries)."),
    ("--phone", "phone", None),
    ("--fax", "fax", None),
)


def identity_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for option, name, help_text in reversed(IDENTITY_OPTIONS):
        func = click.option(option, name, default="", help=help_text)(func)
    return func


@click.group()
def orgs() -> None:
    """Organisations: a primary account, its secondary accounts, their services."""


def find_org(reference: str) -> Organisation:
    """By dossier number or primary identifier, or the command's error."""
    organisation = organisations.find_organisation(reference)
    if organisation is None:
        raise click.ClickException(
            f"no organisation {reference!r} (give a dossier number or a primary account)"
        )
    return organisation


def _refused(exc: OrganisationError) -> click.ClickException:
    return click.ClickException(str(exc))


def _codes(service_ids: set[int]) -> list[str]:
    return [s.code for s in subscriptions.all_services() if s.id in service_ids]


def _summary(organisation: Organisation) -> dict[str, Any]:
    primary = organisations.primary_account(organisation)
    return {
        "dossier": organisation.dossier,
        "primary": organisations.user_of(primary).identifier,
        "type": primary.kind,
        "company_name": primary.company_name,
        "siret": primary.siret,
        "status": organisation.status,
        "quota": organisation.secondary_quota,
        "mailboxes_used": organisations.mailbox_count(organisation.id),
    }


def _account(member: OrganisationAccount) -> dict[str, Any]:
    user = organisations.user_of(member)
    return {
        "identifier": user.identifier,
        "state": organisations.account_state(user),
        "mailbox": user.email if member.has_mailbox else None,
        "autonomous": member.autonomous,
        "services": _codes(set(subscriptions.subscriptions_of(member.user_id))),
    }


@orgs.command()
@click.option("--primary", required=True, help="The primary account (made by `idp users add`).")
@click.option("--name", "company_name", required=True, help='"Raison sociale".')
@click.option("--type", "kind", required=True, help="One of [organisations] types.")
@identity_options
@click.option("--dossier", help="N° Dossier (default: the next number).")
@click.option("--quota", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--status", type=click.Choice(ORGANISATION_STATUSES), default=PENDING)
@click.option("--json", "as_json", is_flag=True)
@pass_app
def add(
    app: Flask,
    primary: str,
    company_name: str,
    kind: str,
    dossier: str | None,
    quota: int,
    status: str,
    as_json: bool,
    **identity: str,
) -> None:
    """Make an existing account the primary account of a new organisation."""
    rt = runtime()
    user = users.find_by_identifier(primary)
    if user is None:
        raise click.ClickException(f"no account {primary!r}: create it with `idp users add`")
    try:
        organisation = organisations.create_organisation(
            user,
            Identity(kind=kind, company_name=company_name, **identity),
            kinds=rt.settings.organisations.type_list,
            now=rt.now(),
            by="cli",
            dossier=dossier,
            status=status,
            quota=quota,
        )
    except OrganisationError as exc:
        raise _refused(exc) from None
    db.session.commit()
    if as_json:
        echo_json(_summary(organisation))
    else:
        click.echo(f"organisation {organisation.dossier} created, held by {user.identifier}")


@orgs.command("list")
@click.option("--status", type=click.Choice(ORGANISATION_STATUSES))
@click.option("--json", "as_json", is_flag=True)
@pass_app
def list_orgs(app: Flask, status: str | None, as_json: bool) -> None:
    """The organisations, by dossier number."""
    rows = [_summary(o) for o in organisations.all_organisations(status)]
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("no organisations")
    for row in rows:
        click.echo(
            f"{row['dossier']}\t{row['primary']}\t{row['company_name']}\t{row['status']}\t"
            f"mailboxes {row['mailboxes_used']}/{row['quota']}"
        )


@orgs.command()
@click.argument("org")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def show(app: Flask, org: str, as_json: bool) -> None:
    """An organisation: identity, status, quota, services, secondary accounts."""
    organisation = find_org(org)
    primary = organisations.primary_account(organisation)
    identity = {k: v for k, v in dataclasses.asdict(Identity.of(primary)).items() if v}
    secondaries = [
        _account(member)
        for member_id in organisations.member_ids(organisation)
        if (member := organisations.membership(member_id)) is not None and not member.is_primary
    ]
    info = {
        **_summary(organisation),
        "billing_date": organisation.billing_date,
        "identity": identity,
        "services": _codes(set(subscriptions.subscriptions_of(primary.user_id))),
        "secondaries": sorted(secondaries, key=lambda a: a["identifier"]),
    }
    if as_json:
        echo_json(info)
        return
    for key in ("dossier", "primary", "status", "siret", "billing_date"):
        click.echo(f"{key}: {info[key] or '-'}")
    click.echo(f"quota: {info['mailboxes_used']} of {info['quota']} mailboxes used")
    for key, value in identity.items():
        click.echo(f"{key}: {value}")
    click.echo(f"services: {', '.join(info['services']) or '-'}")
    click.echo(f"secondary accounts: {len(secondaries)}")
    for account in info["secondaries"]:
        click.echo(
            f"  {account['identifier']}\t{account['state']}\t"
            f"mailbox: {account['mailbox'] or '- (to the primary)'}\t"
            f"{'autonomous' if account['autonomous'] else 'not autonomous'}\t"
            f"services: {', '.join(account['services']) or '-'}"
        )


@orgs.command()
@click.argument("org")
@click.argument("status", type=click.Choice(ORGANISATION_STATUSES))
@pass_app
def status(app: Flask, org: str, status: str) -> None:
    """Open, close or set back to pending (closing ends its accounts' use of its services)."""
    organisation = find_org(org)
    organisations.set_status(organisation, status, now=runtime().now(), by="cli")
    db.session.commit()
    click.echo(f"organisation {organisation.dossier}: {status}")


@orgs.command()
@click.argument("org")
@click.argument("quota", type=int)
@pass_app
def quota(app: Flask, org: str, quota: int) -> None:
    """Set how many secondary accounts may have their own mailbox (never below those open)."""
    organisation = find_org(org)
    try:
        organisations.set_quota(organisation, quota, now=runtime().now(), by="cli")
    except OrganisationError as exc:
        raise _refused(exc) from None
    db.session.commit()
    used = organisations.mailbox_count(organisation.id)
    click.echo(f"organisation {organisation.dossier}: quota {quota} ({used} mailboxes used)")


@orgs.command("billing-date")
@click.argument("org")
@click.argument("day", metavar="YYYY-MM-DD|none")
@pass_app
def billing_date(app: Flask, org: str, day: str) -> None:
    """Set the "Date de facturation" the Facturation tab shows (`none` clears it)."""
    organisation = find_org(org)
    try:
        organisations.set_billing_date(
            organisation, None if day == "none" else day, now=runtime().now(), by="cli"
        )
    except OrganisationError as exc:
        raise _refused(exc) from None
    db.session.commit()
    click.echo(f"organisation {organisation.dossier}: billing date {day}")


@orgs.command("services")
@click.argument("org")
@click.option("--add", "added", multiple=True, metavar="CODE", help="Repeatable.")
@click.option("--remove", "removed", multiple=True, metavar="CODE", help="Repeatable.")
@pass_app
def org_services(app: Flask, org: str, added: tuple[str, ...], removed: tuple[str, ...]) -> None:
    """Subscribe the organisation (its primary) to services or unsubscribe it; what is
    removed is removed from its secondary accounts too, their tokens and sessions for it end."""
    organisation = find_org(org)
    primary = organisations.primary_account(organisation)
    current = subscriptions.subscriptions_of(primary.user_id)
    add_ids = {find_service(code).id for code in added}
    remove_ids = {find_service(code).id for code in removed}
    wanted = (set(current) | add_ids) - remove_ids
    kept_types = {i: tuple(current[i].document_types or ()) for i in wanted if i in current}
    try:
        subscriptions.set_services(
            primary,
            subscriptions.Choice(frozenset(wanted), kept_types),
            acting=primary,
            now=runtime().now(),
        )
    except OrganisationError as exc:
        raise _refused(exc) from None
    db.session.commit()
    click.echo(f"organisation {organisation.dossier}: {', '.join(_codes(wanted)) or 'no services'}")


@orgs.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
@pass_app
def import_orgs(app: Flask, file: str, as_json: bool) -> None:
    """Load organisations from a CSV file, line by line (see the README for the columns)."""
    rt = runtime()
    with open(file, encoding="utf-8-sig") as fh:
        content = fh.read()
    report = org_importer.import_csv(
        content, kinds=rt.settings.organisations.type_list, now=rt.now(), by="cli"
    )
    db.session.commit()
    echo_import_report(report, as_json=as_json)


def find_primary(org: str | None, secondary_of: str | None) -> OrganisationAccount:
    """The primary account `idp users add --org ORG | --secondary-of PRIMARY` names."""
    if secondary_of is not None:
        user = users.find_by_identifier(secondary_of)
        member = organisations.membership(user.id) if user is not None else None
        if member is None or not member.is_primary:
            raise click.ClickException(f"{secondary_of!r} is not the primary account of an org")
        return member
    assert org is not None
    return organisations.primary_account(find_org(org))


def add_secondary(
    primary: OrganisationAccount,
    name: str,
    *,
    mailbox: str | None,
    autonomous: bool,
    service_codes: tuple[str, ...],
    password: str | None,
    temporary: bool,
) -> User:
    """`idp users add NAME --org ORG`: the secondary account NAME.<primary> and its services
    (among the primary's); raises OrganisationError or AccountError, nothing committed."""
    rt = runtime()
    user = organisations.add_secondary(
        primary,
        organisations.NewSecondary(name=name, email=mailbox, autonomous=autonomous),
        kinds=rt.settings.organisations.type_list,
        now=rt.now(),
        by="cli",
        hashing=rt.passwords,
        password=password,
        temporary=temporary,
    )
    if service_codes:
        member = organisations.membership(user.id)
        assert member is not None
        subscriptions.set_services(
            member,
            subscriptions.Choice(frozenset(find_service(c).id for c in service_codes), {}),
            acting=primary,
            now=rt.now(),
        )
    return user
