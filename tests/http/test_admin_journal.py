"""The console's Journal: the audit trail filtered by every field, paginated, exported as
CSV (BOM, formula injection, audited), counted by day; who may read it; bad filters."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime, timedelta

import pytest

from idp.extensions import db
from idp.i18n import text
from idp.services import audit, journal
from idp.services.journal import TIMEZONE
from tests.support.cli import Operator
from tests.support.console import console_sign_in


@pytest.fixture
def auditor(client, factories, clock):
    """A client signed in to the console as `auditor`, whose only right is the journal."""
    secret = factories.staff("auditor", "auditor")
    console_sign_in(client, "auditor", secret, at=clock.now())
    return client


def _record(app, event: str, outcome: str = "success", *, at: int, **fields) -> None:
    with app.app_context():
        audit.record(event, outcome, at=at, **fields)
        db.session.commit()


def _paris(day: date, hour: int = 12) -> int:
    return int(datetime(day.year, day.month, day.day, hour, tzinfo=TIMEZONE).timestamp())


def _events(page: str) -> list[str]:
    """The event column of the journal's table (each row's header cell)."""
    table = page.split('class="records journal-records"')[1].split("</table>")[0]
    return re.findall(r'<th scope="row">([^<]*)</th>', table)


def _user_id(app, identifier: str) -> int:
    with app.app_context():
        return journal._user_id(identifier)


@pytest.fixture
def trail(app, factories, clock):
    """A few records that differ by one field each."""
    factories.user("marie")
    marie = _user_id(app, "marie")
    now = clock.now()
    _record(app, "sign_in", at=now, user_id=marie, client_id="rp-1", ip="192.0.2.1")
    _record(app, "sign_in", "invalid_credentials", at=now, identifier="ghost", ip="192.0.2.2")
    _record(app, "unlock", at=now, user_id=marie, by="staff:agent")
    _record(app, "account_locked", "locked", at=now - 3 * 86400, user_id=marie)
    return marie


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("event=unlock", ["unlock"]),
        ("outcome=invalid_credentials", ["sign_in"]),
        ("account=marie", ["unlock", "sign_in", "account_locked"]),
        ("client_id=rp-1", ["sign_in"]),
        ("ip=192.0.2.2", ["sign_in"]),
        ("staff=agent", ["unlock"]),
        ("staff=someone", []),
        ("account=marie&event=sign_in", ["sign_in"]),
    ],
)
def test_each_filter_narrows_the_records(auditor, trail, query, expected):
    answer = auditor.get(f"/admin/journal?{query}")
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    shown = _events(page) if expected else []
    assert shown == expected
    if not expected:
        assert journal_found(page) == 0


def journal_found(page: str) -> int:
    return int(re.search(r"(\d+) événements? trouvés?", page).group(1))


def test_dates_are_paris_days_both_included(auditor, trail, clock):
    today = journal.today(clock.now())
    earlier = today - timedelta(days=3)
    page = auditor.get(f"/admin/journal?since={earlier}&until={earlier}").get_data(as_text=True)
    assert _events(page) == ["account_locked"]
    page = auditor.get(f"/admin/journal?since={today - timedelta(days=2)}").get_data(as_text=True)
    assert "account_locked" not in _events(page) and len(_events(page)) >= 3
    # The French way of writing a day works too.
    page = auditor.get(f"/admin/journal?until={earlier:%d/%m/%Y}").get_data(as_text=True)
    assert _events(page) == ["account_locked"]


def test_rows_show_paris_time_account_staff_and_detail(auditor, trail, clock):
    page = auditor.get("/admin/journal?event=unlock").get_data(as_text=True)
    when = datetime.fromtimestamp(clock.now(), TIMEZONE)
    assert when.strftime("%d/%m/%Y %H:%M:%S") in page
    assert "<td>marie</td>" in page and "<td>staff:agent</td>" in page
    assert "{&#34;by&#34;:&#34;staff:agent&#34;}" in page
    page = auditor.get("/admin/journal?ip=192.0.2.2").get_data(as_text=True)
    assert "ghost (compte inconnu)" in page


def test_pages_of_fifty_newest_first_keep_the_filters(auditor, app, clock):
    for n in range(120):
        _record(app, "probe", at=clock.now() + n, ip="198.51.100.7", n=n)
    first = auditor.get("/admin/journal?event=probe").get_data(as_text=True)
    assert len(_events(first)) == 50
    assert "{&#34;n&#34;:119}" in first and "{&#34;n&#34;:70}" in first
    assert "{&#34;n&#34;:69}" not in first
    assert 'href="/admin/journal?event=probe&amp;page=2"' in first
    assert 'href="/admin/journal/export.csv?event=probe"' in first
    last = auditor.get("/admin/journal?event=probe&page=3").get_data(as_text=True)
    assert len(_events(last)) == 20 and "{&#34;n&#34;:0}" in last
    assert 'href="/admin/journal?event=probe&amp;page=2"' in last
    # A page past the end is the last one; a page that is not a number is the first.
    assert "{&#34;n&#34;:0}" in auditor.get("/admin/journal?event=probe&page=99").get_data(
        as_text=True
    )
    for garbage in ("x", "²", "-1", "9" * 40):
        page = auditor.get(f"/admin/journal?event=probe&page={garbage}").get_data(as_text=True)
        assert "{&#34;n&#34;:119}" in page


@pytest.mark.parametrize(
    ("query", "field", "key"),
    [
        ("account=nobody", "account", "journal.no_such_account"),
        ("since=2026-13-45", "since", "journal.date_invalid"),
        ("until=yesterday", "until", "journal.date_invalid"),
        ("until=٢٠٢٦-١٢-٠١", "until", "journal.date_invalid"),
        ("since=0001-01-01", "since", "journal.date_invalid"),
        ("since=2026-12-05&until=2026-12-01", "until", "journal.range_reversed"),
        ("ip=not-an-ip", "ip", "journal.ip_invalid"),
        ("client_id=" + "x" * 200, "client_id", "journal.too_long"),
    ],
)
def test_bad_filters_are_explained_beside_the_field_and_kept(auditor, trail, query, field, key):
    answer = auditor.get(f"/admin/journal?{query}")
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    message = text(key, "fr").replace("'", "&#39;")
    assert f'<p class="field-error" id="journal-{field}-error">{message}</p>' in page
    assert f'aria-describedby="journal-{field}-error"' in page
    typed = query.split(f"{field}=")[1].split("&")[0][:128]
    assert f'value="{typed}"' in page
    assert "journal-records" not in page
    # The export refuses the same filters the same way, and records nothing.
    assert auditor.get(f"/admin/journal/export.csv?{query}").status_code == 400


def _csv(answer) -> list[list[str]]:
    body = answer.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_export_is_csv_with_bom_the_same_filters_and_audited(auditor, trail, factories, clock):
    answer = auditor.get("/admin/journal/export.csv?account=marie")
    assert answer.status_code == 200
    assert answer.content_type == "text/csv; charset=utf-8"
    day = journal.today(clock.now()).isoformat()
    assert answer.headers["Content-Disposition"] == f'attachment; filename="journal-{day}.csv"'
    rows = _csv(answer)
    assert rows[0] == [
        "Date et heure",
        "Événement",
        "Résultat",
        "Compte",
        "Application",
        "Adresse IP",
        "Agent",
        "Détail",
    ]
    assert [row[1] for row in rows[1:]] == ["unlock", "sign_in", "account_locked"]
    assert rows[1][3] == "marie" and rows[1][6] == "staff:agent"
    assert json.loads(rows[1][7]) == {"by": "staff:agent"}
    assert rows[2][4:6] == ["rp-1", "192.0.2.1"]
    exported = factories.audit("journal_exported")
    assert len(exported) == 1
    assert exported[0].detail == {"by": "staff:auditor", "filters": {"account": "marie"}}


def test_export_streams_every_record_in_batches(auditor, app, clock):
    for n in range(7):
        _record(app, "probe", at=clock.now() + n % 2, n=n)
    answer = auditor.get("/admin/journal/export.csv?event=probe", buffered=False)
    assert answer.is_streamed
    newest_first = [json.loads(row[7])["n"] for row in _csv(answer)[1:]]
    answer.close()
    assert newest_first == [5, 3, 1, 6, 4, 2, 0]
    # Batches smaller than the records, cut inside a second: each record once, same order.
    with app.app_context():
        batched = journal.every(journal.Filter(event="probe"), batch=3)
        assert [row.detail["n"] for row in batched] == newest_first


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_export_neutralises_formulas(auditor, app, clock, start):
    payload = f'{start}HYPERLINK("http://evil.example")'
    _record(app, "sign_in", "invalid_credentials", at=clock.now(), identifier=payload)
    rows = _csv(auditor.get("/admin/journal/export.csv?event=sign_in&outcome=invalid_credentials"))
    assert rows[1][3] == "'" + payload


def _counts(page: str) -> dict[str, tuple[int, int, int]]:
    table = page.split('class="records journal-counts"')[1].split("</table>")[0]
    found = re.findall(
        r'<time datetime="([\d-]+)">[^<]*</time></th>\s*<td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>',
        table,
    )
    return {day: (int(a), int(b), int(c)) for day, a, b, c in found}


def test_daily_chart_counts_sign_ins_failures_and_locks(auditor, app, factories, clock):
    factories.user("marie")
    marie = _user_id(app, "marie")
    today = journal.today(clock.now())
    two_days_ago = today - timedelta(days=2)
    for hour in (0, 12, 23):  # the first and last hours of a Paris day are that day's
        _record(app, "sign_in", at=_paris(two_days_ago, hour) + 30, user_id=marie)
    _record(app, "sign_in", "invalid_credentials", at=_paris(two_days_ago), identifier="x")
    _record(app, "staff_second_factor", "invalid_code", at=_paris(two_days_ago), user_id=marie)
    _record(app, "account_locked", "locked", at=_paris(two_days_ago), user_id=marie)
    _record(app, "sign_in", "locked", at=_paris(two_days_ago))  # not a failure: refused
    _record(app, "sign_in", at=_paris(today - timedelta(days=40)), user_id=marie)  # too old
    page = auditor.get("/admin/journal").get_data(as_text=True)
    counts = _counts(page)
    assert len(counts) == journal.CHART_DAYS
    assert counts[two_days_ago.isoformat()] == (3, 2, 1)
    assert counts[(today - timedelta(days=1)).isoformat()] == (0, 0, 0)
    # The console's own sign-in (the auditor's, today) is counted with its second factor.
    assert counts[today.isoformat()][0] == 1
    svg = page.split("<svg", 1)[1].split("</svg>")[0]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "style=" not in svg and "<script" not in svg
    assert svg.count('class="bar-sign_ins"') == 2  # two days with sign-ins drawn
    # A filtered range is the chart's range; the account filter applies to it.
    page = auditor.get(f"/admin/journal?since={two_days_ago}&until={two_days_ago}&account=marie")
    assert _counts(page.get_data(as_text=True)) == {two_days_ago.isoformat(): (3, 1, 1)}


def test_chart_range_is_capped(clock):
    wanted = journal.Filter(since=date(2020, 1, 1), until=date(2026, 1, 1))
    first, last = journal.chart_range(wanted, now=clock.now())
    assert last == date(2026, 1, 1) and (last - first).days == journal.CHART_MAX_DAYS - 1


def test_only_staff_with_the_journal_permission(client, factories, clock):
    assert client.get("/admin/journal").status_code == 303  # signed out: the sign-in
    secret = factories.staff("agent", "assistance")
    console_sign_in(client, "agent", secret, at=clock.now())
    assert client.get("/admin/journal").status_code == 403
    assert client.get("/admin/journal/export.csv").status_code == 403
    assert factories.audit("journal_exported") == []


def test_admins_read_it_too(client, factories, clock):
    secret = factories.staff("boss", "admin")
    console_sign_in(client, "boss", secret, at=clock.now())
    assert client.get("/admin/journal").status_code == 200


def test_accounts_link_to_their_page_for_staff_who_may_open_it(app, client, factories, clock):
    """An account named in the journal links to its file in "Comptes" for those who may read it."""
    factories.user("marie")
    marie = _user_id(app, "marie")
    _record(app, "unlock", at=clock.now(), user_id=marie)
    secret = factories.staff("boss", "admin")
    console_sign_in(client, "boss", secret, at=clock.now())
    page = client.get("/admin/journal?event=unlock").get_data(as_text=True)
    assert f'<a href="/admin/accounts/{marie}">marie</a>' in page
    other = app.test_client()
    console_sign_in(other, "auditor", factories.staff("auditor", "auditor"), at=clock.now())
    page = other.get("/admin/journal?event=unlock").get_data(as_text=True)
    assert "<td>marie</td>" in page and "/admin/accounts/" not in page


def test_cli_tail_uses_the_same_filters(app, trail, tmp_path):
    idp = Operator(app, tmp_path)
    result = idp("audit", "tail", "--account", "marie", "--event", "sign_in")
    assert result.exit_code == 0
    assert result.output.count("\n") == 1 and "client=rp-1" in result.output
    result = idp("audit", "tail", "--staff", "agent", "--json")
    assert json.loads(result.output)["event"] == "unlock"
    result = idp("audit", "tail", "--client-id", "rp-1", "--json")
    assert json.loads(result.output)["client_id"] == "rp-1"
    result = idp("audit", "tail", "--account", "nobody", "--since", "tomorrow")
    assert result.exit_code == 2
    assert "--account: No account has this identifier" in result.output
    assert "--since: Type a date" in result.output
