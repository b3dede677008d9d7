"""`idp users add|import|invite|list|show|grant|revoke|reset-password|unlock|disable|enable`."""

from __future__ import annotations

import click
from flask import Flask

from idp.cli.app import echo_import_report, echo_json, pass_app
from idp.cli.orgs import add_secondary, find_primary
from idp.extensions import db
from idp.models import User
from idp.runtime import runtime
from idp.services import (
    account_actions,
    account_search,
    credentials,
    importer,
    mailboxes,
    subscriptions,
)
from idp.services import users as accounts
from idp.services.deliveries import NoAddress
from idp.services.notices import send_change_notice
from idp.services.organisations import OrganisationError
from idp.services.users import AccountError, NewAccount


@click.group()
def users() -> None:
    """Accounts."""


def _find(identifier: str):
    user = accounts.find_by_identifier(identifier)
    if user is None:
        raise click.ClickException(f"no account {identifier!r}")
    return user


def _state_rules() -> account_search.StateRules:
    rt = runtime()
    return account_search.StateRules(
        lockout=rt.lockout, password=rt.settings.password, now=rt.now()
    )


def _deliver(user: User, temporary: str, send: str) -> None:
    try:
        runtime().deliveries.send_temporary_password(user, temporary, channel=send)
    except NoAddress as exc:
        raise click.ClickException(f"not delivered ({exc}): nothing was changed") from None


@users.command()
@click.argument("name", required=False)
@click.option("--identifier", help="The account's identifier (or give it as NAME).")
@click.option("--email")
@click.option("--phone")
@click.option("--given-name")
@click.option("--family-name")
@click.option("--password", help="Initial password (visible in the process list: prefer a prompt).")
@click.option(
    "--temporary-password",
    is_flag=True,
    help="Generate a temporary password, to personalise at first sign-in (printed once).",
)
@click.option("--invite", is_flag=True, help="E-mail a single-use link to create the password.")
@click.option(
    "--contacts-verified",
    is_flag=True,
    help="The e-mail and phone were checked by an agent: no confirmation at first sign-in.",
)
@click.option(
    "--send",
    type=click.Choice(["email", "sms", "post"]),
    help="Deliver the temporary password instead of printing it.",
)
@click.option(
    "--org",
    help="Create the secondary account NAME.<primary> of this organisation (dossier number "
    "or primary identifier).",
)
@click.option("--secondary-of", metavar="PRIMARY", help="The same, naming the primary account.")
@click.option(
    "--mailbox",
    metavar="EMAIL",
    help="A secondary's own mailbox (counted in the quota); without one, its messages go to "
    "the primary's responsible.",
)
@click.option("--autonomous", is_flag=True, help="A secondary that chooses its own services.")
@click.option(
    "--service",
    "service_codes",
    multiple=True,
    metavar="CODE",
    help="A service of the primary's for the secondary (repeatable).",
)
@click.option("--json", "as_json", is_flag=True)
@pass_app
def add(
    app: Flask,
    name: str | None,
    identifier: str | None,
    email: str | None,
    phone: str | None,
    given_name: str | None,
    family_name: str | None,
    password: str | None,
    temporary_password: bool,
    invite: bool,
    contacts_verified: bool,
    send: str | None,
    org: str | None,
    secondary_of: str | None,
    mailbox: str | None,
    autonomous: bool,
    service_codes: tuple[str, ...],
    as_json: bool,
) -> None:
    """Create an account: with a password, a temporary password, or an invitation.

    `idp users add NAME --org ORG` creates the secondary account NAME.<primary> of an
    organisation (`--mailbox`, `--autonomous`, `--service`); without a mailbox, its
    invitation and messages go to the primary's responsible.
    """
    secondary = bool(org or secondary_of)
    if name and identifier:
        raise click.UsageError("give NAME or --identifier, not both")
    identifier = name or identifier
    if not identifier:
        raise click.UsageError("give the account's NAME (or --identifier)")
    if org and secondary_of:
        raise click.UsageError("choose one of --org and --secondary-of")
    if secondary and (email or phone or given_name or family_name):
        raise click.UsageError("a secondary account takes --mailbox, not --email or --phone")
    if not secondary and (mailbox or autonomous or service_codes):
        raise click.UsageError("--mailbox, --autonomous and --service need --org")
    if sum(map(bool, (password, temporary_password, invite))) > 1:
        raise click.UsageError("choose one of --password, --temporary-password and --invite")
    if send and not temporary_password:
        raise click.UsageError("--send delivers a --temporary-password")
    if invite and not (email or secondary):
        raise click.UsageError("--invite needs --email")
    rt = runtime()
    primary = find_primary(org, secondary_of) if secondary else None
    temporary = rt.passwords.new_temporary() if temporary_password else None
    if not (password or temporary or invite):
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        if primary is not None:
            user = add_secondary(
                primary,
                identifier,
                mailbox=mailbox,
                autonomous=autonomous,
                service_codes=service_codes,
                password=temporary or password,
                temporary=bool(temporary),
            )
        else:
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
    except (AccountError, OrganisationError) as exc:
        raise click.ClickException(str(exc)) from None
    if contacts_verified:
        accounts.mark_contacts_verified(user, now=rt.now())
    if invite:
        try:
            rt.deliveries.send_invitation(user)
        except NoAddress as exc:
            raise click.ClickException(
                f"invitation not delivered ({exc}): no account created"
            ) from None
    if temporary and send:
        _deliver(user, temporary, send)
    db.session.commit()
    result: dict[str, object] = {"identifier": user.identifier, "subject": user.subject}
    if temporary and not send:
        result["temporary_password"] = temporary
    if as_json:
        echo_json(result)
        return
    click.echo(f"created account {user.identifier}")
    if invite:
        click.echo(f"invitation queued for {mailboxes.email_for(user)}")
    elif temporary and send:
        click.echo(f"temporary password queued for {send}")
    elif temporary:
        click.echo(f"temporary password: {temporary}  (shown once)")


@users.command()
@click.argument("identifier")
@pass_app
def invite(app: Flask, identifier: str) -> None:
    """Send a new invitation link to an account that has not set its password yet."""
    user = _find(identifier)
    try:
        rt = runtime()
        address = account_actions.invite(user, now=rt.now(), by="cli", deliveries=rt.deliveries)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    except account_actions.NotDelivered as exc:
        raise click.ClickException(f"invitation not delivered ({exc})") from None
    db.session.commit()
    click.echo(f"invitation queued for {address}")


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
    added = accounts.grant(user, client_id, now=rt.now(), by="cli")
    db.session.commit()
    click.echo(f"{user.identifier} {'granted' if added else 'was already granted'} {client_id}")


@users.command()
@click.argument("identifier")
@click.argument("client_id")
@pass_app
def revoke(app: Flask, identifier: str, client_id: str) -> None:
    """Take a habilitation away: the account's tokens for the client are revoked and the
    sessions that obtained them end at once."""
    rt = runtime()
    user = _find(identifier)
    if rt.clients.lookup(client_id) is None:
        raise click.ClickException(f"no client {client_id!r}")
    removed = subscriptions.revoke_habilitation(user.id, client_id, now=rt.now(), by="cli")
    db.session.commit()
    click.echo(f"{user.identifier} {'no longer' if removed else 'was not'} granted {client_id}")
    if client_id in subscriptions.usable_clients(user.id):
        click.echo(f"{user.identifier} may still use {client_id} through a service it holds")


@users.command("list")
@click.option(
    "--state",
    type=click.Choice(account_search.STATES),
    help="Only the accounts in this state.",
)
@click.option("--org", "org", metavar="ORG", help="Only this organisation's (dossier or primary).")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def list_users(app: Flask, state: str | None, org: str | None, as_json: bool) -> None:
    """The accounts, with their state and organisation."""
    wanted = account_search.Query(state=state or "", organisation=org or "")
    try:
        found = account_search.search(wanted, _state_rules(), page_size=None)
    except account_search.SearchError as exc:
        raise click.ClickException(f"no organisation {org!r}") from exc
    rows = [
        {
            "identifier": row.user.identifier,
            "state": row.state,
            "email": row.user.email,
            "name": row.user.name,
            "organisation": row.organisation,
            "role": row.role,
        }
        for row in found.rows
    ]
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        click.echo("\t".join(str(row[key] or "-") for key in row))
    if not rows:
        click.echo("no accounts")


@users.command("reset-password")
@click.argument("identifier")
@click.option(
    "--send",
    type=click.Choice(["email", "sms", "post"]),
    help="Deliver the temporary password instead of printing it.",
)
@click.option("--json", "as_json", is_flag=True)
@pass_app
def reset_password(app: Flask, identifier: str, send: str | None, as_json: bool) -> None:
    """Give the account a new temporary password (its sessions and tokens end)."""
    rt = runtime()
    user = _find(identifier)
    result = {"identifier": user.identifier}
    if send:
        try:
            account_actions.send_temporary_password(
                user,
                channel=send,
                now=rt.now(),
                hashing=rt.passwords,
                deliveries=rt.deliveries,
                by="cli",
            )
        except account_actions.NotDelivered as exc:
            raise click.ClickException(f"not delivered ({exc}): nothing was changed") from None
    else:
        temporary = credentials.reset_to_temporary(
            user, now=rt.now(), hashing=rt.passwords, reason="agent", deliveries=rt.deliveries
        )
        result["temporary_password"] = temporary
    db.session.commit()
    if as_json:
        echo_json(result)
    elif send:
        click.echo(f"temporary password for {user.identifier} queued for {send}")
    else:
        click.echo(f"temporary password for {user.identifier}: {temporary}  (shown once)")


@users.command()
@click.argument("identifier")
@pass_app
def unlock(app: Flask, identifier: str) -> None:
    """End a lock caused by failed sign-ins and forget the failures."""
    rt = runtime()
    was_locked = account_actions.unlock(identifier, lockout=rt.lockout, now=rt.now(), by="cli")
    db.session.commit()
    click.echo(f"{identifier}: {'unlocked' if was_locked else 'was not locked'}")


@users.command()
@click.argument("identifier")
@pass_app
def disable(app: Flask, identifier: str) -> None:
    """Disable an account (its sessions and tokens end at once)."""
    user = _find(identifier)
    accounts.disable(user, now=runtime().now(), by="cli")
    db.session.commit()
    click.echo(f"{user.identifier} disabled")


@users.command()
@click.argument("identifier")
@pass_app
def enable(app: Flask, identifier: str) -> None:
    """Re-enable a disabled account."""
    user = _find(identifier)
    accounts.enable(user, now=runtime().now(), by="cli")
    db.session.commit()
    click.echo(f"{user.identifier} enabled")


@users.command()
@click.argument("identifier")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def show(app: Flask, identifier: str, as_json: bool) -> None:
    """Show an account and its state (active, locked, disabled, never connected, password
    expired)."""
    user = _find(identifier)
    state, locked_until = account_search.state_of(user, _state_rules())
    info = {
        "identifier": user.identifier,
        "subject": user.subject,
        "state": state,
        "locked_until": locked_until,
        "email": user.email,
        "email_verified": user.email_verified,
        "phone": user.phone,
        "name": user.name,
        "password_temporary": user.password_temporary,
        "password_changed_at": user.password_changed_at,
        "last_login_at": user.last_login_at,
    }
    if as_json:
        echo_json(info)
        return
    for key, value in info.items():
        click.echo(f"{key}: {value if value is not None else '-'}")


@users.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--update", is_flag=True, help="Update accounts that already exist.")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def import_users(app: Flask, file: str, update: bool, as_json: bool) -> None:
    """Load accounts from a CSV file, line by line (see the README for the columns)."""
    rt = runtime()
    with open(file, encoding="utf-8-sig") as fh:
        text = fh.read()
    report = importer.import_csv(
        text,
        now=rt.now(),
        hashing=rt.passwords,
        hash_key=rt.hash_key,
        region=rt.settings.contacts.default_region,
        update=update,
    )
    db.session.commit()
    for user_id, previous in report.replaced_addresses:
        user = accounts.get(user_id)
        if user is not None:
            send_change_notice(
                previous, user, "email_changed", now=rt.now(), deliveries=rt.deliveries
            )
    db.session.commit()  # the notices
    echo_import_report(report, as_json=as_json)
