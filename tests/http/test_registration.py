""" "S'inscrire": off by default; the address proven by a code; nothing said about addresses
or identifiers in use before that; captcha, tries, expiry, single use, CSRF and rate limits."""

from __future__ import annotations

import re
import time

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from idp.config import ConfigError
from idp.extensions import db
from idp.i18n import text
from idp.models import PendingRegistration, User
from tests.conftest import settings_for
from tests.support.captcha import KnownPuzzles
from tests.support.concurrency import together
from tests.support.oidc import csrf_token
from tests.support.outbox import emails, last_email, text_part
from tests.support.signin import captcha_ref, stable_body, submit

NEW_PASSWORD = "Quatre chevaux galopent vers Nantes"
CODE = re.compile(r"^(\d{4})$", re.MULTILINE)
REF = re.compile(r"/register/([A-Za-z0-9_-]+)/")
ENABLED = {"registration": {"enabled": True}, "recovery": {"response_floor_ms": 1}}


@pytest.fixture
def settings_overrides() -> dict[str, dict[str, object]]:
    return ENABLED


def page_text(key: str, **params: object) -> str:
    return text(key, "fr", **params).replace("'", "&#39;")


def register(
    client: FlaskClient,
    puzzles: KnownPuzzles,
    email: str = "nouveau@example.org",
    identifier: str = "nouveau",
    *,
    captcha_answer: str | None = None,
    url: str = "/register",
):
    html = client.get(url).get_data(as_text=True)
    data = {"csrf_token": csrf_token(html), "email": email, "identifier": identifier}
    data["captcha_ref"] = captcha_ref(html) or ""
    data["captcha_answer"] = puzzles.last.answer if captcha_answer is None else captcha_answer
    return client.post(url, data=data)


def post(client: FlaskClient, path: str, **fields: str):
    html = client.get(path).get_data(as_text=True)
    return client.post(path, data={"csrf_token": csrf_token(html), **fields})


def same_page(response, email: str) -> tuple[int, str]:
    """Status and body without the per-request tokens, the registration's ref and the address."""
    return response.status_code, REF.sub("/register/REF/", stable_body(response)).replace(
        email, "EMAIL"
    )


def code_in(message) -> str:
    return CODE.search(text_part(message)).group(1)


def wrong(code: str) -> str:
    return "0000" if code != "0000" else "1111"


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def stored(app, identifier: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.identifier == identifier))
        if user is not None:
            db.session.expunge(user)
        return user


# -- off by default ---------------------------------------------------------------------------


class TestDisabled:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, dict[str, object]]:
        return {}

    def test_pages_do_not_exist_and_sign_in_does_not_offer_them(self, client):
        assert client.get("/register").status_code == 404
        assert client.post("/register", data={"email": "a@example.org"}).status_code == 404
        assert client.get("/register/x/code").status_code == 404
        assert page_text("login.register_intro") not in client.get("/login").get_data(as_text=True)


def test_default_is_off_and_settings_are_checked(tmp_path):
    assert settings_for(tmp_path).registration.enabled is False
    with pytest.raises(ConfigError, match="identifier"):
        settings_for(tmp_path, registration={"identifier": "random"})


def test_sign_in_page_offers_registration(client):
    page = client.get("/login").get_data(as_text=True)
    assert page_text("login.register_intro") in page
    assert 'href="/register"' in page


# -- the walk ---------------------------------------------------------------------------------


def test_chosen_identifier_walk(app, client, factories, puzzles):
    started = register(client, puzzles, email="Nouveau@Example.org", identifier="Jean.Martin")
    assert started.status_code == 303
    code_page = started.location
    assert REF.match(code_page) and code_page.endswith("/code")
    message = last_email(app)
    assert message["To"] == "Nouveau@example.org"
    code = code_in(message)
    page = client.get(code_page).get_data(as_text=True)
    assert (
        page_text("registration.code_sent", address="Nouveau@example.org", digits=4, minutes=30)
        in page
    )
    # The password page opens only once the address is proven.
    password_page = code_page.replace("/code", "/password")
    assert client.get(password_page).location == code_page
    answer = post(client, code_page, code=wrong(code))
    assert page_text("registration.code_wrong", left=4) in answer.get_data(as_text=True)
    assert post(client, code_page, code=code).location == password_page
    weak = post(
        client, password_page, identifier="jean.martin", new_password="court", confirmation="court"
    )
    assert weak.status_code == 200
    assert stored(app, "jean.martin") is None
    done = post(
        client,
        password_page,
        identifier="jean.martin",
        new_password=NEW_PASSWORD,
        confirmation=NEW_PASSWORD,
    )
    assert done.status_code == 200
    assert "jean.martin" in done.get_data(as_text=True)
    user = stored(app, "jean.martin")
    assert user.email == "Nouveau@example.org"
    assert user.email_verified and user.category == "particulier"
    assert not user.password_temporary and user.contacts_confirmed_at is not None
    assert [e.outcome for e in factories.audit("registration_code")] == ["wrong", "ok"]
    assert [e.user_id for e in factories.audit("registered")] == [user.id]
    # Spent: the registration is gone, its pages with it.
    assert count(app, PendingRegistration) == 0
    assert client.get(code_page).status_code == 404
    assert client.get(password_page).status_code == 404
    # The new account signs in, straight to its page (nothing left to confirm).
    assert submit(client, puzzles, "jean.martin", NEW_PASSWORD).location == "/account"


class TestGivenIdentifier:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, dict[str, object]]:
        return {**ENABLED, "registration": {"enabled": True, "identifier": "given"}}

    def test_identifier_is_made_shown_and_sent(self, app, client, puzzles):
        page = client.get("/register").get_data(as_text=True)
        assert 'name="identifier"' not in page
        code_page = register(client, puzzles, identifier="").location
        post(client, code_page, code=code_in(last_email(app)))
        password_page = code_page.replace("/code", "/password")
        assert 'name="identifier"' not in client.get(password_page).get_data(as_text=True)
        done = post(client, password_page, new_password=NEW_PASSWORD, confirmation=NEW_PASSWORD)
        identifier = re.search(r"data-identifier><strong>(\d{10})<", done.get_data(as_text=True))
        assert identifier is not None
        message = last_email(app)
        assert message["To"] == "nouveau@example.org"
        assert identifier.group(1) in text_part(message)
        assert stored(app, identifier.group(1)).email == "nouveau@example.org"


def test_registration_started_by_an_application_goes_back_to_it(app, client, puzzles, rp):
    sign_in_page = rp.authorize().location
    assert 'href="/register"' in client.get(sign_in_page).get_data(as_text=True)
    code_page = register(client, puzzles, email="jeanne@example.org")
    password_page = post(client, code_page.location, code=code_in(last_email(app))).location
    done = post(
        client,
        password_page,
        identifier="jeanne",
        new_password=NEW_PASSWORD,
        confirmation=NEW_PASSWORD,
    )
    # The done page offers the way back (idp.web.journey), which asks to sign in first.
    ref = re.search(r"ref=([^&]+)", sign_in_page).group(1)
    assert f'href="/authorize/resume/{ref}"' in done.get_data(as_text=True)
    back = client.get(f"/authorize/resume/{ref}").location
    assert rp.leaves(rp.walk(rp.sign_in(back, "jeanne", NEW_PASSWORD)))


def test_messages_and_account_follow_the_page_language(app, client, puzzles):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    code_page = register(client, puzzles, email="jane@example.org", identifier="jane").location
    message = last_email(app)
    assert message["Subject"] == "Your confirmation code"
    post(client, code_page, code=code_in(message))
    post(
        client,
        code_page.replace("/code", "/password"),
        identifier="jane",
        new_password=NEW_PASSWORD,
        confirmation=NEW_PASSWORD,
    )
    assert stored(app, "jane").locale == "en"


# -- no enumeration ---------------------------------------------------------------------------


class TestSameAnswers:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, dict[str, object]]:
        return {**ENABLED, "recovery": {"response_floor_ms": 150}}

    def test_address_or_identifier_in_use_changes_nothing_on_the_pages(
        self, app, client, factories, puzzles
    ):
        factories.user("marie", email="marie@example.org")
        answers = {}
        for case, email, identifier in [
            ("free", "libre@example.org", "libre"),
            ("address_in_use", "MARIE@example.org", "autre"),
            ("identifier_in_use", "autre@example.org", "marie"),
        ]:
            started = time.perf_counter()
            response = register(client, puzzles, email=email, identifier=identifier)
            elapsed = time.perf_counter() - started
            assert elapsed >= 0.15, case
            assert response.status_code == 303, case
            page = client.get(response.location)
            answers[case] = same_page(page, email)
        assert answers["free"] == answers["address_in_use"] == answers["identifier_in_use"]
        sent = emails(app)
        assert [m["To"] for m in sent] == [
            "libre@example.org",
            "MARIE@example.org",
            "autre@example.org",
        ]
        # The address in use gets the way back in, and no code.
        warning = text_part(sent[1])
        assert "/recovery/password" in warning and CODE.search(warning) is None
        assert CODE.search(text_part(sent[0])) and CODE.search(text_part(sent[2]))

    def test_a_wrong_code_reads_the_same_for_an_address_in_use(
        self, app, client, factories, puzzles
    ):
        factories.user("marie", email="marie@example.org")
        bodies = []
        for email in ("marie@example.org", "libre@example.org"):
            code_page = register(client, puzzles, email=email, identifier="x" + email[:4]).location
            answer = post(client, code_page, code="1234")
            bodies.append(same_page(answer, email))
        assert bodies[0] == bodies[1]


def test_taken_identifier_is_said_after_the_code_and_can_be_changed(
    app, client, factories, puzzles
):
    factories.user("marie", email="marie@example.org")
    code_page = register(client, puzzles, email="jeanne@example.org", identifier="Marie").location
    post(client, code_page, code=code_in(last_email(app)))
    password_page = code_page.replace("/code", "/password")
    page = client.get(password_page).get_data(as_text=True)
    assert page_text("registration.identifier_taken") in page
    again = post(
        client,
        password_page,
        identifier="marie",
        new_password=NEW_PASSWORD,
        confirmation=NEW_PASSWORD,
    )
    assert page_text("registration.identifier_taken") in again.get_data(as_text=True)
    assert stored(app, "marie").email == "marie@example.org"
    done = post(
        client,
        password_page,
        identifier="jeanne",
        new_password=NEW_PASSWORD,
        confirmation=NEW_PASSWORD,
    )
    assert done.status_code == 200
    assert stored(app, "jeanne").email == "jeanne@example.org"


def test_the_name_of_an_organisations_secondary_account_is_reserved(
    app, client, factories, puzzles
):
    """Registering "cs9.asp1ent" would block asp1ent from ever creating that secondary."""
    factories.organisation("asp1ent")
    factories.user("jeanne.dupont")  # a plain account's name is no suffix to reserve
    code_page = register(
        client, puzzles, email="jeanne@example.org", identifier="cs9.ASP1ENT"
    ).location
    post(client, code_page, code=code_in(last_email(app)))
    password_page = code_page.replace("/code", "/password")
    page = client.get(password_page).get_data(as_text=True)
    assert page_text("registration.identifier_reserved") in page
    done = post(
        client,
        password_page,
        identifier="cs9.jeanne.dupont",
        new_password=NEW_PASSWORD,
        confirmation=NEW_PASSWORD,
    )
    assert done.status_code == 200
    assert stored(app, "cs9.jeanne.dupont").email == "jeanne@example.org"
    assert stored(app, "cs9.asp1ent") is None


def test_address_registered_meanwhile_is_refused_after_the_code(app, client, factories, puzzles):
    code_page = register(client, puzzles, email="jeanne@example.org", identifier="jeanne").location
    post(client, code_page, code=code_in(last_email(app)))
    factories.user("jeanne-bis", email="jeanne@example.org")
    answer = post(
        client,
        code_page.replace("/code", "/password"),
        identifier="jeanne",
        new_password=NEW_PASSWORD,
        confirmation=NEW_PASSWORD,
    )
    assert page_text("registration.address_in_use") in answer.get_data(as_text=True)
    assert stored(app, "jeanne") is None


# -- the code ---------------------------------------------------------------------------------


def test_tries_are_limited(app, client, puzzles):
    code_page = register(client, puzzles).location
    code = code_in(last_email(app))
    for left in (4, 3, 2):
        answer = post(client, code_page, code=wrong(code)).get_data(as_text=True)
        assert page_text("registration.code_wrong", left=left) in answer
    answer = post(client, code_page, code=wrong(code)).get_data(as_text=True)
    assert page_text("registration.code_wrong_one") in answer
    assert "essai(s)" not in answer
    answer = post(client, code_page, code=wrong(code)).get_data(as_text=True)
    assert page_text("registration.code_exhausted") in answer
    # The right code no longer opens anything.
    answer = post(client, code_page, code=code)
    assert answer.status_code == 200
    assert page_text("registration.code_exhausted") in answer.get_data(as_text=True)
    assert client.get(code_page.replace("/code", "/password")).location == code_page


def test_code_expires(app, client, puzzles, clock):
    code_page = register(client, puzzles).location
    code = code_in(last_email(app))
    clock.advance(30 * 60)
    answer = post(client, code_page, code=code)
    assert page_text("registration.code_expired") in answer.get_data(as_text=True)
    assert client.get(code_page.replace("/code", "/password")).location == code_page


def test_registration_expires(app, client, puzzles, clock):
    code_page = register(client, puzzles).location
    post(client, code_page, code=code_in(last_email(app)))
    clock.advance(59 * 60)
    assert client.get(code_page.replace("/code", "/password")).status_code == 200
    clock.advance(60)
    assert client.get(code_page.replace("/code", "/password")).status_code == 404


def test_registration_belongs_to_its_browser(app, client, puzzles):
    code_page = register(client, puzzles).location
    other = app.test_client()
    assert other.get(code_page).status_code == 404


# -- defences ---------------------------------------------------------------------------------


def test_captcha_is_required(app, client, puzzles):
    for answer, message in (("WRONG1", "captcha.wrong"), ("", "captcha.required")):
        response = register(client, puzzles, captcha_answer=answer)
        assert response.status_code == 200
        assert page_text(message) in response.get_data(as_text=True)
    assert count(app, PendingRegistration) == 0
    assert emails(app) == []


@pytest.mark.parametrize("identifier", ["", "a", "jean martin", "élodie", "x" * 65])
def test_malformed_identifier_is_said_on_its_field(app, client, puzzles, identifier):
    response = register(client, puzzles, identifier=identifier)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'id="identifier-error"' in body
    assert count(app, PendingRegistration) == 0


def test_one_error_summary_when_the_captcha_and_a_field_are_wrong(app, client, puzzles):
    response = register(client, puzzles, email="pas-une-adresse", captcha_answer="WRONG1")
    body = response.get_data(as_text=True)
    assert body.count('id="form-error"') == 1
    assert page_text("captcha.wrong") in body and 'id="email-error"' in body


def test_invalid_address_is_said_on_its_field(app, client, puzzles):
    response = register(client, puzzles, email="pas-une-adresse")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'id="email-error"' in body and page_text("registration.email_invalid") in body
    assert count(app, PendingRegistration) == 0


def test_forms_need_their_csrf_token(app, client, puzzles):
    html = client.get("/register").get_data(as_text=True)
    data = {
        "email": "nouveau@example.org",
        "identifier": "nouveau",
        "captcha_ref": captcha_ref(html),
        "captcha_answer": puzzles.last.answer,
    }
    assert client.post("/register", data=data).status_code == 400
    code_page = register(client, puzzles).location
    assert client.post(code_page, data={"code": code_in(last_email(app))}).status_code == 400
    assert count(app, PendingRegistration, PendingRegistration.used_at.is_not(None)) == 0


class TestRateLimit:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, dict[str, object]]:
        limits = {"registration_per_ip": "3/minute", "registration_per_address": "2/hour"}
        return {**ENABLED, "ratelimit": limits}

    def test_too_many_registrations_answer_429(self, app, client, puzzles):
        assert register(client, puzzles).status_code == 303
        assert register(client, puzzles, email="deux@example.org").status_code == 303
        assert register(client, puzzles, email="trois@example.org").status_code == 303
        assert register(client, puzzles, email="quatre@example.org").status_code == 429
        assert count(app, PendingRegistration) == 3

    def test_one_address_gets_few_messages_whoever_asks(self, app, client, puzzles):
        for ip in ("192.0.2.1", "192.0.2.2"):
            client.environ_base["REMOTE_ADDR"] = ip
            assert register(client, puzzles, email="cible@example.org").status_code == 303
        client.environ_base["REMOTE_ADDR"] = "192.0.2.3"
        assert register(client, puzzles, email="Cible@example.org").status_code == 429
        assert len(emails(app)) == 2


def test_password_page_submitted_twice_at_once_creates_one_account(app, client, puzzles):
    code_page = register(client, puzzles, email="jeanne@example.org", identifier="jeanne").location
    post(client, code_page, code=code_in(last_email(app)))
    password_page = code_page.replace("/code", "/password")
    token = csrf_token(client.get(password_page).get_data(as_text=True))
    twin = app.test_client()
    for (domain, path, name), cookie in client._cookies.items():
        twin.set_cookie(name, cookie.value, domain=domain, path=path)
    browsers = [client, twin]
    data = {
        "csrf_token": token,
        "identifier": "jeanne",
        "new_password": NEW_PASSWORD,
        "confirmation": NEW_PASSWORD,
    }
    answers = together(2, lambda i: lambda: browsers[i].post(password_page, data=data))
    assert sorted(a.status_code for a in answers)[0] == 200
    assert 500 not in {a.status_code for a in answers}
    assert count(app, User, User.email == "jeanne@example.org") == 1
