"""`idp users import FILE.csv`: good lines written, bad ones reported by number, untouched."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from idp.extensions import db
from idp.models import User
from idp.services import civil_data, recovery
from tests.support.cli import Operator
from tests.support.outbox import emails, text_part

HEADER = (
    "identifier,email,phone,given_name,family_name,birth_date,nir,iban,address,postal_code,"
    "city,category,verification_kind,verification_value"
)
GOOD = (
    "jdupont,jean.dupont@example.org,06 12 34 56 78,Jean,Dupont,1955-08-21,"
    "2 55 08 14 168 025 38,FR7630006000011234567890189,3 rue des Lilas,14000,Caen,"
    'particulier,prestation,"152,40"'
)


@pytest.fixture
def idp(app, tmp_path) -> Operator:
    return Operator(app, tmp_path)


def write(tmp_path, *lines: str, name: str = "accounts.csv"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def accounts(app) -> dict[str, User]:
    with app.app_context():
        rows = db.session.scalars(select(User)).all()
        db.session.expunge_all()
        return {u.identifier: u for u in rows}


def test_good_lines_are_written_and_bad_lines_reported(app, idp, tmp_path):
    path = write(
        tmp_path,
        HEADER,
        GOOD,
        "bad1,not-an-email,,,,,,,,,,,,",
        "bad2,,,,,1955-13-40,,,,,,,,",
        "bad3,,,,,1955-08-21,2 55 08 14 168 025 39,,,,,,,",
        'msmith,m.smith@example.org,,Mary,Smith,,,,,,,exploitant,facture_cotisations,"1 250,00"',
        "bad4,,,,,,,,,,,exploitant,carte_vitale,123",
        ",no-identifier@example.org,,,,,,,,,,,,",
    )
    result = idp("users", "import", path, "--json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["created"] == ["jdupont", "msmith"]
    refused = {line["line"]: line for line in report["refused"]}
    assert sorted(refused) == [3, 4, 5, 7, 8]
    assert "email" in refused[3]["problems"][0]
    assert "birth_date" in refused[4]["problems"][0]
    assert "nir" in refused[5]["problems"][0]
    assert "does not fit" in refused[7]["problems"][0]
    assert "identifier is required" in refused[8]["problems"][0]
    stored = accounts(app)
    assert set(stored) == {"jdupont", "msmith"}  # nothing of a bad line is written
    jean = stored["jdupont"]
    assert (
        jean.phone == "+33612345678" and jean.locality == "Caen" and jean.category == "particulier"
    )
    key = app.extensions["idp"].hash_key
    assert civil_data.iban_tail_matches(jean, "890189", hash_key=key)
    assert jean.nir_hash and "255081416802538" not in jean.nir_hash
    assert recovery.fact_matches(jean, "152.40 €", hash_key=key)
    assert jean.password_hash is None  # never connected


def test_existing_identifiers_need_update(app, idp, tmp_path, factories):
    factories.user("jdupont")
    path = write(tmp_path, HEADER, GOOD)
    refused = idp("users", "import", path)
    assert refused.exit_code == 1 and "line 2 (jdupont): an account" in refused.output
    updated = idp("users", "import", path, "--update")
    assert updated.exit_code == 0 and "0 created, 1 updated, 0 refused" in updated.output
    assert accounts(app)["jdupont"].birth_date == "1955-08-21"


def test_semicolons_and_a_bom_are_understood(app, idp, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text(
        "\ufeff" + HEADER.replace(",", ";") + "\n" + "abc;abc@example.org;;;;;;;;;;;;\n",
        encoding="utf-8",
    )
    result = idp("users", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "abc" in accounts(app)


def test_unknown_columns_refuse_the_file(app, idp, tmp_path):
    result = idp("users", "import", write(tmp_path, "identifier,emial", "abc,abc@example.org"))
    assert result.exit_code == 1 and "unknown column 'emial'" in result.output
    assert accounts(app) == {}


def test_an_updated_address_is_unverified_and_the_old_one_is_told(app, idp, tmp_path, factories):
    factories.user("jdupont", email="ancienne@example.org")  # verified
    path = write(tmp_path, "identifier,email", "jdupont,nouvelle@example.org")
    assert idp("users", "import", path, "--update").exit_code == 0
    account = accounts(app)["jdupont"]
    assert (account.email, account.email_verified) == ("nouvelle@example.org", False)
    sent = emails(app)
    assert [m["To"] for m in sent] == ["ancienne@example.org"]
    assert "jdupont" in text_part(sent[0])
    # The same address again changes nothing and tells no one.
    assert idp("users", "import", path, "--update").exit_code == 0
    assert len(emails(app)) == 1
