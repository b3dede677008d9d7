"""`idp demo seed`: the demo client and account that `make run` sets up (idempotent)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click
from flask import Flask

from idp.cli.app import pass_app
from idp.extensions import db
from idp.runtime import runtime
from idp.services import civil_data, recovery, users
from idp.services.clients import ClientSpec
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


@click.group()
def demo() -> None:
    """Demonstration data (never on a production instance)."""


@demo.command()
@click.option("--rp-url", default="http://127.0.0.1:5001", show_default=True)
@click.option(
    "--output",
    type=click.Path(dir_okay=False),
    required=True,
    help="Where to write the demo client's credentials for the demo application.",
)
@pass_app
def seed(app: Flask, rp_url: str, output: str) -> None:
    """Create the demo relying application and the demo account, if absent."""
    rt = runtime()
    if rt.settings.is_https:
        raise click.ClickException("refusing to seed demo data on an https issuer")
    rp_url = rp_url.rstrip("/")
    target = Path(output)
    if rt.clients.lookup(DEMO_CLIENT_ID) is None or not target.exists():
        if rt.clients.lookup(DEMO_CLIENT_ID) is not None:
            rt.clients.remove(DEMO_CLIENT_ID)
        spec = ClientSpec(
            name="Application de démonstration",
            redirect_uris=(f"{rp_url}/callback",),
            post_logout_redirect_uris=(f"{rp_url}/",),
        )
        client, secret = rt.clients.register(spec, now=rt.now(), client_id=DEMO_CLIENT_ID)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(
                {
                    "issuer": rt.settings.issuer,
                    "client_id": client.client_id,
                    "client_secret": secret,
                    "redirect_uri": f"{rp_url}/callback",
                    "post_logout_redirect_uri": f"{rp_url}/",
                },
                fh,
                indent=2,
            )
        click.echo(f"demo client {client.client_id} registered; credentials in {target}")
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
    db.session.commit()
