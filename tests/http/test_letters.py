"""Postal letters: a French administrative letter in PDF (read back with pypdf), its status
file, the print room's commands, and the development page that shows them."""

from __future__ import annotations

import dataclasses
import json
import re
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from jinja2 import StrictUndefined
from markupsafe import escape
from pypdf import PdfReader
from sqlalchemy import select

from idp.clock import FrozenClock
from idp.extensions import db
from idp.i18n import text
from idp.i18n.catalog import MESSAGES
from idp.models import AuditEvent
from idp.notify import DeliveryFailed
from idp.notify.postal import (
    STATUSES,
    LetterBox,
    PostalAddress,
    UnknownLetter,
    outbox_folder,
)
from tests.support.cli import Operator
from tests.support.outbox import last_letter, letter_text, letters

# Sunday 22 November 2026, 10:30 in Paris.
NOV_22 = int(datetime(2026, 11, 22, 9, 30, tzinfo=UTC).timestamp())
MARIE = PostalAddress(
    name="Mme Marie Dupont",
    lines=("Appartement 12", "56 rue de Billancourt"),
    postal_code="92100",
    city="Boulogne-Billancourt",
)
# Every letter template, with the context its header comment documents.
TEMPLATES = {
    "recovery_code": {"code": "48219375", "days": 15},
    "temporary_password": {
        "identifier": "marie.dupont",
        "temporary_password": "Kx7-pQ2m-Wd",
        "valid_days": 15,
    },
}
MM = 25.4 / 72


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOV_22)


def post(app, template="recovery_code", locale="fr", address=MARIE, **context):
    with app.app_context():
        return app.extensions["idp"].letters.send(
            address, template, locale=locale, **(context or TEMPLATES[template])
        )


def box(app) -> LetterBox:
    return app.extensions["idp"].letters


def placed(path: Path) -> dict[str, tuple[float, float, str, float]]:
    """Each line of the first page: (mm from the left, mm from the top, font, size)."""
    found: dict[str, tuple[float, float, str, float]] = {}

    def visit(text, cm, tm, font, size):
        if text.strip() and text.strip() not in found:
            name = font.get("/BaseFont", "") if font else ""
            found[text.strip()] = (tm[4] * MM, 297 - tm[5] * MM, str(name), size)

    PdfReader(path).pages[0].extract_text(visitor_text=visit)
    return found


def test_a_letter_is_a_pdf_and_a_status_file(app):
    letter = post(app)
    folder = outbox_folder(app.extensions["idp"].settings)
    stem = letter.pdf.name.removesuffix(".pdf")
    assert re.fullmatch(rf"\d{{8}}T\d{{6}}\.\d{{9}}Z-{letter.id}", stem)
    assert re.fullmatch(r"[0-9a-f]{16}", letter.id)
    assert sorted(p.name for p in folder.iterdir()) == [f"{stem}.json", f"{stem}.pdf"]
    for file in folder.iterdir():
        assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert letter.pdf.read_bytes().startswith(b"%PDF-")
    data = json.loads(letter.pdf.with_suffix(".json").read_text(encoding="utf-8"))
    assert data == {
        "id": letter.id,
        "recipient": {
            "name": "Mme Marie Dupont",
            "lines": ["Appartement 12", "56 rue de Billancourt"],
            "postal_code": "92100",
            "city": "Boulogne-Billancourt",
            "country": "France",
        },
        "template": "recovery_code",
        "locale": "fr",
        "subject": "Votre code de sécurité pour obtenir un nouveau mot de passe",
        "created_at": NOV_22,
        "status": "pending",
        "exported_at": None,
        "sent_at": None,
        "pdf": letter.pdf.name,
    }
    # The secret is in the PDF only.
    assert "48219375" not in json.dumps(data)
    assert [entry["id"] for entry in letters(app)] == [letter.id] == [last_letter(app)["id"]]


def test_the_pdf_holds_the_code_the_date_and_the_addresses(app):
    post(app)
    content = letter_text(last_letter(app))
    for expected in (
        "Organisme de démonstration",
        "10 rue de la Paix",
        "75002 Paris",
        "Mme Marie Dupont",
        "Appartement 12",
        "56 rue de Billancourt",
        "92100 BOULOGNE-BILLANCOURT",
        "Paris, le 22 novembre 2026",
        "Objet : Votre code de sécurité pour obtenir un nouveau mot de passe",
        "Madame, Monsieur,",
        "48219375",
        "« J'ai reçu un code de sécurité par courrier »",
        "valable 15 jours à compter de la date de ce courrier",
        "salutations distinguées",
        "0 800 74 74 00",
        "Référence : " + last_letter(app)["id"],
    ):
        assert expected in content, expected
    # Accents, « » and the domestic address without a country line.
    assert "électronique" in content and "FRANCE" not in content
    reader = PdfReader(last_letter(app)["pdf_path"])
    assert reader.metadata.title == "Votre code de sécurité pour obtenir un nouveau mot de passe"
    assert len(reader.pages) == 1


def test_the_layout_is_a_french_window_letter(app):
    """Sender top left; recipient in the window (≈100 mm from the left, 45-90 mm from the top);
    the code alone in the monospace face; fonts embedded (no base-14 font)."""
    post(app)
    where = placed(last_letter(app)["pdf_path"])
    x, top, font, _ = where["Organisme de démonstration"]
    assert x < 30 and top < 25 and "Bold" in font
    for line in ("Mme Marie Dupont", "92100 BOULOGNE-BILLANCOURT"):
        x, top, font, _ = where[line]
        assert 99 <= x <= 110 and 45 <= top <= 90, (line, x, top)
    date_x, date_top, _, _ = where["Paris, le 22 novembre 2026"]
    subject_top = where["Objet :"][1]
    assert date_x >= 99 and where["92100 BOULOGNE-BILLANCOURT"][1] < date_top < subject_top
    x, top, font, size = where["48219375"]
    assert "DejaVuSansMono" in font and size >= 14
    assert all("Mono" not in f for line, (_, _, f, _) in where.items() if line != "48219375")
    fonts = {
        str(f.get_object()["/BaseFont"])
        for f in PdfReader(last_letter(app)["pdf_path"]).pages[0]["/Resources"]["/Font"].values()
    }
    assert fonts and all("DejaVuSans" in f for f in fonts)


def test_the_temporary_password_letter(app):
    post(app, "temporary_password")
    content = letter_text(last_letter(app))
    assert "Objet : Votre mot de passe provisoire" in content
    assert "Votre identifiant de connexion est : marie.dupont" in content
    assert "Kx7-pQ2m-Wd" in content
    assert "choisissez votre mot de passe personnel" in content
    assert "DejaVuSansMono" in placed(last_letter(app)["pdf_path"])["Kx7-pQ2m-Wd"][2]


@pytest.mark.parametrize(
    ("moment", "dateline"),
    [
        # 23:30 UTC on 30 November is already 1 December in Paris.
        (datetime(2026, 11, 30, 23, 30, tzinfo=UTC), "Paris, le 1er décembre 2026"),
        (datetime(2027, 2, 2, 12, 0, tzinfo=UTC), "Paris, le 2 février 2027"),
        (datetime(2027, 8, 15, 12, 0, tzinfo=UTC), "Paris, le 15 août 2027"),
    ],
)
def test_french_dates(app, clock, moment, dateline):
    clock.advance(int(moment.timestamp()) - clock.now())
    post(app)
    assert dateline in letter_text(last_letter(app))


def test_english_letter(app):
    letter = post(app, locale="en")
    assert letter.locale == "en"
    content = letter_text(last_letter(app))
    assert "Paris, 22 November 2026" in content
    assert "Subject: Your security code to choose a new password" in content
    assert "Dear Sir or Madam," in content and "48219375" in content


@pytest.mark.parametrize(("asked", "chosen"), [("en-GB", "en"), ("de", "fr"), ("", "fr")])
def test_locale_falls_back_to_french(app, asked, chosen):
    assert post(app, locale=asked).locale == chosen


@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_every_template_renders_in_both_languages(app, template, locale):
    """Each template uses exactly the context its comment documents (undefined names fail)."""
    app.jinja_env.undefined = StrictUndefined
    post(app, template, locale)
    content = letter_text(last_letter(app))
    for value in TEMPLATES[template].values():
        assert str(value) in content
    assert app.extensions["idp"].settings.issuer in content  # where to use it
    assert "{{" not in content and "{%" not in content


def test_an_address_abroad_ends_with_the_country(app):
    abroad = PostalAddress("Jean Müller", ("Hauptstraße 5",), "10115", "Berlin", "Allemagne")
    post(app, address=abroad)
    content = letter_text(last_letter(app))
    assert "Jean Müller\nHauptstraße 5\n10115 BERLIN\nALLEMAGNE" in content


def test_a_long_recipient_line_is_kept_in_the_window(app):
    long_name = "Monsieur Jean-Baptiste de La Tour d'Auvergne-Lauraguais"
    post(app, address=PostalAddress(long_name, ("1 place du Capitole",), "31000", "Toulouse"))
    x, _, _, size = placed(last_letter(app)["pdf_path"])[long_name]
    assert x >= 99 and size < 10.5


def test_settings_shape_the_letter(app):
    settings = app.extensions["idp"].settings
    postal = dataclasses.replace(
        settings.postal,
        sender_address="Caisse de démonstration\nTSA 12345\n69007 Lyon CEDEX 07",
        signature="Le directeur\nJean Martin",
    )
    letters_box = LetterBox(
        box(app).folder,
        postal=postal,
        place="Lyon",
        site_url="https://connexion.example",
        branding=settings.branding,
        clock=box(app).clock,
    )
    with app.app_context():
        letters_box.send(MARIE, "recovery_code", locale="fr", code="1234", days=1)
    content = letter_text(last_letter(app))
    assert "Lyon, le 22 novembre 2026" in content
    assert "Caisse de démonstration\nTSA 12345\n69007 Lyon CEDEX 07" in content
    assert "Le directeur\nJean Martin" in content
    assert "https://connexion.example" in content
    assert "valable 1 jour à compter" in content


def test_a_long_letter_flows_onto_more_pages_with_the_small_print_on_each(app):
    identifier = " ".join(["marie"] * 800)
    post(app, "temporary_password", identifier=identifier, temporary_password="Kx7-pQ2m-Wd")
    reader = PdfReader(last_letter(app)["pdf_path"])
    assert len(reader.pages) >= 2
    for page in reader.pages:
        assert "Courrier confidentiel" in page.extract_text()
    assert "Kx7-pQ2m-Wd" in letter_text(last_letter(app))
    assert "salutations distinguées" in reader.pages[-1].extract_text()


def test_every_status_has_a_label():
    for status in STATUSES:
        assert f"dev.letter.status.{status}" in MESSAGES


@pytest.mark.parametrize(
    "kwargs",
    [
        {"name": "", "postal_code": "92100", "city": "Boulogne"},
        {"name": "Marie", "postal_code": "9210", "city": "Boulogne"},
        {"name": "Marie", "postal_code": "92100", "city": ""},
        {"name": "Marie\nDupont", "postal_code": "92100", "city": "Boulogne"},
        {"name": "Marie", "lines": ("a\rb",), "postal_code": "92100", "city": "Boulogne"},
        {"name": "Marie", "lines": ("1", "2", "3", "4", "5"), "postal_code": "92100", "city": "B"},
    ],
)
def test_unusable_addresses_are_refused(kwargs):
    with pytest.raises(ValueError):
        PostalAddress(**kwargs)


@pytest.mark.parametrize(
    ("template", "context"),
    [
        ("../recovery_code", {}),
        ("Recovery_Code", {}),
        ("recovery_code", {"branding": "spoofed"}),
        ("recovery_code", {"site_url": "https://evil.example"}),
        ("recovery_code", {"date": "1er avril"}),
        ("recovery_code", {"reference": "x"}),
    ],
)
def test_unsafe_input_is_refused_before_anything_is_written(app, template, context):
    with app.app_context(), pytest.raises(ValueError):
        box(app).send(MARIE, template, locale="fr", **{**TEMPLATES["recovery_code"], **context})
    assert letters(app) == []


def test_an_outbox_that_cannot_be_written_raises_delivery_failed(app):
    folder = outbox_folder(app.extensions["idp"].settings)
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_text("a file where the folder should be")
    with pytest.raises(DeliveryFailed) as caught:
        post(app)
    assert caught.value.channel == "postal"


def test_status_changes_rewrite_the_json_atomically(app, clock):
    letter = post(app)
    meta = letter.pdf.with_suffix(".json")
    clock.advance(3600)
    exported = box(app).mark(letter.id, "exported")
    assert (exported.status, exported.exported_at) == ("exported", NOV_22 + 3600)
    clock.advance(3600)
    box(app).mark(letter.id, "sent")
    data = json.loads(meta.read_text())
    assert (data["status"], data["exported_at"], data["sent_at"]) == (
        "sent",
        NOV_22 + 3600,
        NOV_22 + 7200,
    )
    # A status never goes back, and nothing but the letter's two files is left behind.
    assert box(app).mark(letter.id, "exported").status == "sent"
    assert sorted(p.suffix for p in box(app).folder.iterdir()) == [".json", ".pdf"]
    assert stat.S_IMODE(meta.stat().st_mode) == 0o600
    with pytest.raises(UnknownLetter):
        box(app).mark("0123456789abcdef", "sent")
    with pytest.raises(ValueError):
        box(app).mark(letter.id, "pending")


def test_files_not_written_by_the_letter_box_are_ignored(app):
    letter = post(app)
    folder = box(app).folder
    (folder / "notes.json").write_text("{}")
    (folder / "20260101T000000.000000000Z-0123456789abcdef.json").write_text("not json")
    assert [found.id for found in box(app).letters()] == [letter.id]
    assert box(app).read("../idp.sqlite3") is None
    assert box(app).pdf_path("../idp.sqlite3") is None


# -- the print room: `idp letters` ----------------------------------------------------------------


@pytest.fixture
def idp(app, tmp_path) -> Operator:
    return Operator(app, tmp_path)


def test_list_shows_the_queue_oldest_first(app, idp, clock):
    first = post(app)
    clock.advance(60)
    second = post(app, "temporary_password", address=MARIE)
    result = idp("letters", "list")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[0] for line in lines] == [first.id, second.id]
    assert "pending" in lines[0] and "recovery_code" in lines[0]
    assert "Mme Marie Dupont, 92100 Boulogne-Billancourt" in lines[0]
    assert "2026-11-22 09:30 UTC" in lines[0]

    rows = json.loads(idp("letters", "list", "--json").output)
    assert [row["id"] for row in rows] == [first.id, second.id]
    assert rows[0]["recipient"]["city"] == "Boulogne-Billancourt"
    assert rows[0]["pdf"] == str(first.pdf)
    assert json.loads(idp("letters", "list", "--status", "sent", "--json").output) == []
    assert idp("letters", "list", "--status", "sent").output == "no letters\n"
    assert idp("letters", "list", "--status", "lost").exit_code == 2


def test_export_copies_the_pending_pdfs_and_marks_them(app, idp, tmp_path):
    first, second = post(app), post(app, "temporary_password")
    print_room = tmp_path / "print-room" / "2026-11-22"

    result = idp("letters", "export", str(print_room))
    assert result.exit_code == 0, result.output
    assert f"{first.id}  {print_room / first.pdf.name}" in result.output
    assert result.output.endswith("2 letter(s) exported\n")
    assert sorted(p.name for p in print_room.iterdir()) == sorted([first.pdf.name, second.pdf.name])
    assert (print_room / first.pdf.name).read_bytes() == first.pdf.read_bytes()
    assert stat.S_IMODE((print_room / first.pdf.name).stat().st_mode) == 0o600
    assert {entry["status"] for entry in letters(app)} == {"pending"}

    result = idp("letters", "export", str(print_room), "--mark")
    assert result.output.endswith("2 letter(s) exported and marked exported\n")
    assert {entry["status"] for entry in letters(app)} == {"exported"}
    assert idp("letters", "export", str(print_room)).output == "0 letter(s) exported\n"
    third = post(app)
    result = idp("letters", "export", str(print_room), "--mark")
    assert result.output.splitlines()[0].startswith(third.id)
    assert result.output.endswith("1 letter(s) exported and marked exported\n")


def test_export_into_a_file_is_a_clear_error(app, idp, tmp_path):
    post(app)
    (tmp_path / "file").write_text("")
    result = idp("letters", "export", str(tmp_path / "file" / "sub"), "--mark")
    assert result.exit_code == 1
    assert "cannot export" in result.output
    assert {entry["status"] for entry in letters(app)} == {"pending"}


def test_mark_sent(app, idp, clock):
    first, second, third = post(app), post(app), post(app)
    clock.advance(86400)
    result = idp("letters", "mark-sent", first.id, third.id)
    assert result.exit_code == 0, result.output
    assert result.output == f"{first.id}  sent\n{third.id}  sent\n"
    statuses = {entry["id"]: (entry["status"], entry["sent_at"]) for entry in letters(app)}
    assert statuses == {
        first.id: ("sent", NOV_22 + 86400),
        second.id: ("pending", None),
        third.id: ("sent", NOV_22 + 86400),
    }
    assert idp("letters", "mark-sent", first.id).output == f"{first.id}  already sent\n"
    listed = idp("letters", "list", "--status", "pending").output
    assert listed.startswith(second.id) and listed.count("\n") == 1


def test_mark_sent_with_an_unknown_id_marks_nothing(app, idp):
    letter = post(app)
    for unknown in ("0123456789abcdef", "../../x", letter.id[:8]):
        result = idp("letters", "mark-sent", letter.id, unknown)
        assert result.exit_code == 1
        assert f"no letter with id {unknown}" in result.output
    assert last_letter(app)["status"] == "pending"
    assert idp("letters", "mark-sent").exit_code == 2


def test_commands_are_audited(app, idp, tmp_path):
    letter = post(app)
    idp("letters", "export", str(tmp_path / "out"), "--mark")
    idp("letters", "mark-sent", letter.id)
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [(e.event, e.outcome, e.detail) for e in events] == [
            ("letters_export", "success", {"by": "cli", "marked": True, "letters": [letter.id]}),
            ("letters_sent", "success", {"by": "cli", "letters": [letter.id]}),
        ]


# -- the development outbox page ------------------------------------------------------------------


class TestDevOutbox:
    @pytest.fixture
    def settings_overrides(self):
        return {"server": {"development": True}}

    def test_lists_letters_and_serves_their_pdf(self, app, client):
        first = post(app)
        second = post(app, "temporary_password", locale="en")
        box(app).mark(first.id, "sent")
        page = client.get("/dev/outbox").get_data(as_text=True)
        assert f'<h2 id="channel-letter">{text("dev.channel.letter", "fr")}</h2>' in page
        urls = re.findall(r'href="(/dev/outbox/letters/[^"/]+\.pdf)"', page)
        assert urls == [
            f"/dev/outbox/letters/{second.pdf.name}",
            f"/dev/outbox/letters/{first.pdf.name}",
        ]
        assert escape("Votre code de sécurité pour obtenir un nouveau mot de passe") in page
        assert 'lang="en">Your temporary password</a>' in page
        assert text("dev.letter.status.sent", "fr") in page
        assert text("dev.letter.status.pending", "fr") in page
        assert "Mme Marie Dupont, 92100 Boulogne-Billancourt" in page

        response = client.get(urls[1])
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"] == f'inline; filename="{first.pdf.name}"'
        assert response.data == first.pdf.read_bytes()

    @pytest.mark.parametrize(
        "name",
        [
            "nothing.pdf",
            "20260101T000000.000000000Z-0123456789abcdef.pdf",
            "..%2F..%2Fidp.sqlite3",
            "..%2Fletters%2Fx.pdf",
            "%2E%2E",
        ],
    )
    def test_unknown_or_crafted_names_are_404(self, app, client, name):
        post(app)
        assert client.get(f"/dev/outbox/letters/{name}").status_code == 404

    def test_only_pdfs_of_letters_are_served(self, app, client):
        letter = post(app)
        assert client.get(f"/dev/outbox/letters/{letter.name}").status_code == 404  # its JSON
        orphan = letter.pdf.with_name(letter.pdf.name.replace(letter.id, "f" * 16))
        orphan.write_bytes(b"%PDF-1.4 not a letter")
        assert client.get(f"/dev/outbox/letters/{orphan.name}").status_code == 404


@pytest.mark.parametrize("path", ["/dev/outbox", "/dev/outbox/letters/x.pdf"])
def test_no_dev_pages_without_development(app, client, path):
    letter = post(app)
    assert client.get(path).status_code == 404
    assert client.get(f"/dev/outbox/letters/{letter.pdf.name}").status_code == 404
