"""Forgotten password: every path, codes, links, and no account enumeration."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from idp.extensions import db
from idp.i18n import text
from idp.models import OutboxMessage, User
from idp.services import recovery
from tests.support.factories import DEFAULT_PASSWORD
from tests.support.oidc import csrf_token
from tests.support.outbox import emails, last_email, links, open_link, text_part
from tests.support.recovery import CODE, begin, choose, post_page, walk_to_code_page
from tests.support.signin import stable_body, submit

NEW_PASSWORD = "Quatre chevaux galopent vers Nantes"
DONE = "/recovery/done"


@pytest.fixture
def settings_overrides() -> dict[str, dict[str, object]]:
    # A short floor keeps the suite fast; the timing test sets its own.
    return {"recovery": {"response_floor_ms": 1}}


def page_text(key: str, **params: object) -> str:
    return text(key, "fr", **params).replace("'", "&#39;")


def connected_user(factories, clock, **fields):
    return factories.user(last_login_at=clock.now() - 3600, phone="+33612345612", **fields)


def stored(app, identifier: str = "marie") -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.identifier == identifier))
        db.session.expunge(user)
        return user


def code_from(message) -> str:
    return CODE.search(text_part(message)).group(1)


# -- path 1: channels (connected before) ------------------------------------------------------


def test_email_code_then_temporary_password(app, client, factories, puzzles, clock):
    connected_user(factories, clock)
    page = begin(client, puzzles, "marie")
    channel_page = client.get(page).get_data(as_text=True)
    assert page_text("recovery.channel_question") in channel_page
    assert "m****@e****" not in channel_page  # masked addresses are off by default
    code_path = choose(client, page, "email").location
    message = last_email(app)
    assert message["To"] == "marie@example.org"
    wrong = post_page(client, code_path, code="000000" if code_from(message) != "000000" else "1")
    assert page_text("contacts.code_wrong", left=4) in wrong.get_data(as_text=True)
    done = post_page(client, code_path, code=code_from(message))
    assert done.location == DONE
    outcomes = [e.outcome for e in factories.audit("recovery_code")]
    assert outcomes == ["wrong", "ok"]
    # MSA: the person who proved the channel is told what it brings.
    assert page_text("recovery.temporary_sent_email") in client.get(DONE).get_data(as_text=True)
    # The temporary password arrives over the same channel; once used, the old one is gone.
    temporary = temporary_from(last_email(app))
    signed = submit(client, puzzles, password=temporary)
    assert signed.location == "/password/change"  # to personalise
    assert stored(app).password_temporary
    assert submit(app.test_client(), puzzles, password=DEFAULT_PASSWORD).status_code == 200


class DiedBeforeDeferredWork:
    """The app's deferred work as if the process died right after each answer: what a page
    left to run beside its answer is kept here, never run."""

    def __init__(self) -> None:
        self.held: list[object] = []

    def submit(self, pieces: list[object]) -> None:
        self.held.extend(pieces)

    def wait(self, timeout: float = 30) -> None:
        pass


@contextmanager
def dying_after_answers(app) -> Iterator[DiedBeforeDeferredWork]:
    """Within it, nothing deferred runs (the pages walked before ran theirs)."""
    running = app.extensions["idp.deferred"]
    app.extensions["idp.deferred"] = died = DiedBeforeDeferredWork()
    try:
        yield died
    finally:
        app.extensions["idp.deferred"] = running


def queued_templates(app) -> list[str]:
    """The templates of the outbox's rows, committed by whoever queued them, oldest first."""
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage.template).order_by(OutboxMessage.id)))


def test_the_temporary_password_is_queued_with_the_code_step_answer(
    app, client, factories, puzzles, clock
):
    """A process that dies once the right code is answered loses no temporary password: its
    message is committed with the answer, not left to work beside it."""
    connected_user(factories, clock)
    code_path = walk_to_code_page(client, puzzles, "marie")
    code = code_from(last_email(app))
    with dying_after_answers(app) as died:
        assert post_page(client, code_path, code=code).location == DONE
    assert died.held == []
    assert queued_templates(app)[-1] == "temporary_password"
    assert stored(app).pending_password_hash is not None
    assert signs_in(app, puzzles, temporary_from(last_email(app)))


def temporary_from(message) -> str:
    return re.search(r"Mot de passe provisoire : (\S+)", text_part(message)).group(1)


def signs_in(app, puzzles, password: str, identifier: str = "marie") -> bool:
    """Whether a fresh browser signs in with this password (a redirect, not the form again)."""
    return submit(app.test_client(), puzzles, identifier, password).status_code == 303


def test_the_current_password_stays_valid_until_the_temporary_one_is_used(
    app, client, factories, puzzles, clock
):
    """Defect 2: what a recovery sends waits beside the current password. Both sign in until
    the temporary one is used; then it is the password, and the change is notified."""
    connected_user(factories, clock)
    code_path = walk_to_code_page(client, puzzles, "marie")
    post_page(client, code_path, code=code_from(last_email(app)))
    temporary = temporary_from(last_email(app))
    assert "votre mot de passe actuel reste valable" in text_part(last_email(app))
    assert not any("vient d'être modifié" in text_part(m) for m in emails(app))
    assert signs_in(app, puzzles, DEFAULT_PASSWORD)
    assert not stored(app).password_temporary
    assert signs_in(app, puzzles, temporary)
    assert stored(app).password_temporary and stored(app).pending_password_hash is None
    assert not signs_in(app, puzzles, DEFAULT_PASSWORD)
    assert signs_in(app, puzzles, temporary)
    assert sum("vient d'être modifié" in text_part(m) for m in emails(app)) == 1


def test_the_temporary_password_of_a_recovery_expires(app, client, factories, puzzles, clock):
    connected_user(factories, clock)
    code_path = walk_to_code_page(client, puzzles, "marie")
    post_page(client, code_path, code=code_from(last_email(app)))
    temporary = temporary_from(last_email(app))
    clock.advance(15 * 24 * 3600)
    assert not signs_in(app, puzzles, temporary)
    assert signs_in(app, puzzles, DEFAULT_PASSWORD)


def test_sms_code_goes_to_the_mobile(app, client, factories, puzzles, clock):
    from tests.support.outbox import sms_messages

    connected_user(factories, clock)
    walk_to_code_page(client, puzzles, "marie", "sms")
    sent = sms_messages(app)[-1]
    assert sent["to"] == "+33612345612"
    assert CODE.search(sent["text"])


def test_sms_chosen_without_a_mobile_sends_the_code_by_email(
    app, client, factories, puzzles, clock
):
    """Defect 5: the account has no mobile: the code, then the temporary password, go to the
    address it has, and the pages say so in words true for everyone."""
    from tests.support.outbox import sms_messages

    factories.user(last_login_at=clock.now() - 3600, phone=None)
    code_path = walk_to_code_page(client, puzzles, "marie", "sms")
    assert sms_messages(app) == []
    assert last_email(app)["To"] == "marie@example.org"
    page = client.get(code_path).get_data(as_text=True)
    assert page_text("recovery.code_sent_sms") in page
    done = post_page(client, code_path, code=code_from(last_email(app)))
    assert done.location == DONE
    assert page_text("recovery.temporary_sent_email") in client.get(DONE).get_data(as_text=True)
    assert signs_in(app, puzzles, temporary_from(last_email(app)))
    assert sms_messages(app) == []


def test_sms_code_page_is_the_same_with_or_without_a_mobile(app, factories, puzzles, clock):
    factories.user(last_login_at=clock.now() - 3600, phone=None)
    pages = []
    for who in ("marie", "nobody"):
        http = app.test_client()
        pages.append(stable_body(http.get(walk_to_code_page(http, puzzles, who, "sms"))))
    assert pages[0] == pages[1]


class TestSetPasswordAfterCode:
    """ASSU2000: a right code opens the new-password page at once."""

    @pytest.fixture
    def settings_overrides(self):
        return {"recovery": {"after_code": "set_password", "response_floor_ms": 1}}

    def test_a_right_code_opens_the_new_password_page(self, app, client, factories, puzzles, clock):
        connected_user(factories, clock)
        code_path = walk_to_code_page(client, puzzles, "marie")
        sent = len(emails(app))
        new = post_page(client, code_path, code=code_from(last_email(app)))
        assert new.status_code == 303 and new.location == code_path.replace("/code", "/new")
        assert len(emails(app)) == sent  # nothing more is sent
        page = client.get(new.location)
        assert page_text("recovery.new_password_title") in page.get_data(as_text=True)
        changed = post_page(
            client, new.location, new_password=NEW_PASSWORD, confirmation=NEW_PASSWORD
        )
        assert changed.location == "/recovery/changed"
        assert client.get(new.location).status_code == 410  # the step is spent
        assert signs_in(app, puzzles, NEW_PASSWORD)
        assert not signs_in(app, puzzles, DEFAULT_PASSWORD)
        assert [e.detail["reason"] for e in factories.audit("password_changed")] == [
            "recovery:channels"
        ]

    def test_a_wrong_code_does_not_open_it(self, app, client, factories, puzzles, clock):
        connected_user(factories, clock)
        code_path = walk_to_code_page(client, puzzles, "marie")
        wrong = "000000" if code_from(last_email(app)) != "000000" else "111111"
        assert post_page(client, code_path, code=wrong).status_code == 200
        assert client.get(code_path.replace("/code", "/new")).status_code == 404


def test_code_is_single_use_expires_and_allows_five_tries(app, client, factories, puzzles, clock):
    connected_user(factories, clock)
    code_path = walk_to_code_page(client, puzzles, "marie")
    right = code_from(last_email(app))
    wrong = "000000" if right != "000000" else "111111"
    for left in (4, 3, 2, 1):
        response = post_page(client, code_path, code=wrong)
        assert page_text("contacts.code_wrong", left=left) in response.get_data(as_text=True)
    post_page(client, code_path, code=wrong)
    late = post_page(client, code_path, code=right)
    assert page_text("recovery.code_exhausted") in late.get_data(as_text=True)


def test_a_resend_does_not_reset_the_tries(app, client, factories, puzzles, clock):
    connected_user(factories, clock)
    code_path = walk_to_code_page(client, puzzles, "marie")
    for _ in range(4):
        post_page(
            client, code_path, code="999999" if code_from(last_email(app)) != "999999" else "1"
        )
    clock.advance(61)
    resend = post_page(client, code_path.replace("/code", "/resend"), page=client.get(code_path))
    assert resend.location == code_path
    fresh = code_from(last_email(app))
    post_page(client, code_path, code="999999" if fresh != "999999" else "1")
    late = post_page(client, code_path, code=fresh)
    assert page_text("recovery.code_exhausted") in late.get_data(as_text=True)


def test_the_recovery_in_progress_expires(app, client, factories, puzzles, clock):
    connected_user(factories, clock)
    code_path = walk_to_code_page(client, puzzles, "marie")
    clock.advance(30 * 60)
    gone = client.get(code_path)
    assert gone.status_code == 410
    assert page_text("recovery.link_step_gone") in gone.get_data(as_text=True)
    assert 'href="/recovery/password"' in gone.get_data(as_text=True)


def test_a_recovery_step_opened_in_another_browser_says_the_link_is_gone(
    app, client, factories, puzzles, clock
):
    """Defect 8: a foreign or finished step is "ce lien a expiré ou a déjà servi", not a 404."""
    connected_user(factories, clock)
    code_path = walk_to_code_page(client, puzzles, "marie")
    foreign = app.test_client().get(code_path)
    assert foreign.status_code == 410
    assert page_text("recovery.link_step_gone") in foreign.get_data(as_text=True)
    post_page(client, code_path, code=code_from(last_email(app)))
    used = client.get(code_path)
    assert used.status_code == 410
    assert page_text("recovery.link_step_gone") in used.get_data(as_text=True)


class TestCodeExpiry:
    @pytest.fixture
    def settings_overrides(self):
        return {"recovery": {"attempt_minutes": 90, "response_floor_ms": 1}}

    def test_code_expires_after_thirty_minutes(self, app, client, factories, puzzles, clock):
        connected_user(factories, clock)
        code_path = walk_to_code_page(client, puzzles, "marie")
        right = code_from(last_email(app))
        clock.advance(30 * 60)
        late = post_page(client, code_path, code=right)
        assert page_text("contacts.code_expired") in late.get_data(as_text=True)
        assert "provisoire" not in text_part(last_email(app))


class TestLinkMode:
    @pytest.fixture
    def settings_overrides(self):
        return {"recovery": {"after_code": "link", "response_floor_ms": 1}}

    def test_right_code_sends_a_link_that_works_once(self, app, client, factories, puzzles, clock):
        connected_user(factories, clock)
        code_path = walk_to_code_page(client, puzzles, "marie")
        post_page(client, code_path, code=code_from(last_email(app)))
        link = next(u for u in links(last_email(app)) if "/recovery/reset/" in u)
        token = link.rsplit("/", 1)[1]
        path = open_link(client, link, "/recovery/reset")
        page = client.get(path)
        assert page.status_code == 200 and token not in page.get_data(as_text=True)
        weak = post_page(client, path, new_password="azerty", confirmation="azerty")
        assert page_text("password.too_weak") in weak.get_data(as_text=True)
        done = post_page(client, path, new_password=NEW_PASSWORD, confirmation=NEW_PASSWORD)
        assert done.location == "/recovery/changed"
        assert client.get(path).status_code == 400  # the link has left the session
        used = client.get(open_link(client, link, "/recovery/reset"))
        assert used.status_code == 400
        assert page_text("recovery.link_used") in used.get_data(as_text=True)
        assert submit(client, puzzles, password=NEW_PASSWORD).status_code == 303

    def test_link_expires(self, app, client, factories, puzzles, clock):
        connected_user(factories, clock)
        code_path = walk_to_code_page(client, puzzles, "marie")
        post_page(client, code_path, code=code_from(last_email(app)))
        link = next(u for u in links(last_email(app)) if "/recovery/reset/" in u)
        clock.advance(61 * 60)
        expired = client.get(open_link(client, link, "/recovery/reset"))
        assert expired.status_code == 410
        assert page_text("recovery.link_expired") in expired.get_data(as_text=True)


class TestMaskedChannels:
    @pytest.fixture
    def settings_overrides(self):
        return {"recovery": {"show_masked_channels": True, "response_floor_ms": 1}}

    def test_masked_addresses_are_shown_when_configured(self, client, factories, puzzles, clock):
        connected_user(factories, clock, email="sophie@caramail.fr")
        page = client.get(begin(client, puzzles, "marie")).get_data(as_text=True)
        assert "s****@c****.fr" in page and "06 ** ** ** 12" in page
        assert "sophie" not in page


def test_recovery_unlocks_a_locked_account(app, client, factories, puzzles, clock):
    connected_user(factories, clock)
    for _ in range(5):
        submit(client, puzzles, password="wrong")
    code_path = walk_to_code_page(client, puzzles, "marie")
    post_page(client, code_path, code=code_from(last_email(app)))
    temporary = re.search(r"Mot de passe provisoire : (\S+)", text_part(last_email(app))).group(1)
    assert submit(client, puzzles, password=temporary).status_code == 303


def test_the_change_is_notified_when_the_temporary_password_is_used(
    app, client, factories, puzzles, clock
):
    connected_user(factories, clock)
    code_path = walk_to_code_page(client, puzzles, "marie")
    post_page(client, code_path, code=code_from(last_email(app)))
    assert not any("vient d'être modifié" in text_part(m) for m in emails(app))
    assert signs_in(app, puzzles, temporary_from(last_email(app)))
    assert any("vient d'être modifié" in text_part(m) for m in emails(app))


def test_wrong_captcha_stays_on_the_identity_page(client, factories, puzzles):
    response = post_page(
        client, "/recovery/password", puzzles, identifier="marie", captcha_answer="99"
    )
    assert response.status_code == 200
    assert page_text("captcha.wrong") in response.get_data(as_text=True)


# -- unknown identifiers: the same pages, nothing sent, no code ever right -------------------


def test_unknown_identifier_walks_the_same_pages(app, client, factories, puzzles, clock):
    connected_user(factories, clock)
    known_channel = client.get(begin(client, puzzles, "marie"))
    unknown_channel = client.get(begin(client, puzzles, "nobody"))
    assert known_channel.status_code == unknown_channel.status_code == 200
    assert stable_body(known_channel) == stable_body(unknown_channel)
    before = len(emails(app))
    code_path = walk_to_code_page(client, puzzles, "nobody")
    assert len(emails(app)) == before
    for left, candidate in zip((4, 3, 2), ("000000", "123456", "999999"), strict=True):
        response = post_page(client, code_path, code=candidate)
        assert page_text("contacts.code_wrong", left=left) in response.get_data(as_text=True)
    assert len(emails(app)) == before


def test_unknown_identifier_code_page_matches_a_known_one(app, client, factories, puzzles, clock):
    connected_user(factories, clock)
    known = client.get(walk_to_code_page(client, puzzles, "marie"))
    other = app.test_client()
    unknown = other.get(walk_to_code_page(other, puzzles, "nobody"))
    assert stable_body(known) == stable_body(unknown)
    wrong_known = post_page(client, known.request.path, code="000001")
    wrong_unknown = post_page(other, unknown.request.path, code="000001")
    assert wrong_known.status_code == wrong_unknown.status_code
    assert stable_body(wrong_known) == stable_body(wrong_unknown)


class TestResendWait:
    """A new code within the resend wait: the code page saying so, for known and unknown alike."""

    @pytest.fixture
    def settings_overrides(self):
        return {"recovery": {"response_floor_ms": 100}}

    def test_a_new_recovery_within_the_wait_is_the_same_page(self, app, factories, puzzles, clock):
        connected_user(factories, clock)
        pages = {}
        for who in ("marie", "nobody"):
            http = app.test_client()
            walk_to_code_page(http, puzzles, who)
            clock.advance(15)
            form = http.get(begin(http, puzzles, who))
            started = time.perf_counter()
            again = choose(http, form.request.path, "email")
            assert time.perf_counter() - started >= 0.1  # under the floor, like any answer
            assert again.status_code == 303 and again.location.endswith("/code")
            page = http.get(again.location)
            assert page.status_code == 200
            assert page_text("recovery.code_wait", minutes=1) in page.get_data(as_text=True)
            pages[who] = stable_body(page)
        assert pages["marie"] == pages["nobody"]
        assert len(emails(app)) == 1  # the wait sent nothing

    def test_the_channel_form_sent_twice_is_the_same_page(self, app, factories, puzzles, clock):
        connected_user(factories, clock)
        pages = {}
        for who in ("marie", "nobody"):
            http = app.test_client()
            channel_path = begin(http, puzzles, who)
            choose(http, channel_path, "email")
            again = choose(http, channel_path, "email")
            assert again.status_code == 303 and again.location.endswith("/code")
            pages[who] = stable_body(http.get(again.location))
        assert page_text("recovery.code_wait", minutes=1) in pages["marie"]
        assert pages["marie"] == pages["nobody"]


def test_tries_left_do_not_depend_on_the_account(app, factories, puzzles, clock):
    """Tries are shown per recovery attempt; the account's code stays exhausted all the same."""
    connected_user(factories, clock)
    seen: dict[str, list[str]] = {"marie": [], "nobody": []}
    for _ in range(3):
        for who, pages in seen.items():
            http = app.test_client()
            code_path = walk_to_code_page(http, puzzles, who)
            right = code_from(last_email(app))
            wrong = "000000" if right != "000000" else "111111"
            for candidate in (wrong, wrong):
                pages.append(stable_body(post_page(http, code_path, code=candidate)))
        clock.advance(61)
    assert seen["marie"] == seen["nobody"]
    assert page_text("contacts.code_wrong", left=3) in seen["nobody"][-1]
    # Five tries spent on the account's code: even the right one is refused now.
    sent = len(emails(app))
    http = app.test_client()
    code_path = walk_to_code_page(http, puzzles, "marie")
    refused = post_page(http, code_path, code=code_from(last_email(app)))
    assert page_text("contacts.code_wrong", left=4) in refused.get_data(as_text=True)
    assert len(emails(app)) == sent + 1  # the new code, and no temporary password
    outcomes = [e.outcome for e in factories.audit("recovery_code")]
    assert outcomes == ["wrong"] * 4 + ["exhausted"] * 3


# -- path 2: the secret question (BonusEco) ---------------------------------------------------


class TestSecretQuestion:
    @pytest.fixture
    def settings_overrides(self):
        return {"recovery": {"order": "secret_question channels", "response_floor_ms": 1}}

    @pytest.fixture
    def user(self, app, factories, clock):
        from idp.services.secret_question import set_secret

        user = connected_user(factories, clock)
        with app.app_context():
            stored_user = db.session.get(User, user.id)
            set_secret(
                stored_user, "birth_town", "Saint-Étienne", hash_key=app.extensions["idp"].hash_key
            )
            db.session.commit()
        return user

    def test_right_answer_sends_a_link(self, app, client, user, puzzles):
        question = choose(client, begin(client, puzzles, "marie"), "email").location
        assert question.endswith("/question")
        page = client.get(question).get_data(as_text=True)
        assert page_text("secret.question.birth_town") in page
        done = post_page(client, question, answer="saint etienne")
        assert done.location == DONE
        assert any("/recovery/reset/" in u for u in links(last_email(app)))

    def test_wrong_answer_sends_nothing_and_ends_the_same(self, app, client, user, puzzles):
        question = choose(client, begin(client, puzzles, "marie"), "email").location
        done = post_page(client, question, answer="Lyon")
        assert done.location == DONE
        assert emails(app) == []

    def test_five_wrong_answers_close_the_path(self, app, client, user, puzzles):
        for _ in range(5):
            question = choose(client, begin(client, puzzles, "marie"), "email").location
            post_page(client, question, answer="Lyon")
        question = choose(client, begin(client, puzzles, "marie"), "email").location
        post_page(client, question, answer="Saint-Étienne")
        assert emails(app) == []


def test_a_secret_question_is_asked_by_default_even_after_signing_in(
    app, client, factories, puzzles, clock
):
    """BonusEco: the question set at activation, with the default order."""
    from idp.services.secret_question import set_secret

    user = connected_user(factories, clock)
    with app.app_context():
        stored_user = db.session.get(User, user.id)
        set_secret(stored_user, "birth_town", "Niort", hash_key=app.extensions["idp"].hash_key)
        db.session.commit()
    question = choose(client, begin(client, puzzles, "marie"), "email").location
    assert question.endswith("/question")
    assert post_page(client, question, answer="niort").location == DONE
    assert any("/recovery/reset/" in u for u in links(last_email(app)))


class TestNothingToAsk:
    """BonusEco's order: no secret set and nothing usable, or an unknown identifier: the
    seed's assistance message where the question would be, word for word the same."""

    @pytest.fixture
    def settings_overrides(self):
        return {"recovery": {"order": "secret_question", "response_floor_ms": 1}}

    def test_the_same_assistance_page_for_both(self, app, factories, puzzles, clock):
        factories.user(last_login_at=clock.now() - 3600)
        pages = []
        for who in ("marie", "nobody"):
            http = app.test_client()
            answered = choose(http, begin(http, puzzles, who), "email")
            assert answered.location == "/recovery/assistance"
            pages.append(http.get(answered.location))
        assert stable_body(pages[0]) == stable_body(pages[1])
        said = pages[0].get_data(as_text=True)
        assert page_text("recovery.secrets_missing", phone="0 800 74 74 00") in said
        assert "L&#39;ensemble des secrets (question/réponse secrètes) n&#39;étant pas" in said
        assert emails(app) == []


# -- path 4: no e-mail known (ASSU2000): a code by post ---------------------------------------


class TestPostalCode:
    @pytest.fixture
    def user(self, factories, clock):
        return factories.user(
            email=None,
            last_login_at=clock.now() - 3600,
            street_address="3 rue des Lilas",
            postal_code="42000",
            locality="Saint-Étienne",
        )

    def test_letter_code_lets_the_user_choose_a_password(self, app, client, user, puzzles, clock):
        from tests.support.outbox import letter_text, letters

        done = choose(client, begin(client, puzzles, "marie"), "email")
        assert done.location == DONE
        letter = letters(app)[-1]
        body = letter_text(letter)
        assert "3 rue des Lilas" in body and "42000" in body
        code = CODE.search(body).group(1)
        clock.advance(14 * 24 * 3600)  # still valid after two weeks
        verified = post_page(client, "/recovery/letter", puzzles, identifier="marie", code=code)
        assert verified.status_code == 303 and verified.location.endswith("/new")
        changed = post_page(
            client, verified.location, new_password=NEW_PASSWORD, confirmation=NEW_PASSWORD
        )
        assert changed.location == "/recovery/changed"
        assert submit(client, puzzles, password=NEW_PASSWORD).status_code == 303
        # Single use.
        again = post_page(client, "/recovery/letter", puzzles, identifier="marie", code=code)
        assert page_text("recovery.letter_code_wrong") in again.get_data(as_text=True)

    def test_the_letter_says_the_walk_the_pages_make(self, app, client, user, puzzles):
        """Defect 6: the letter's steps, followed from the sign-in page, reach the code form
        (no second letter, no channel step) and end with the new password."""
        from tests.support.outbox import letter_text, letters

        choose(client, begin(client, puzzles, "marie"), "sms")
        [letter] = letters(app)
        said = " ".join(letter_text(letter).split())
        assert "cliquez sur « J'ai oublié mon mot de passe », puis sur « J'ai reçu un code" in said
        direct = re.search(r"adresse directe : (\S+?)\)", said).group(1)
        code = CODE.search(said).group(1)
        walker = app.test_client()
        sign_in_page = walker.get("/login").get_data(as_text=True)
        forgot = link_named(sign_in_page, text("login.forgot_password", "fr"))
        have_code = link_named(
            walker.get(forgot).get_data(as_text=True), text("recovery.have_letter_code", "fr")
        )
        assert direct == "http://idp.test" + have_code
        form = walker.get(have_code).get_data(as_text=True)
        assert all(f'name="{field}"' in form for field in ("identifier", "code", "captcha_answer"))
        verified = post_page(walker, have_code, puzzles, identifier="marie", code=code)
        assert verified.location.endswith("/new") and "/channel" not in verified.location
        changed = post_page(
            walker, verified.location, new_password=NEW_PASSWORD, confirmation=NEW_PASSWORD
        )
        assert changed.location == "/recovery/changed"
        assert len(letters(app)) == 1
        assert signs_in(app, puzzles, NEW_PASSWORD)

    def test_letter_code_expires_after_fifteen_days(self, app, client, user, puzzles, clock):
        from tests.support.outbox import letter_text, letters

        choose(client, begin(client, puzzles, "marie"), "email")
        code = CODE.search(letter_text(letters(app)[-1])).group(1)
        clock.advance(15 * 24 * 3600)
        late = post_page(client, "/recovery/letter", puzzles, identifier="marie", code=code)
        assert page_text("recovery.letter_code_wrong") in late.get_data(as_text=True)


# -- path 3: never connected (MSA case 2) -----------------------------------------------------


class TestOrganisationData:
    @pytest.fixture
    def user(self, app, factories):
        user = factories.user(
            contacts_confirmed_at=None,
            street_address="12 chemin des Vignes",
            postal_code="79000",
            locality="Niort",
            category="particulier",
        )
        with app.app_context():
            stored_user = db.session.get(User, user.id)
            recovery.set_fact(
                stored_user, "prestation", "152,40 €", hash_key=app.extensions["idp"].hash_key
            )
            db.session.commit()
        return user

    def test_right_answer_sends_the_password_over_the_channel(self, app, client, user, puzzles):
        fact = choose(client, begin(client, puzzles, "marie"), "email").location
        assert fact.endswith("/fact")
        assert page_text("recovery.fact.prestation") in client.get(fact).get_data(as_text=True)
        assert post_page(client, fact, answer="152.4").location == DONE
        assert "Mot de passe provisoire" in text_part(last_email(app))

    @pytest.mark.parametrize(
        ("answer", "queued"),
        [
            ("152,40", ["temporary_password"]),
            ("99,00", ["temporary_password", "letter_on_its_way"]),
        ],
    )
    def test_the_answer_commits_the_password_with_it(
        self, app, client, user, puzzles, answer, queued
    ):
        """Right (over the channel) or wrong (by post, and the channel says a letter comes):
        nothing of it is left to work beside the answer, which a dying process would lose."""
        fact = choose(client, begin(client, puzzles, "marie"), "email").location
        with dying_after_answers(app) as died:
            assert post_page(client, fact, answer=answer).location == DONE
        assert died.held == []
        assert queued_templates(app) == queued
        assert stored(app).pending_password_hash is not None

    def test_every_answer_costs_one_hash(self, app, client, user, puzzles, monkeypatch):
        """Its time must not tell a right answer from a wrong one, nor a letter already on
        its way (no new password then): each answer costs one argon2 computation."""
        hashing = app.extensions["idp"].passwords
        spent: list[str] = []
        hash_, verify = hashing.hash, hashing.verify
        monkeypatch.setattr(hashing, "hash", lambda p: spent.append("hash") or hash_(p))
        monkeypatch.setattr(hashing, "verify", lambda h, p: spent.append("verify") or verify(h, p))
        costs = {}
        for answer, case in (("99,00", "wrong"), ("99,00", "posted"), ("152,40", "right")):
            fact = choose(client, begin(client, puzzles, "marie"), "email").location
            page = client.get(fact)
            spent.clear()
            assert post_page(client, fact, page=page, answer=answer).location == DONE
            costs[case] = list(spent)
        assert costs == {"wrong": ["hash"], "posted": ["verify"], "right": ["hash"]}

    def test_wrong_answer_sends_it_by_post_and_says_so(self, app, client, user, puzzles):
        from tests.support.outbox import letter_text, letters

        fact = choose(client, begin(client, puzzles, "marie"), "email").location
        assert post_page(client, fact, answer="99,00").location == DONE
        assert "courrier" in text_part(last_email(app)).lower()
        assert "Mot de passe provisoire" not in text_part(last_email(app))
        assert "12 chemin des Vignes" in letter_text(letters(app)[-1])

    def test_a_wrong_answer_takes_nothing_from_the_holder(
        self, app, client, user, puzzles, factories
    ):
        """Defect 2: a stranger answers wrong: a letter is posted, the e-mail says so (not
        that the password changed), and the agent's temporary password still signs in until
        the letter's is used."""
        from tests.support.outbox import letter_text, letters

        fact = choose(client, begin(client, puzzles, "marie"), "email").location
        assert post_page(client, fact, answer="99,00").location == DONE
        notice = text_part(last_email(app))
        assert "Votre mot de passe n'a pas été modifié" in notice
        assert not any("vient d'être modifié" in text_part(m) for m in emails(app))
        assert factories.audit("password_changed") == []
        assert signs_in(app, puzzles, DEFAULT_PASSWORD)
        body = letter_text(letters(app)[-1])
        posted = re.findall(r"Votre mot de passe provisoire\n(\S+)", body)[-1]
        assert "votre mot de passe actuel reste valable" in " ".join(body.split())
        assert signs_in(app, puzzles, posted)
        assert not signs_in(app, puzzles, DEFAULT_PASSWORD)

    def test_a_second_request_the_same_day_leaves_the_letter_in_the_post(
        self, app, client, user, puzzles, clock, factories
    ):
        """A new letter would void the one on its way: at most one a day."""
        from tests.support.outbox import letter_text, letters

        for _ in range(2):
            fact = choose(client, begin(client, puzzles, "marie"), "email").location
            assert post_page(client, fact, answer="99,00").location == DONE
            clock.advance(3600)
        [letter] = letters(app)
        posted = re.findall(r"Votre mot de passe provisoire\n(\S+)", letter_text(letter))[-1]
        assert [e.outcome for e in factories.audit("recovery_letter")] == ["already_posted"]
        clock.advance(23 * 3600)
        fact = choose(client, begin(client, puzzles, "marie"), "email").location
        post_page(client, fact, answer="99,00")
        assert len(letters(app)) == 2  # a day later, a new one (the newest counts)
        assert not signs_in(app, puzzles, posted)

    def test_sms_chosen_without_a_mobile_gets_the_password_by_email(
        self, app, client, user, puzzles
    ):
        """Defect 5: a right answer, SMS chosen, no mobile known: the e-mail the account has."""
        from tests.support.outbox import letters, sms_messages

        fact = choose(client, begin(client, puzzles, "marie"), "sms").location
        assert post_page(client, fact, answer="152,40").location == DONE
        assert sms_messages(app) == [] and letters(app) == []
        assert signs_in(app, puzzles, temporary_from(last_email(app)))

    def test_a_wrong_answer_says_by_email_when_no_mobile_is_known(self, app, client, user, puzzles):
        from tests.support.outbox import letters, sms_messages

        fact = choose(client, begin(client, puzzles, "marie"), "sms").location
        post_page(client, fact, answer="99,00")
        assert sms_messages(app) == [] and len(letters(app)) == 1
        assert "Un courrier vous est adressé" in last_email(app)["Subject"]


def test_an_address_no_letter_can_carry_sends_nothing(app, client, factories, puzzles, caplog):
    """Never connected, nothing to ask, a postal code of four digits: no password is issued
    nor announced, the page is the one everybody reads, and the operators are told."""
    factories.user(street_address="1 rue Haute", postal_code="7900", locality="Niort")
    with caplog.at_level("WARNING", logger="idp.services.recovery"):
        assert choose(client, begin(client, puzzles, "marie"), "email").location == DONE
    assert queued_templates(app) == []
    assert stored(app).pending_password_hash is None
    assert "no temporary password by post" in caplog.text


def test_nothing_usable_walks_the_unknown_pages(app, client, factories, puzzles):
    factories.user(email=None, last_login_at=None)  # no channel, no address, no secret
    code_path = walk_to_code_page(client, puzzles, "marie")
    assert emails(app) == []
    assert post_page(client, code_path, code="123456").status_code == 200
    done = client.get(DONE).get_data(as_text=True)
    assert page_text("recovery.no_secrets", phone="0 800 74 74 00") in done


def link_named(html: str, name: str) -> str:
    """The href of the link whose text is `name` (as a person clicks it)."""
    escaped = re.escape(name.replace("'", "&#39;"))
    return re.search(rf'<a [^>]*href="([^"]+)"[^>]*>\s*{escaped}\s*</a>', html).group(1)


def answer_only_client(app) -> FlaskClient:
    """A client that has the answer as soon as it is sent, as a browser does, without
    waiting for the deliveries left running beside it."""
    return FlaskClient(app, app.response_class, use_cookies=True)


class TestNoEnumeration:
    """known, unknown, locked and never-connected identifiers: the same answers."""

    @pytest.fixture
    def settings_overrides(self):
        return {"recovery": {"response_floor_ms": 120}}

    @pytest.fixture
    def identifiers(self, app, factories, clock, puzzles, client):
        connected_user(factories, clock)
        factories.user("locked-one", last_login_at=clock.now() - 60, email="l@example.org")
        factories.user(
            "never-connected",
            email="n@example.org",
            street_address="1 rue Haute",
            postal_code="79000",
            locality="Niort",
        )
        for _ in range(5):
            submit(client, puzzles, "locked-one", "wrong")
        return ["marie", "nobody", "locked-one", "never-connected"]

    def test_channel_pages_are_the_same(self, app, identifiers, puzzles):
        bodies = {}
        for who in identifiers:
            http = app.test_client()
            page = http.get(begin(http, puzzles, who))
            assert page.status_code == 200
            bodies[who] = stable_body(page)
        assert len(set(bodies.values())) == 1, bodies.keys()

    def test_identity_and_channel_steps_take_the_same_time(self, app, identifiers, puzzles, clock):
        durations: dict[str, list[float]] = {who: [] for who in identifiers}
        for _ in range(3):
            for who in identifiers:
                http = answer_only_client(app)
                page = http.get("/recovery/password")
                started = time.perf_counter()
                identity = post_page(http, "/recovery/password", puzzles, page=page, identifier=who)
                first = time.perf_counter() - started
                identity.close()
                form = http.get(identity.location)
                data = {"csrf_token": csrf_token(form.get_data(as_text=True)), "channel": "email"}
                started = time.perf_counter()
                answer = http.post(identity.location, data=data)
                durations[who].append(first + time.perf_counter() - started)
                answer.close()
                app.extensions["idp.deferred"].wait()  # let the delivery end before the next
                clock.advance(61)
        fastest = {who: min(times) for who, times in durations.items()}
        spread = max(fastest.values()) - min(fastest.values())
        assert spread < 0.06, fastest
        assert min(fastest.values()) >= 0.24  # two steps, each at least the floor
