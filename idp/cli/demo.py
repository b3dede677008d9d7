"""`idp demo seed`: the demo clients, accounts and organisation `make run` sets up
(idempotent)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import click
from flask import Flask

from idp.cli.app import pass_app
from idp.extensions import db
from idp.models import User
from idp.models.organisation import OPEN
from idp.runtime import runtime
from idp.services import (
    civil_data,
    organisations,
    recovery,
    second_factor,
    staff,
    subscriptions,
    users,
)
from idp.services.clients import SUPPORTED_SCOPES, ClientSpec
from idp.services.organisations import Identity, NewSecondary
from idp.services.users import NewAccount

DEMO_CLIENT_ID = "demo-rp"
DEMO_IDENTIFIER = "demo"
DEMO_PASSWORD = "Demo-Connexion-2026"  # published in the README on purpose
DEMO_NIR = "2 55 08 14 168 025 38"
DEMO_IBAN = "FR76 3000 6000 0112 3456 7890 189"
DEMO_BIRTH_DATE = "1955-08-21"
DEMO_POSTAL_CODE = "92100"
DEMO_PRESTATION = "152,40"  # the never-connected recovery question's answer, in euros
# An account at its first connection: temporary password, contacts not yet confirmed.
FIRST_CONNECTION_IDENTIFIER = "premiere"
FIRST_CONNECTION_PASSWORD = "Provisoire-2026"
# The operators' console: an administrator whose authenticator key is published too.
STAFF_IDENTIFIER = "operateur"
STAFF_PASSWORD = "Operateur-Demo-2026"
STAFF_TOTP_KEY = "IDPDEMOCONSOLEOPERATEURSTAFFKEYS"
# The organisation (ASPOne's "Gestion des comptes") and the application behind its service.
DECLARATIONS_CLIENT_ID = "demo-rp-declarations"
DECLARATIONS_TITLE = "Déclarations sociales en ligne"
DPAE = "DPAE"
ORG_PRIMARY = "asp1ent"
ORG_PASSWORD = "Asp1ent-Demo-2026"  # published in the README, as the demo account's
SECONDARY_PASSWORD = "Secondaire-Demo-2026"
ORG_IDENTITY = Identity(
    kind="Entreprise",
    company_name="COMPTE ASP1ENT DEV",
    siren="079555421",
    nic="00019",
    civility="M.",
    last_name="DUPONT",
    first_name="Pierre",
    street_number="56",
    street_name="rue de Billancourt",
    postal_code="92100",
    city="BOULOGNE BILLANCOURT",
    country="France",
    email="pierre.dupont@example.org",
)


@dataclass(frozen=True)
class DemoSecondary:
    name: str
    mailbox: str | None
    autonomous: bool
    services: tuple[str, ...]
    active: bool = True


# cs1: autonome, its own mailbox; cs2: no mailbox (its messages go to Pierre DUPONT);
# cs3: deactivated.
SECONDARIES = (
    DemoSecondary("cs1", "cs1.asp1ent@example.org", autonomous=True, services=(DPAE,)),
    DemoSecondary("cs2", None, autonomous=False, services=(DPAE,)),
    DemoSecondary("cs3", None, autonomous=False, services=(), active=False),
)


@click.group()
def demo() -> None:
    """Demonstration data (never on a production instance)."""


def _register_client(
    client_id: str, spec: ClientSpec, target: Path, rp_url: str, **extra: str
) -> None:
    """Register the client unless it exists with its credentials file; (re)write the file
    the demo application reads (issuer, secret, URIs and `extra`: title, scope, cookie).

    A client whose file was lost gets a new secret, and keeps its id and what names it (the
    service that opens it); one registered for other URLs is registered again.
    """
    rt = runtime()
    existing = rt.clients.find(client_id)
    if existing is not None and target.exists():
        return
    secret: str | None
    if existing is not None and existing.redirect_uris == spec.redirect_uris:
        secret = rt.clients.rotate_secret(client_id, now=rt.now(), by="cli")
    else:
        if existing is not None:
            rt.clients.remove(client_id, now=rt.now(), by="cli")
        _, secret = rt.clients.register(spec, now=rt.now(), by="cli", client_id=client_id)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(
            {
                "issuer": rt.settings.issuer,
                "client_id": client_id,
                "client_secret": secret,
                "redirect_uri": f"{rp_url}/callback",
                "post_logout_redirect_uri": f"{rp_url}/",
                **extra,
            },
            fh,
            indent=2,
            ensure_ascii=False,
        )
    click.echo(f"demo client {client_id} registered; credentials in {target}")


@demo.command()
@click.option("--rp-url", default="http://127.0.0.1:5001", show_default=True)
@click.option(
    "--output",
    type=click.Path(dir_okay=False),
    required=True,
    help="Where to write the demo client's credentials for the demo application.",
)
@click.option(
    "--declarations-url",
    default="http://127.0.0.1:5002",
    show_default=True,
    help="The second demo application (behind the DPAE service).",
)
@click.option(
    "--declarations-output",
    type=click.Path(dir_okay=False),
    help="Its credentials (default: demo-declarations.json beside --output).",
)
@pass_app
def seed(
    app: Flask,
    rp_url: str,
    output: str,
    declarations_url: str,
    declarations_output: str | None,
) -> None:
    """Create the demo relying applications, the demo accounts and the demo organisation,
    if absent."""
    rt = runtime()
    if rt.settings.is_https:
        raise click.ClickException("refusing to seed demo data on an https issuer")
    rp_url = rp_url.rstrip("/")
    spec = ClientSpec(
        name="Application de démonstration",
        redirect_uris=(f"{rp_url}/callback",),
        post_logout_redirect_uris=(f"{rp_url}/",),
    )
    _register_client(DEMO_CLIENT_ID, spec, Path(output), rp_url)
    if users.find_by_identifier(DEMO_IDENTIFIER) is None:
        account = NewAccount(
            identifier=DEMO_IDENTIFIER,
            email="marie.dupont@example.org",
            phone="+33612345678",
            given_name="Marie",
            family_name="Dupont",
        )
        user = users.create(account, now=rt.now(), hashing=rt.passwords, password=DEMO_PASSWORD)
        user.email_verified = True
        user.contacts_confirmed_at = rt.now()
        user.street_address = "56 rue de Billancourt"
        user.postal_code = DEMO_POSTAL_CODE
        user.locality = "Boulogne-Billancourt"
        user.country = "France"
        # For "Obtenir son identifiant" and for the never-connected recovery question.
        user.birth_date = DEMO_BIRTH_DATE
        user.category = "particulier"
        civil_data.set_nir(user, DEMO_NIR, hash_key=rt.hash_key)
        civil_data.set_iban(user, DEMO_IBAN, hash_key=rt.hash_key)
        recovery.set_fact(user, "prestation", DEMO_PRESTATION, hash_key=rt.hash_key)
        click.echo(f"demo account {DEMO_IDENTIFIER} / {DEMO_PASSWORD}")
    if users.find_by_identifier(FIRST_CONNECTION_IDENTIFIER) is None:
        account = NewAccount(
            identifier=FIRST_CONNECTION_IDENTIFIER,
            email="jean.martin@example.org",
            given_name="Jean",
            family_name="Martin",
        )
        users.create(
            account,
            now=rt.now(),
            hashing=rt.passwords,
            password=FIRST_CONNECTION_PASSWORD,
            temporary=True,
        )
        click.echo(
            f"first-connection account {FIRST_CONNECTION_IDENTIFIER} / "
            f"{FIRST_CONNECTION_PASSWORD} (temporary: to personalise)"
        )
    target = Path(declarations_output or Path(output).with_name("demo-declarations.json"))
    _seed_organisation(declarations_url.rstrip("/"), target)
    _seed_staff()
    db.session.commit()


def _seed_staff() -> None:
    """An administrator of the console, its second factor enrolled with a published key."""
    rt = runtime()
    if users.find_by_identifier(STAFF_IDENTIFIER) is not None:
        return
    account = NewAccount(
        identifier=STAFF_IDENTIFIER,
        email="operateur@example.org",
        given_name="Odile",
        family_name="Opératrice",
    )
    user = _confirmed(
        users.create(account, now=rt.now(), hashing=rt.passwords, password=STAFF_PASSWORD)
    )
    member = staff.add(user, ["admin"], now=rt.now(), by="demo")
    second_factor.enrol_known_secret(member, STAFF_TOTP_KEY, now=rt.now(), hash_key=rt.hash_key)
    click.echo(f"console (/admin) administrator {STAFF_IDENTIFIER} / {STAFF_PASSWORD}")
    click.echo(f"  authenticator key {STAFF_TOTP_KEY}: add it to a TOTP app, or print a code with")
    click.echo(
        f"  .venv/bin/python -c \"import pyotp; print(pyotp.TOTP('{STAFF_TOTP_KEY}').now())\""
    )


def _declarations_scope() -> str:
    """What the second application asks: the organisation's claims where the provider offers
    the `organisation` scope."""
    wanted = ("openid", "profile", "email", "organisation")
    return " ".join(s for s in wanted if s in SUPPORTED_SCOPES)


def _confirmed(user: User) -> User:
    """An account past its first connection: the demo goes straight to what it shows."""
    user.email_verified = user.email is not None
    user.contacts_confirmed_at = runtime().now()
    return user


def _seed_organisation(url: str, target: Path) -> None:
    """The second application behind the DPAE service, and the organisation COMPTE ASP1ENT
    DEV subscribed to it: its primary asp1ent and three secondaries."""
    rt = runtime()
    now, kinds = rt.now(), rt.settings.organisations.type_list
    scope = _declarations_scope()
    spec = ClientSpec(
        name=DECLARATIONS_TITLE,
        redirect_uris=(f"{url}/callback",),
        post_logout_redirect_uris=(f"{url}/",),
        requires_habilitation=True,
        scope=f"{scope} offline_access",
    )
    _register_client(
        DECLARATIONS_CLIENT_ID,
        spec,
        target,
        url,
        title=DECLARATIONS_TITLE,
        scope=scope,
        session_cookie="demo_rp_declarations_session",
    )
    if subscriptions.find_service(DPAE) is None:
        subscriptions.add_service(
            DPAE,
            "Déclaration Préalable à l'Embauche",
            client_ids=(DECLARATIONS_CLIENT_ID,),
            recipients="URSSAF",
            document_types=("DPAE", "Accusé de réception"),
            clients=runtime().clients,
            now=now,
            by="demo",
        )
    if users.find_by_identifier(ORG_PRIMARY) is not None:
        return
    primary_user = _confirmed(
        users.create(
            NewAccount(identifier=ORG_PRIMARY, email=ORG_IDENTITY.email),
            now=now,
            hashing=rt.passwords,
            password=ORG_PASSWORD,
        )
    )
    organisation = organisations.create_organisation(
        primary_user, ORG_IDENTITY, kinds=kinds, now=now, by="demo", status=OPEN, quota=2
    )
    primary = organisations.primary_account(organisation)
    dpae = subscriptions.find_service(DPAE)
    assert dpae is not None
    subscriptions.set_services(
        primary, subscriptions.Choice(frozenset({dpae.id}), {}), acting=primary, now=now
    )
    click.echo(f"organisation {organisation.dossier} COMPTE ASP1ENT DEV")
    click.echo(f"  primary account {ORG_PRIMARY} / {ORG_PASSWORD}")
    for wanted in SECONDARIES:
        user = _confirmed(
            organisations.add_secondary(
                primary,
                NewSecondary(wanted.name, email=wanted.mailbox, autonomous=wanted.autonomous),
                kinds=kinds,
                now=now,
                by="demo",
                hashing=rt.passwords,
                password=SECONDARY_PASSWORD,
            )
        )
        member = organisations.membership(user.id)
        assert member is not None
        held = frozenset({dpae.id}) if DPAE in wanted.services else frozenset()
        subscriptions.set_services(member, subscriptions.Choice(held, {}), acting=primary, now=now)
        if not wanted.active:
            organisations.deactivate(member, now=now, by="demo")
        click.echo(
            f"  secondary account {user.identifier} / {SECONDARY_PASSWORD}"
            f"{'  (autonome)' if wanted.autonomous else ''}"
            f"{'' if wanted.mailbox else '  (no mailbox: its messages go to the primary)'}"
            f"{'' if wanted.active else '  (deactivated)'}"
        )
