"""Forgotten identifier (ASSU2000): NIR, birth date and postal code; the IBAN's last six."""

from __future__ import annotations

import pytest

from idp.extensions import db
from idp.i18n import text
from idp.models import User
from idp.services import civil_data
from tests.support.outbox import emails, last_email, text_part
from tests.support.recovery import post_page
from tests.support.signin import stable_body

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
    client, puzzles, nir: str = NIR, birth_date: str = "1955-08-21", postal_code: str = "14000"
):
    return post_page(
        client,
        "/recovery/identifier",
        puzzles,
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
    response = post_page(
        client,
        "/recovery/identifier",
        puzzles,
        captcha_answer="1000",
        nir=NIR,
        birth_date="1955-08-21",
        postal_code="14000",
    )
    assert page_text("captcha.wrong") in response.get_data(as_text=True)
