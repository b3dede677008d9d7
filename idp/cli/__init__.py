"""The `idp` command: operate an instance from a shell (thin: every rule lives in services)."""

from __future__ import annotations

from idp.cli.app import root
from idp.cli.audit import audit
from idp.cli.clients import clients
from idp.cli.deliveries import deliveries_group
from idp.cli.demo import demo
from idp.cli.keys import keys
from idp.cli.letters import letters
from idp.cli.logout_deliveries import logout_deliveries_group
from idp.cli.orgs import orgs
from idp.cli.server import db, init, serve
from idp.cli.services import services
from idp.cli.staff import staff
from idp.cli.users import users

for command in (
    init,
    serve,
    db,
    clients,
    users,
    keys,
    letters,
    audit,
    demo,
    orgs,
    services,
    logout_deliveries_group,
    deliveries_group,
    staff,
):
    root.add_command(command)


def main() -> None:
    root(prog_name="idp")
