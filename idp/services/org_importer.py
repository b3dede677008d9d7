"""`idp orgs import FILE.csv`: organisations in bulk, checked line by line.

As `idp users import`: a line with any problem is reported with its number and nothing of it
is written; every good line is written (each in its own savepoint). A line names an existing
account (`primary`, created with `idp users add` or `idp users import`) that becomes the
primary account of a new organisation, with its identity, quota, status and services.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from idp.extensions import db
from idp.i18n import text
from idp.models import Organisation, Service
from idp.models.organisation import ORGANISATION_STATUSES, PENDING
from idp.services import organisations, subscriptions, users
from idp.services.importer import ImportReport, LineReport, header_problems, read_rows
from idp.services.organisations import IDENTITY_FIELDS, Identity, OrganisationError

# The identity's columns carry its fields' names, except `type` (the field `kind`).
COLUMNS = (
    "primary",
    "dossier",
    "type",
    *(name for name in IDENTITY_FIELDS if name != "kind"),
    "quota",
    "status",
    "billing_date",
    "services",
)
REQUIRED = ("primary", "type", "company_name")
SERVICE_SEPARATOR = "|"


def _identity(row: dict[str, str]) -> Identity:
    values = {name: row.get(name, "") for name in IDENTITY_FIELDS if name != "kind"}
    return Identity(kind=row.get("type", ""), **values)


def _services(row: dict[str, str], problems: list[str]) -> list[Service]:
    found = []
    for code in filter(None, (c.strip() for c in row.get("services", "").split(SERVICE_SEPARATOR))):
        service = subscriptions.find_service(code)
        if service is None:
            problems.append(f"services: no service {code!r}")
        else:
            found.append(service)
    return found


def check_row(row: dict[str, str], *, kinds: tuple[str, ...]) -> list[str]:
    """Every problem of one line that can be seen before writing (empty: try to write it)."""
    problems = [f"{column} is required" for column in REQUIRED if not row.get(column)]
    for name, key in organisations.check_identity(_identity(row), kinds=kinds).items():
        column = "type" if name == "kind" else name
        if row.get(column):  # an empty required column is said once, above
            problems.append(f"{column}: {text(key, 'en')}")
    quota = row.get("quota", "")
    if quota and not (quota.isdigit() and len(quota) <= 6):
        problems.append(f"quota {quota!r} is not a whole number")
    status = row.get("status", "")
    if status and status not in ORGANISATION_STATUSES:
        problems.append(f"status must be one of {', '.join(ORGANISATION_STATUSES)}")
    primary = row.get("primary", "")
    if primary and users.find_by_identifier(primary) is None:
        problems.append(f"no account {primary!r}: create it first (idp users add or import)")
    return problems


def import_csv(content: str, *, kinds: tuple[str, ...], now: int, by: str) -> ImportReport:
    """Write every good line (each in its own savepoint); report the others. `created` lists
    the dossier numbers."""
    report = ImportReport()
    header, rows = read_rows(content)
    if refused := header_problems(header, required=REQUIRED, known=COLUMNS):
        report.refused.append(refused)
        return report
    for line, row in rows:
        primary = row.get("primary", "")
        problems = check_row(row, kinds=kinds)
        services = _services(row, problems)
        if problems:
            report.refused.append(LineReport(line, primary, problems))
            continue
        try:
            with db.session.begin_nested():
                organisation = _write(row, services, kinds=kinds, now=now, by=by)
        except (IntegrityError, OrganisationError) as exc:
            report.refused.append(LineReport(line, primary, [str(exc).splitlines()[0]]))
            continue
        report.created.append(organisation.dossier)
    return report


def _write(
    row: dict[str, str], services: list[Service], *, kinds: tuple[str, ...], now: int, by: str
) -> Organisation:
    user = users.find_by_identifier(row["primary"])
    assert user is not None  # checked
    organisation = organisations.create_organisation(
        user,
        _identity(row),
        kinds=kinds,
        now=now,
        by=by,
        dossier=row.get("dossier") or None,
        status=row.get("status") or PENDING,
        quota=int(row.get("quota") or 0),
    )
    if row.get("billing_date"):
        organisations.set_billing_date(organisation, row["billing_date"], now=now, by=by)
    if services:
        member = organisations.primary_account(organisation)
        subscriptions.set_services(
            member,
            subscriptions.Choice(frozenset(s.id for s in services), {}),
            acting=member,
            now=now,
        )
    return organisation
