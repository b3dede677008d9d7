"""`idp users import FILE.csv`: accounts in bulk, checked line by line.

A line with any problem is reported with its number and nothing of it is written; every
good line is written. Columns are named in the header; an empty cell means unknown.
Secrets are stored as the accounts' own are: NIR and IBAN as keyed hashes only.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.exc import IntegrityError

from idp.extensions import db
from idp.models import User
from idp.services import civil_data, contacts, recovery, users
from idp.services.passwords import PasswordHashing

COLUMNS = (
    "identifier",
    "email",
    "phone",
    "given_name",
    "family_name",
    "birth_date",
    "nir",
    "iban",
    "address",
    "postal_code",
    "city",
    "category",
    "verification_kind",
    "verification_value",
)
CATEGORIES = tuple(recovery.VERIFICATION_KINDS)


@dataclass
class LineReport:
    line: int
    identifier: str
    problems: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """ "line 3 (jdupont): reason; reason", as the import commands print it."""
        who = f" ({self.identifier})" if self.identifier else ""
        return f"line {self.line}{who}: {'; '.join(self.problems)}"


@dataclass
class ImportReport:
    """What an import did; shared by every CSV import (accounts, organisations)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    refused: list[LineReport] = field(default_factory=list)
    # (account id, the verified address an update replaced): told once the import is
    # committed, as a change on the account page is.
    replaced_addresses: list[tuple[int, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "created": self.created,
            "updated": self.updated,
            "refused": [vars(line) for line in self.refused],
        }

    def summary(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, {len(self.refused)} refused"
        )


def read_rows(text: str) -> tuple[list[str], Iterable[tuple[int, dict[str, str]]]]:
    """The header and the rows with their line numbers (comma or semicolon separated)."""
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [name.strip() for name in reader.fieldnames or []]
    reader.fieldnames = header

    def rows() -> Iterable[tuple[int, dict[str, str]]]:
        for row in reader:
            values = {k: (v or "").strip() for k, v in row.items() if k is not None}
            if any(values.values()):
                yield reader.line_num, values

    return header, rows()


def header_problems(
    header: list[str], *, required: Iterable[str], known: Iterable[str]
) -> LineReport | None:
    """The header's problems as line 1's report (a file with one is refused whole)."""
    allowed = set(known)
    problems = [f"missing column {c!r}" for c in required if c not in header]
    problems += [f"unknown column {c!r}" for c in header if c not in allowed]
    return LineReport(1, "", problems) if problems else None


def _check_birth_date(value: str, problems: list[str]) -> None:
    try:
        born = date.fromisoformat(value)
    except ValueError:
        problems.append(f"birth_date {value!r} is not a YYYY-MM-DD date")
        return
    if born > date.today() or born.year < 1900:
        problems.append(f"birth_date {value} is out of range")


def _check_nir(row: dict[str, str], problems: list[str]) -> None:
    try:
        nir = civil_data.normalise_nir(row["nir"])
    except civil_data.InvalidNumber:
        problems.append("nir is not a valid social security number (key included)")
        return
    born = row.get("birth_date", "")
    if len(born) == 10 and born[2:4] != nir[1:3]:
        problems.append("nir does not match the birth year")


def check_row(row: dict[str, str], *, region: str) -> list[str]:
    """Every problem of one line (empty: it can be written)."""
    problems = []
    if not row.get("identifier"):
        problems.append("identifier is required")
    if row.get("email"):
        try:
            users.normalise_email(row["email"])
        except users.AccountError:
            problems.append(f"email {row['email']!r} is not valid")
    if row.get("phone"):
        try:
            contacts.normalise_phone(row["phone"], region=region)
        except ValueError:
            problems.append(f"phone {row['phone']!r} is not a valid number")
    if row.get("birth_date"):
        _check_birth_date(row["birth_date"], problems)
    if row.get("nir"):
        _check_nir(row, problems)
    if row.get("iban"):
        try:
            civil_data.normalise_iban(row["iban"])
        except civil_data.InvalidNumber:
            problems.append("iban is not valid")
    if row.get("postal_code") and not (
        row["postal_code"].isalnum() and len(row["postal_code"]) <= 10
    ):
        problems.append(f"postal_code {row['postal_code']!r} is not valid")
    category = row.get("category", "")
    if category and category not in CATEGORIES:
        problems.append(f"category must be one of {', '.join(CATEGORIES)}")
    kind, value = row.get("verification_kind", ""), row.get("verification_value", "")
    if bool(kind) != bool(value):
        problems.append("verification_kind and verification_value go together")
    elif kind:
        allowed = recovery.VERIFICATION_KINDS.get(category, ())
        if kind not in allowed:
            problems.append(f"verification_kind {kind!r} does not fit category {category!r}")
        elif not recovery.normalise_fact(kind, value):
            problems.append(f"verification_value {value!r} is not a valid {kind}")
    return problems


def _apply(user: User, row: dict[str, str], *, region: str, hash_key: str, now: int) -> str | None:
    """Write the row; returns the verified address a new one replaced, if any (the new one is
    not verified: the organisation's file is no proof that its holder reads it)."""
    replaced = None
    if row.get("email"):
        address = users.normalise_email(row["email"])
        if address != user.email:
            replaced = user.email if user.email_verified else None
            user.email, user.email_verified = address, False
    if row.get("phone"):
        user.phone = contacts.normalise_phone(row["phone"], region=region)
    for column, attribute in (
        ("given_name", "given_name"),
        ("family_name", "family_name"),
        ("birth_date", "birth_date"),
        ("address", "street_address"),
        ("postal_code", "postal_code"),
        ("city", "locality"),
        ("category", "category"),
    ):
        if row.get(column):
            setattr(user, attribute, row[column])
    if row.get("address"):
        user.country = user.country or "France"
    if row.get("nir"):
        civil_data.set_nir(user, row["nir"], hash_key=hash_key)
    if row.get("iban"):
        civil_data.set_iban(user, row["iban"], hash_key=hash_key)
    if row.get("verification_kind"):
        recovery.set_fact(
            user, row["verification_kind"], row["verification_value"], hash_key=hash_key
        )
    user.updated_at = now
    return replaced


def import_csv(
    text: str,
    *,
    now: int,
    hashing: PasswordHashing,
    hash_key: str,
    region: str,
    update: bool = False,
) -> ImportReport:
    """Write every good line (each in its own savepoint); report the others."""
    report = ImportReport()
    header, rows = read_rows(text)
    if refused := header_problems(header, required=("identifier",), known=COLUMNS):
        report.refused.append(refused)
        return report
    for line, row in rows:
        identifier = row.get("identifier", "")
        problems = check_row(row, region=region)
        existing = users.find_by_identifier(identifier) if identifier else None
        if existing is not None and not update:
            problems.append("an account with this identifier already exists (use --update)")
        if problems:
            report.refused.append(LineReport(line, identifier, problems))
            continue
        try:
            with db.session.begin_nested():
                user = existing or users.create(
                    users.NewAccount(identifier=identifier), now=now, hashing=hashing
                )
                replaced = _apply(user, row, region=region, hash_key=hash_key, now=now)
        except (IntegrityError, users.AccountError) as exc:
            report.refused.append(LineReport(line, identifier, [str(exc).splitlines()[0]]))
            continue
        if replaced is not None:
            report.replaced_addresses.append((user.id, replaced))
        (report.updated if existing else report.created).append(user.identifier)
    return report
