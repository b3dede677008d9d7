"""The journal: the audit trail searched by one filter, exported, and counted by day.

The console's Journal page, its CSV export and `idp audit tail` all read the trail through
`parse` and the queries below, so a filter means the same thing everywhere.
"""

from __future__ import annotations

import csv
import io
import ipaddress
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select

from idp.extensions import db
from idp.models import AuditEvent, User
from idp.services import audit

# The console shows and cuts days as the operators live them.
TIMEZONE = ZoneInfo("Europe/Paris")
PAGE_SIZE = 50
EXPORT_BATCH = 500
CHART_DAYS = 30
# The longest range the daily chart draws (one bar group per day).
CHART_MAX_DAYS = 92
MAX_TEXT = 128
EXPORT_EVENT = "journal_exported"

# What the chart counts: (series, event, outcome).
SERIES = (
    ("sign_ins", "sign_in", "success"),
    ("failures", "sign_in", "invalid_credentials"),
    ("failures", "staff_second_factor", "invalid_code"),
    ("locks", "account_locked", "locked"),
)
SERIES_NAMES = ("sign_ins", "failures", "locks")
# Cells a spreadsheet would read as a formula (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# What a date field sends (2026-12-05), or what a person types (05/12/2026).
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_FRENCH_DAY = re.compile(r"(\d{2})/(\d{2})/(\d{4})", re.ASCII)


class BadFilter(ValueError):
    """Filters that cannot be applied: message keys by field name."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(", ".join(f"{name}: {key}" for name, key in problems.items()))
        self.problems = problems


@dataclass(frozen=True)
class Filter:
    """What the journal shows; empty fields do not filter. Dates are days in `TIMEZONE`,
    both included."""

    since: date | None = None
    until: date | None = None
    event: str = ""
    outcome: str = ""
    account: str = ""
    client_id: str = ""
    ip: str = ""
    staff: str = ""

    def as_query(self) -> dict[str, str]:
        """The filter as query-string arguments (what `parse` reads back), empty ones left out."""
        values = {
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
            **{name: getattr(self, name) for name in TEXT_FIELDS},
        }
        return {name: value for name, value in values.items() if value}


FIELDS = tuple(f.name for f in fields(Filter))
TEXT_FIELDS = FIELDS[2:]


@dataclass(frozen=True)
class Row:
    """One audit record as the journal shows it."""

    id: int
    at: datetime
    event: str
    outcome: str
    account: str | None
    # The account's id when the record names a known account (its page in the console).
    user_id: int | None
    known_account: bool
    client_id: str | None
    ip: str | None
    by: str | None
    detail: dict[str, Any]
    # The request that wrote it (X-Request-Id), to find its log lines.
    request_id: str | None = None

    @property
    def detail_json(self) -> str:
        return json.dumps(self.detail, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class Day:
    day: date
    sign_ins: int = 0
    failures: int = 0
    locks: int = 0


def _day(value: str) -> date:
    """A day in the years a journal can hold; ValueError for anything else."""
    if iso := _ISO_DAY.fullmatch(value):
        year, month, day_of_month = iso.groups()
    elif french := _FRENCH_DAY.fullmatch(value):
        day_of_month, month, year = french.groups()
    else:
        raise ValueError(value)
    day = date(int(year), int(month), int(day_of_month))
    if not 1970 <= day.year <= 9000:
        raise ValueError(value)
    return day


def parse(values: Mapping[str, str]) -> Filter:
    """A filter from what was typed (a query string, CLI options); `BadFilter` says what is
    wrong beside each field. The account must exist: a typo would otherwise show nothing."""
    typed = {name: (values.get(name) or "").strip() for name in FIELDS}
    problems: dict[str, str] = {}
    days: dict[str, date | None] = {"since": None, "until": None}
    for name in days:
        if typed[name]:
            try:
                days[name] = _day(typed[name])
            except ValueError:
                problems[name] = "journal.date_invalid"
    if days["since"] and days["until"] and days["until"] < days["since"]:
        problems["until"] = "journal.range_reversed"
    for name in TEXT_FIELDS:
        if len(typed[name]) > MAX_TEXT:
            problems[name] = "journal.too_long"
    if typed["ip"] and "ip" not in problems:
        try:
            typed["ip"] = str(ipaddress.ip_address(typed["ip"]))
        except ValueError:
            problems["ip"] = "journal.ip_invalid"
    if typed["account"] and "account" not in problems and _user_id(typed["account"]) is None:
        problems["account"] = "journal.no_such_account"
    if problems:
        raise BadFilter(problems)
    return Filter(**{**typed, **days})  # type: ignore[arg-type]


def page_number(value: str | None) -> int:
    """A page asked in a link; anything else than a small number is the first page."""
    return int(value) if value and value.isascii() and value.isdigit() and len(value) <= 6 else 1


def _user_id(identifier: str) -> int | None:
    return db.session.scalar(select(User.id).where(User.identifier == identifier))


def _midnight(day: date) -> int:
    return int(datetime.combine(day, time(), TIMEZONE).timestamp())


def _clauses(wanted: Filter) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if wanted.since:
        clauses.append(AuditEvent.at >= _midnight(wanted.since))
    if wanted.until:
        clauses.append(AuditEvent.at < _midnight(wanted.until + timedelta(days=1)))
    if wanted.event:
        clauses.append(AuditEvent.event == wanted.event)
    if wanted.outcome:
        clauses.append(AuditEvent.outcome == wanted.outcome)
    if wanted.account:
        clauses.append(AuditEvent.user_id == _user_id(wanted.account))
    if wanted.client_id:
        clauses.append(AuditEvent.client_id == wanted.client_id)
    if wanted.ip:
        clauses.append(AuditEvent.ip == wanted.ip)
    if wanted.staff:
        # A JSON field read the same way on SQLite (json_extract) and PostgreSQL (->>).
        clauses.append(AuditEvent.detail["by"].as_string() == f"staff:{wanted.staff}")
    return clauses


def _select(wanted: Filter) -> Select[AuditEvent, str | None]:
    return (
        select(AuditEvent, User.identifier)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(*_clauses(wanted))
    )


_NEWEST_FIRST = (AuditEvent.at.desc(), AuditEvent.id.desc())


def _row(event: AuditEvent, identifier: str | None) -> Row:
    detail = dict(event.detail or {})
    by = detail.get("by")
    return Row(
        id=event.id,
        at=datetime.fromtimestamp(event.at, TIMEZONE),
        event=event.event,
        outcome=event.outcome,
        account=identifier or event.identifier,
        user_id=event.user_id,
        known_account=event.user_id is not None,
        client_id=event.client_id,
        ip=event.ip,
        by=by if isinstance(by, str) else None,
        detail=detail,
        request_id=event.request_id,
    )


def search(wanted: Filter, *, page: int = 1, page_size: int = PAGE_SIZE) -> Page:
    """One page of the matching records, newest first (a page past the end is the last)."""
    total = int(
        db.session.scalar(select(func.count()).select_from(AuditEvent).where(*_clauses(wanted)))
        or 0
    )
    pages = max(1, -(-total // page_size))
    page = min(max(page, 1), pages)
    query = _select(wanted).order_by(*_NEWEST_FIRST).limit(page_size).offset((page - 1) * page_size)
    return Page([_row(*found) for found in db.session.execute(query).all()], total, page, pages)


def latest(wanted: Filter, *, limit: int | None = None, after_id: int = 0) -> list[Row]:
    """The newest `limit` matching records after record `after_id`, oldest first (a tail)."""
    query = _select(wanted).where(AuditEvent.id > after_id).order_by(AuditEvent.id.desc())
    if limit:
        query = query.limit(limit)
    return [_row(*found) for found in reversed(db.session.execute(query).all())]


def every(wanted: Filter, *, batch: int = EXPORT_BATCH) -> Iterator[Row]:
    """All matching records, newest first, fetched `batch` at a time (an export of any size
    holds one batch in memory; each batch starts after the last record of the previous)."""
    after: tuple[int, int] | None = None
    while True:
        query = _select(wanted).order_by(*_NEWEST_FIRST).limit(batch)
        if after is not None:
            at, last_id = after
            query = query.where(
                or_(AuditEvent.at < at, and_(AuditEvent.at == at, AuditEvent.id < last_id))
            )
        found = db.session.execute(query).all()
        for event, identifier in found:
            yield _row(event, identifier)
        if len(found) < batch:
            return
        last = found[-1][0]
        after = (last.at, last.id)


def known_values() -> tuple[list[str], list[str]]:
    """The events and the outcomes the trail holds (for the filter's choices)."""
    events = db.session.scalars(select(AuditEvent.event).distinct().order_by(AuditEvent.event))
    outcomes = db.session.scalars(
        select(AuditEvent.outcome).distinct().order_by(AuditEvent.outcome)
    )
    return list(events), list(outcomes)


def record_export(wanted: Filter, *, now: int, by: str, ip: str | None = None) -> None:
    """An export takes the trail out of the console: who took what is itself recorded."""
    audit.record(EXPORT_EVENT, "success", at=now, ip=ip, by=by, filters=wanted.as_query())


# -- CSV ------------------------------------------------------------------------------------


def safe_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_lines(rows: Iterator[Row], header: Sequence[str]) -> Iterator[str]:
    """UTF-8 CSV text (with a BOM, so that spreadsheets read the accents), line by line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells: Sequence[object]) -> str:
        writer.writerow([safe_cell(cell) for cell in cells])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield "\ufeff" + line(header)
    for row in rows:
        yield line(
            [
                row.at.isoformat(),
                row.event,
                row.outcome,
                row.account,
                row.client_id,
                row.ip,
                row.by,
                row.detail_json if row.detail else "",
            ]
        )


# -- the daily chart ------------------------------------------------------------------------


def today(now: int) -> date:
    return datetime.fromtimestamp(now, TIMEZONE).date()


def chart_range(wanted: Filter, *, now: int) -> tuple[date, date]:
    """The days the chart counts: the filtered range, else the last `CHART_DAYS` days; never
    more than `CHART_MAX_DAYS` (the latest ones)."""
    last = wanted.until or max(today(now), wanted.since or today(now))
    first = wanted.since or last - timedelta(days=CHART_DAYS - 1)
    return max(first, last - timedelta(days=CHART_MAX_DAYS - 1)), last


def daily_counts(wanted: Filter, *, now: int) -> list[Day]:
    """Sign-ins, failures and locks by day, counted by the database.

    A day in Paris is not always 86 400 s (summer time), so each record's day is found by
    comparing with the midnights computed here: one CASE, the same SQL on every database.
    The account, application and IP filters apply; the events counted are the chart's own.
    """
    first, last = chart_range(wanted, now=now)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    ends = [_midnight(day + timedelta(days=1)) for day in days]
    day_index = case(*((AuditEvent.at < end, n) for n, end in enumerate(ends)))
    series = case(
        *(
            (and_(AuditEvent.event == event, AuditEvent.outcome == outcome), name)
            for name, event, outcome in SERIES
        )
    )
    scope = Filter(account=wanted.account, client_id=wanted.client_id, ip=wanted.ip)
    query = (
        select(day_index, series, func.count())
        .where(
            *_clauses(scope),
            AuditEvent.at >= _midnight(first),
            AuditEvent.at < ends[-1],
            or_(*(and_(AuditEvent.event == e, AuditEvent.outcome == o) for _, e, o in SERIES)),
        )
        .group_by(day_index, series)
    )
    counts: dict[int, dict[str, int]] = {}
    for index, name, count in db.session.execute(query).all():
        counts.setdefault(int(index), {})[name] = int(count)
    return [Day(day, **counts.get(n, {})) for n, day in enumerate(days)]


def peak(days: Sequence[Day]) -> int:
    """The highest count of the chart (its vertical scale)."""
    return max((getattr(day, name) for day in days for name in SERIES_NAMES), default=0)
