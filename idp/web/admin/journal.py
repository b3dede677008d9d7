"""The console's Journal: the audit trail filtered, exported as CSV, and counted by day.

The filter, the queries and the CSV rules live in `idp.services.journal` (the CLI's
`idp audit tail` reads through them too); these views read the query string and answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import (
    Response,
    current_app,
    g,
    render_template,
    request,
    stream_with_context,
    url_for,
)

from idp.extensions import db
from idp.i18n import text
from idp.runtime import runtime
from idp.services import journal, staff
from idp.services.journal import BadFilter, Day, Filter
from idp.web.admin import access
from idp.web.admin.access import console_blueprint, requires

bp = console_blueprint("admin_journal", __name__, "/journal")

# An account's page in the console (another part's), linked from the rows when it exists and
# the staff member may open it.
ACCOUNT_PAGE = "admin_accounts.show"
CSV_COLUMNS = ("time", "event", "outcome", "account", "client", "ip", "by", "detail")

# The chart's drawing, in SVG user units (the picture scales to the page's width).
WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 12, 40
TICKS = 4


@dataclass(frozen=True)
class Bar:
    series: str
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    """Where each bar, tick and day label goes: the template only writes them out."""

    days: Sequence[Day]
    bars: list[Bar]
    ticks: list[tuple[float, int]]
    labels: list[tuple[float, Day]]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    baseline: int = HEIGHT - BOTTOM


def _scale_top(peak: int) -> int:
    """A round top for the vertical axis (so that its ticks are whole numbers)."""
    step = max(1, -(-peak // TICKS))
    return step * TICKS


def chart(days: Sequence[Day]) -> Chart:
    top = _scale_top(journal.peak(days))
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(days))
    bar_width = slot * 0.8 / len(journal.SERIES_NAMES)
    bars = []
    for n, day in enumerate(days):
        for k, name in enumerate(journal.SERIES_NAMES):
            height = plot_height * getattr(day, name) / top
            bars.append(
                Bar(
                    name,
                    round(LEFT + n * slot + slot * 0.1 + k * bar_width, 2),
                    round(TOP + plot_height - height, 2),
                    round(bar_width, 2),
                    round(height, 2),
                )
            )
    ticks = [(round(TOP + plot_height * (1 - i / TICKS), 2), top * i // TICKS) for i in range(5)]
    every = max(1, -(-len(days) // 8))  # about eight dates under the axis
    labels = [
        (round(LEFT + (n + 0.5) * slot, 2), day) for n, day in enumerate(days) if n % every == 0
    ]
    return Chart(days, bars, ticks, labels)


def _parsed() -> tuple[Filter, dict[str, str]]:
    """The query string's filter, or no filter and the problems to show beside the fields."""
    try:
        return journal.parse(request.args), {}
    except BadFilter as refused:
        return Filter(), refused.problems


@bp.get("")
@requires(staff.JOURNAL)
def index() -> tuple[str, int]:
    wanted, problems = _parsed()
    typed = {name: request.args.get(name, "")[: journal.MAX_TEXT] for name in journal.FIELDS}
    events, outcomes = journal.known_values()
    context: dict[str, Any] = {
        "typed": typed,
        "problems": problems,
        "events": events,
        "outcomes": outcomes,
        "found": None,
        "chart": None,
        "account_page": ACCOUNT_PAGE
        if ACCOUNT_PAGE in current_app.view_functions
        and staff.allows(g.staff_member, staff.ACCOUNTS_READ)
        else None,
    }
    if not problems:
        query: dict[str, Any] = wanted.as_query()
        context.update(
            found=journal.search(wanted, page=journal.page_number(request.args.get("page"))),
            page_url=lambda page: url_for("admin_journal.index", **query, page=page),
            export_url=url_for("admin_journal.export", **query),
            chart=chart(journal.daily_counts(wanted, now=runtime().now())),
        )
    db.session.commit()
    return render_template("admin/journal/index.html", **context), 400 if problems else 200


@bp.get("/export.csv")
@requires(staff.JOURNAL)
def export() -> Response | tuple[str, int]:
    """The matching records as CSV, streamed in batches; the export itself is recorded."""
    wanted, problems = _parsed()
    if problems:
        return index()
    rt = runtime()
    journal.record_export(wanted, now=rt.now(), by=access.actor(), ip=request.remote_addr)
    db.session.commit()
    header = [text(f"journal.col_{name}") for name in CSV_COLUMNS]
    day = journal.today(rt.now())
    return Response(
        stream_with_context(journal.csv_lines(journal.every(wanted), header)),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="journal-{day.isoformat()}.csv"'},
    )
