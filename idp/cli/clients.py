"""`idp clients add|list|show|remove|rotate-secret|registration-token|registration-tokens`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from flask import Flask

from idp.cli.app import echo_json, pass_app
from idp.extensions import db
from idp.oidc.registration import PATH as REGISTRATION_PATH
from idp.runtime import runtime
from idp.services.client_registration import DynamicRegistration, InitialTokenError, token_state
from idp.services.clients import (
    AUTH_METHODS,
    ID_TOKEN_ALGS,
    SUPPORTED_GRANT_TYPES,
    ClientError,
    ClientSpec,
    RegisteredClient,
)


@click.group()
def clients() -> None:
    """Relying applications."""


@contextmanager
def _refusal_ends_the_command() -> Iterator[None]:
    """A refusal of the registry ends the command with its English text."""
    try:
        yield
    except ClientError as exc:
        raise click.ClickException(str(exc)) from None


def _describe(client: RegisteredClient) -> dict[str, object]:
    return {
        "client_id": client.client_id,
        "name": client.name,
        "token_endpoint_auth_method": client.token_endpoint_auth_method,
        "redirect_uris": list(client.redirect_uris),
        "post_logout_redirect_uris": list(client.post_logout_redirect_uris),
        "grant_types": sorted(client.grant_types),
        "scope": " ".join(sorted(client.scopes)),
        "first_party": client.first_party,
        "requires_habilitation": client.requires_habilitation,
        "refresh_without_offline_access": client.refresh_without_offline_access,
        "subject_type": client.subject_type,
        "sector_identifier": client.sector_identifier,
        "id_token_signed_response_alg": client.id_token_signed_response_alg,
        "backchannel_logout_uri": client.backchannel_logout_uri,
        "backchannel_logout_session_required": client.backchannel_logout_session_required,
        "disabled": client.disabled,
    }


@clients.command()
@click.option("--name", required=True)
@click.option("--redirect-uri", "redirect_uris", multiple=True, help="Repeat for several.")
@click.option("--post-logout-redirect-uri", "post_logout_uris", multiple=True)
@click.option("--public", is_flag=True, help="No secret (native or browser app): PKCE required.")
@click.option("--auth-method", type=click.Choice(AUTH_METHODS), help="Token endpoint auth.")
@click.option("--first-party", is_flag=True, help="Skip the consent page.")
@click.option("--requires-habilitation", is_flag=True, help="Only granted users may sign in.")
@click.option(
    "--scope", default="openid profile email phone address offline_access", show_default=True
)
@click.option(
    "--grant-type",
    "grant_types",
    multiple=True,
    type=click.Choice(SUPPORTED_GRANT_TYPES),
    help="Default: authorization_code and refresh_token.",
)
@click.option(
    "--subject-type", type=click.Choice(["public", "pairwise"]), default="public", show_default=True
)
@click.option("--sector-identifier", help="Host pairwise subjects are computed for.")
@click.option(
    "--id-token-alg", type=click.Choice(ID_TOKEN_ALGS), help="Default: [keys] default_alg."
)
@click.option(
    "--jwks",
    "jwks_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Public JWKS file for private_key_jwt.",
)
@click.option("--refresh-without-offline-access", is_flag=True)
@click.option(
    "--backchannel-logout-uri", help="Where logout tokens are POSTed when a session ends."
)
@click.option(
    "--no-backchannel-session",
    is_flag=True,
    help="The client does not need `sid` in logout tokens (they carry it anyway).",
)
@click.option("--client-id", help="Choose the client_id (default: random).")
@click.option("--json", "as_json", is_flag=True, help="Print {client_id, client_secret} as JSON.")
@pass_app
def add(
    app: Flask,
    name: str,
    redirect_uris: tuple[str, ...],
    post_logout_uris: tuple[str, ...],
    public: bool,
    auth_method: str | None,
    first_party: bool,
    requires_habilitation: bool,
    scope: str,
    grant_types: tuple[str, ...],
    subject_type: str,
    sector_identifier: str | None,
    id_token_alg: str | None,
    jwks_file: str | None,
    refresh_without_offline_access: bool,
    backchannel_logout_uri: str | None,
    no_backchannel_session: bool,
    client_id: str | None,
    as_json: bool,
) -> None:
    """Register a client; its secret is shown once, here, and never stored in clear."""
    rt = runtime()
    spec = ClientSpec(
        name=name,
        redirect_uris=redirect_uris,
        post_logout_redirect_uris=post_logout_uris,
        public=public or auth_method == "none",
        auth_method=auth_method,
        first_party=first_party,
        requires_habilitation=requires_habilitation,
        scope=scope,
        grant_types=grant_types or ("authorization_code", "refresh_token"),
        subject_type=subject_type,
        sector_identifier=sector_identifier,
        id_token_alg=id_token_alg or rt.settings.keys.default_alg,
        jwks=json.loads(Path(jwks_file).read_text()) if jwks_file else None,
        refresh_without_offline_access=refresh_without_offline_access,
        backchannel_logout_uri=backchannel_logout_uri,
        backchannel_logout_session_required=not no_backchannel_session,
    )
    with _refusal_ends_the_command():
        client, secret = rt.clients.register(spec, now=rt.now(), by="cli", client_id=client_id)
    db.session.commit()
    if as_json:
        # Enough to configure the relying application from this output alone.
        echo_json(
            {
                "issuer": rt.settings.issuer,
                "client_id": client.client_id,
                "client_secret": secret,
                "redirect_uris": list(client.redirect_uris),
                "post_logout_redirect_uris": list(client.post_logout_redirect_uris),
            }
        )
        return
    click.echo(f"client_id:     {client.client_id}")
    if secret:
        click.echo(f"client_secret: {secret}")
        click.echo("Keep the secret now: it is not stored and cannot be shown again.")


@clients.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def list_clients(app: Flask, as_json: bool) -> None:
    """List registered clients."""
    found = list(runtime().clients.all())
    if as_json:
        echo_json([_describe(c) for c in found])
        return
    for client in found:
        click.echo(f"{client.client_id}  {client.name}  ({client.token_endpoint_auth_method})")


@clients.command()
@click.argument("client_id")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def show(app: Flask, client_id: str, as_json: bool) -> None:
    """Show one client's registration."""
    client = runtime().clients.find(client_id)
    if client is None:
        raise click.ClickException(f"no client {client_id!r}")
    description = _describe(client)
    if as_json:
        echo_json(description)
        return
    for key, value in description.items():
        click.echo(f"{key}: {value}")


@clients.command()
@click.argument("client_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_app
def remove(app: Flask, client_id: str, yes: bool) -> None:
    """Remove a client and revoke everything issued to it."""
    if not yes:
        click.confirm(f"Remove client {client_id} and revoke its tokens?", abort=True)
    rt = runtime()
    with _refusal_ends_the_command():
        rt.clients.remove(client_id, now=rt.now(), by="cli")
    db.session.commit()
    click.echo(f"removed {client_id}")


@clients.command("rotate-secret")
@click.argument("client_id")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def rotate_secret(app: Flask, client_id: str, as_json: bool) -> None:
    """Replace the secret; the old one stops working at once."""
    rt = runtime()
    with _refusal_ends_the_command():
        secret = rt.clients.rotate_secret(client_id, now=rt.now(), by="cli")
    db.session.commit()
    if as_json:
        echo_json({"client_id": client_id, "client_secret": secret})
    else:
        click.echo(f"client_secret: {secret}")


def _set_disabled(client_id: str, disabled: bool) -> None:
    rt = runtime()
    with _refusal_ends_the_command():
        rt.clients.set_disabled(client_id, disabled, now=rt.now(), by="cli")
    db.session.commit()
    click.echo(f"{'disabled' if disabled else 'enabled'} {client_id}")


@clients.command()
@click.argument("client_id")
@pass_app
def disable(app: Flask, client_id: str) -> None:
    """Refuse the client everywhere; its tokens are revoked and its pending codes deleted."""
    _set_disabled(client_id, True)


@clients.command()
@click.argument("client_id")
@pass_app
def enable(app: Flask, client_id: str) -> None:
    """Serve a disabled client again (what was issued before it was disabled stays ended)."""
    _set_disabled(client_id, False)


def _registrations() -> DynamicRegistration:
    rt = runtime()
    return DynamicRegistration.from_settings(rt.settings, rt.clients, rt.hash_key)


def _utc(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat()


@clients.command("registration-token")
@click.option(
    "--uses", type=click.IntRange(min=1), default=1, show_default=True, help="Clients it registers."
)
@click.option(
    "--expires-in",
    "hours",
    type=click.IntRange(min=1),
    help="Hours it lasts (default: [client_registration] token_ttl_hours).",
)
@click.option("--json", "as_json", is_flag=True)
@pass_app
def registration_token(app: Flask, uses: int, hours: int | None, as_json: bool) -> None:
    """Issue an initial access token for Dynamic Client Registration (RFC 7591).

    The token is printed once, here, and never stored in clear.
    """
    rt = runtime()
    settings = rt.settings.client_registration
    now = rt.now()
    expires_at = now + 3600 * (hours or settings.token_ttl_hours)
    row, token = _registrations().issue_token(uses=uses, expires_at=expires_at, now=now, by="cli")
    db.session.commit()
    endpoint = f"{rt.settings.issuer}{REGISTRATION_PATH}"
    if as_json:
        echo_json(
            {
                "id": row.id,
                "token": token,
                "uses": uses,
                "expires_at": expires_at,
                "registration_endpoint": endpoint,
            }
        )
    else:
        click.echo(f"token:      {token}")
        click.echo(f"id:         {row.id} ({uses} use(s), until {_utc(expires_at)})")
        click.echo(f"endpoint:   {endpoint}")
        click.echo("Keep the token now: it is not stored and cannot be shown again.")
    if not settings.enabled:
        click.echo("Note: [client_registration] enabled is false: the endpoint is off.", err=True)


@clients.command("registration-tokens")
@click.option("--revoke", "revoke_id", type=int, help="Revoke the token with this id.")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def registration_tokens(app: Flask, revoke_id: int | None, as_json: bool) -> None:
    """List the initial access tokens (never the tokens themselves), or revoke one."""
    rt = runtime()
    now = rt.now()
    registrations = _registrations()
    if revoke_id is not None:
        try:
            registrations.revoke_token(revoke_id, now=now, by="cli")
        except InitialTokenError as exc:
            raise click.ClickException(str(exc)) from None
        db.session.commit()
        click.echo(f"revoked {revoke_id}")
        return
    rows: list[dict[str, Any]] = [
        {
            "id": row.id,
            "uses_left": row.uses_left,
            "expires_at": row.expires_at,
            "state": token_state(row, now),
            "created_by": row.created_by,
        }
        for row in registrations.tokens()
    ]
    if as_json:
        echo_json(rows)
        return
    for item in rows:
        click.echo(
            f"{item['id']}  {item['state']}  {item['uses_left']} use(s) left  "
            f"until {_utc(item['expires_at'])}"
        )
