"""Forgotten identifier (ASSU2000): NIR, birth date and postal code; the IBAN's last six."""

from __future__ import annotations

import pytest

from idp.extensions import db
from idp.i18n import text
from idp.models import User
from idp.services import civil_data
from tests.support.oidc import csrf_token
from tests.support.outbox import emails, last_email, text_part
from tests.support.recovery import post_page
from tests.support.signin import captcha_ref, stable_body

NIR = "2 55 08 14 168 025 38"
IBAN = "FR76 3000 6000 0112 3456 7890 189"


@pytest.fixture
def settings_overrides():
    return {"recovery": {"response_floor_ms": 1}}


def page_text(key: str, **params: object) -> str:
    return text(key, "fr", **params).replace("'", "&#39;")


def civil_user(app, factories, *, email: str | None):
    user = factories.user(email=email, birth_date="1955-08-21", postal_code="14000")
    with app.app_context():
        stored = db.session.get(User, user.id)
        key = app.extensions["idp"].hash_key
        civil_data.set_nir(stored, NIR, hash_key=key)
        civil_data.set_iban(stored, IBAN, hash_key=key)
        db.session.commit()
        assert "255081416802538" not in (stored.nir_hash or "")
    return user


def ask(
    client,
    puzzles,
    nir: str = NIR,
    birth_date: str = "1955-08-21",
    postal_code: str = "14000",
    captcha_answer: str | None = None,
):
    return post_page(
        client,
        "/recovery/identifier",
        puzzles,
        captcha_answer=captcha_answer,
        nir=nir,
        birth_date=birth_date,
        postal_code=postal_code,
    )


def test_identifier_is_emailed_and_the_address_shown_masked(app, client, factories, puzzles):
    civil_user(app, factories, email="sophie@caramail.fr")
    response = ask(client, puzzles)
    assert response.location == "/recovery/identifier/sent"
    page = client.get(response.location).get_data(as_text=True)
    assert page_text("recovery.identifier_sent", address="s****@c****.fr") in page
    assert "sophie" not in page
    assert "marie" in text_part(last_email(app))


def test_without_email_the_iban_tail_shows_the_identifier(app, client, factories, puzzles):
    civil_user(app, factories, email=None)
    iban_page = ask(client, puzzles).location
    assert iban_page.endswith("/iban")
    wrong = post_page(client, iban_page, iban_tail="000000")
    assert page_text("recovery.iban_wrong", left=4) in wrong.get_data(as_text=True)
    shown = post_page(client, iban_page, iban_tail="890189")
    assert shown.status_code == 200
    assert "marie" in shown.get_data(as_text=True)


def test_no_match_looks_like_a_match_without_email(app, client, factories, puzzles):
    civil_user(app, factories, email=None)
    other = app.test_client()
    matched = client.get(ask(client, puzzles).location)
    unmatched = other.get(ask(other, puzzles, birth_date="1955-08-22").location)
    assert stable_body(matched) == stable_body(unmatched)
    wrong_matched = post_page(client, matched.request.path, iban_tail="000000")
    wrong_unmatched = post_page(other, unmatched.request.path, iban_tail="000000")
    assert stable_body(wrong_matched) == stable_body(wrong_unmatched)
    # Even the right IBAN tail shows nothing without a match.
    right_unmatched = post_page(other, unmatched.request.path, iban_tail="890189")
    assert "marie" not in right_unmatched.get_data(as_text=True)
    assert emails(app) == []


def test_iban_tail_tries_are_limited(app, client, factories, puzzles):
    civil_user(app, factories, email=None)
    iban_page = ask(client, puzzles).location
    for _ in range(5):
        post_page(client, iban_page, iban_tail="000000")
    late = post_page(client, iban_page, iban_tail="890189")
    assert page_text("recovery.code_exhausted") in late.get_data(as_text=True)
    assert "marie" not in late.get_data(as_text=True)


def test_an_invalid_nir_is_a_field_error(client, factories, puzzles):
    response = ask(client, puzzles, nir="2 55 08 14 168 025 39")  # wrong key
    assert response.status_code == 200
    assert page_text("recovery.nir_invalid") in response.get_data(as_text=True)


def test_wrong_sum_keeps_the_page(client, factories, puzzles):
    response = ask(client, puzzles, captcha_answer="1000")
    assert page_text("captcha.wrong") in response.get_data(as_text=True)


# -- bounds on the lookup: audit, captcha, per-NIR limit, alert ------------------------------

OTHER_NIRS = ["185057512345673", "290013300100215", "172106912312324"]


def lookups(factories) -> list[tuple[str, int | None, str | None]]:
    return [(e.outcome, e.user_id, e.ip) for e in factories.audit("identifier_lookup")]


def test_every_try_is_audited_with_the_number_only_hashed(app, client, factories, puzzles):
    with_email = civil_user(app, factories, email="sophie@caramail.fr")
    ask(client, puzzles, captcha_answer="1000")
    ask(client, puzzles, nir="2 55 08 14 168 025 39")
    ask(client, puzzles, birth_date="1955-08-22")
    ask(client, puzzles)
    assert lookups(factories) == [
        ("captcha_failed", None, "127.0.0.1"),
        ("invalid_number", None, "127.0.0.1"),
        ("not_found", None, "127.0.0.1"),
        ("found_email", with_email.id, "127.0.0.1"),
    ]
    rows = factories.audit("identifier_lookup")
    # However it is written, one number has one hash; the number itself is nowhere.
    assert rows[0].detail["nir_hash"] == rows[2].detail["nir_hash"] == rows[3].detail["nir_hash"]
    assert rows[1].detail["nir_hash"] != rows[0].detail["nir_hash"]
    assert not any("25508141680253" in repr((r.identifier, r.detail)) for r in rows)


def test_a_match_without_email_is_audited_as_such(app, client, factories, puzzles):
    without_email = civil_user(app, factories, email=None)
    ask(client, puzzles)
    assert lookups(factories) == [("found_no_email", without_email.id, "127.0.0.1")]


def test_each_try_needs_its_own_captcha(app, client, factories, puzzles):
    civil_user(app, factories, email="sophie@caramail.fr")
    html = client.get("/recovery/identifier").get_data(as_text=True)
    data = {
        "csrf_token": csrf_token(html),
        "captcha_ref": captcha_ref(html),
        "captcha_answer": puzzles.last.answer,
        "nir": NIR,
        "birth_date": "1955-08-21",
        "postal_code": "14000",
    }
    assert client.post("/recovery/identifier", data=data).status_code == 303
    replayed = client.post("/recovery/identifier", data=data)
    assert page_text("captcha.wrong") in replayed.get_data(as_text=True)
    without = client.post("/recovery/identifier", data={**data, "captcha_answer": ""})
    assert without.status_code == 200
    assert [outcome for outcome, _, _ in lookups(factories)] == ["found_email", "captcha_failed"]
    assert len(emails(app)) == 1


class TestPerNumberLimit:
    @pytest.fixture
    def settings_overrides(self):
        return {
            "recovery": {"response_floor_ms": 1},
            "ratelimit": {"recovery_per_nir": "2/hour", "recovery_per_ip": "100/minute"},
        }

    def test_one_number_is_limited_whatever_the_address(self, app, client, factories, puzzles):
        civil_user(app, factories, email=None)
        for birth_date in ("1955-08-22", "1955-08-23"):
            assert ask(client, puzzles, birth_date=birth_date).status_code == 303
        elsewhere = app.test_client()
        elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.7"
        limited = ask(elsewhere, puzzles, nir="255081416802538")  # the same, written otherwise
        assert limited.status_code == 429
        assert int(limited.headers["Retry-After"]) > 0
        too_many = text("error.too_many_requests", "fr", minutes=1).split(".")[0]
        assert too_many in limited.get_data(as_text=True)
        assert ask(elsewhere, puzzles, nir=OTHER_NIRS[0]).status_code == 303
        assert len(lookups(factories)) == 3  # the refused try reached no lookup


class TestManyNumbersAlert:
    @pytest.fixture
    def settings_overrides(self):
        return {
            "recovery": {
                "response_floor_ms": 1,
                "identifier_alert_nirs": 2,
                "identifier_alert_minutes": 10,
            }
        }

    def alerts(self, factories) -> list[tuple[str | None, int]]:
        return [(e.ip, e.detail["numbers"]) for e in factories.audit("identifier_lookup_alert")]

    def test_more_numbers_than_allowed_from_one_address_alert(self, client, factories, puzzles):
        for nir in [NIR, *OTHER_NIRS[:1]]:
            ask(client, puzzles, nir=nir)
        assert self.alerts(factories) == []
        ask(client, puzzles, nir=OTHER_NIRS[1])
        assert self.alerts(factories) == [("127.0.0.1", 3)]
        ask(client, puzzles, nir=OTHER_NIRS[2])
        assert self.alerts(factories) == [("127.0.0.1", 3)]  # one alert per window

    def test_the_same_number_again_does_not_alert(self, client, factories, puzzles):
        for birth_date in ("1955-08-21", "1955-08-22", "1955-08-23", "1955-08-24"):
            ask(client, puzzles, birth_date=birth_date)
        assert self.alerts(factories) == []

    def test_numbers_are_counted_per_address_and_window(
        self, app, client, factories, puzzles, clock
    ):
        ask(client, puzzles, nir=NIR)
        ask(client, puzzles, nir=OTHER_NIRS[0])
        elsewhere = app.test_client()
        elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.7"
        ask(elsewhere, puzzles, nir=OTHER_NIRS[1])
        clock.advance(10 * 60)
        ask(client, puzzles, nir=OTHER_NIRS[2])
        assert self.alerts(factories) == []
