"""`idp letters list|export|mark-sent`: the print room's queue of postal letters."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from flask import Flask

from idp.cli.app import echo_json, pass_app
from idp.extensions import db
from idp.notify.postal import STATUSES, Letter, UnknownLetter
from idp.runtime import runtime
from idp.services import audit


@click.group()
def letters() -> None:
    """Postal letters: print them, then say they were posted."""


def _row(letter: Letter) -> dict[str, Any]:
    return {
        "id": letter.id,
        "status": letter.status,
        "template": letter.template,
        "locale": letter.locale,
        "subject": letter.subject,
        "recipient": letter.recipient.to_json(),
        "created_at": letter.created_at,
        "exported_at": letter.exported_at,
        "sent_at": letter.sent_at,
        "pdf": str(letter.pdf),
    }


def _when(at: int) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M UTC")


@letters.command("list")
@click.option("--status", type=click.Choice(STATUSES), help="Only the letters in this state.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def list_letters(app: Flask, status: str | None, as_json: bool) -> None:
    """Show the letters, oldest first: pending (to print), exported (printing), sent."""
    found = runtime().letters.letters(status)
    if as_json:
        echo_json([_row(letter) for letter in found])
        return
    if not found:
        click.echo("no letters")
        return
    for letter in found:
        to = letter.recipient
        click.echo(
            f"{letter.id}  {letter.status:<8}  {_when(letter.created_at)}  {letter.template}  "
            f"{to.name}, {to.postal_code} {to.city}"
        )


@letters.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--mark", is_flag=True, help="Mark the copied letters exported.")
@pass_app
def export(app: Flask, directory: Path, mark: bool) -> None:
    """Copy the pending letters' PDFs into DIRECTORY for printing (made if need be)."""
    rt = runtime()
    try:
        done = rt.letters.export(directory, mark=mark)
    except OSError as exc:
        raise click.ClickException(f"cannot export to {directory}: {exc.strerror or exc}") from None
    if done:
        ids = [letter.id for letter in done]
        audit.record("letters_export", "success", at=rt.now(), by="cli", marked=mark, letters=ids)
        db.session.commit()
    for letter in done:
        click.echo(f"{letter.id}  {directory / letter.pdf.name}")
    marked = " and marked exported" if mark and done else ""
    click.echo(f"{len(done)} letter(s) exported{marked}")


@letters.command("mark-sent")
@click.argument("ids", nargs=-1, required=True)
@pass_app
def mark_sent(app: Flask, ids: tuple[str, ...]) -> None:
    """Record that the letters with these IDs were posted (all known, or none is marked)."""
    rt = runtime()
    box = rt.letters
    unknown = []
    for letter_id in ids:
        try:
            box.get(letter_id)
        except UnknownLetter:
            unknown.append(letter_id)
    if unknown:
        names = ", ".join(unknown)
        raise click.ClickException(f"no letter with id {names}: nothing was marked")
    for letter_id in dict.fromkeys(ids):
        before = box.get(letter_id).status
        box.mark(letter_id, "sent")
        click.echo(f"{letter_id}  {'already sent' if before == 'sent' else 'sent'}")
    audit.record("letters_sent", "success", at=rt.now(), by="cli", letters=list(dict.fromkeys(ids)))
    db.session.commit()
