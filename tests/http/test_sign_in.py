"""The hosted sign-in under attack: captcha, lockout, enumeration, account states."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from idp.extensions import db
from idp.i18n import text
from idp.models import AuditEvent, BrowserSession, SignInThrottle
from tests.support.factories import DEFAULT_PASSWORD
from tests.support.signin import captcha_ref, stable_body, submit


@pytest.fixture
def settings_overrides() -> dict[str, dict[str, object]]:
    return {"captcha": {"mode": "always"}}


def message(key: str, **params: object) -> str:
    """A catalogue message as the page shows it (HTML-escaped apostrophes)."""
    return text(key, "fr", **params).replace("'", "&#39;")


def signed_in(app) -> bool:
    with app.app_context():
        return (
            db.session.scalar(select(BrowserSession.id).where(BrowserSession.ended_at.is_(None)))
            is not None
        )


def fail(client, puzzles, times: int, identifier: str = "marie") -> None:
    for _ in range(times):
        submit(client, puzzles, identifier, "wrong password")


def test_right_password_and_captcha_sign_in(app, client, factories, puzzles):
    factories.user()
    response = submit(client, puzzles)
    assert response.status_code == 303
    assert response.location == "/account"
    assert signed_in(app)


def test_wrong_password_is_one_generic_message(client, factories, puzzles):
    factories.user()
    response = submit(client, puzzles, password="nope")
    assert response.status_code == 200
    assert message("login.invalid_credentials") in response.get_data(as_text=True)


def test_fifth_failure_locks_and_right_password_is_then_refused(app, client, factories, puzzles):
    factories.user()
    fail(client, puzzles, 4)
    fifth = submit(client, puzzles, password="still wrong")
    assert message("login.locked", minutes=20) in fifth.get_data(as_text=True)
    locked = submit(client, puzzles)  # the right password
    assert locked.status_code == 200
    assert message("login.locked", minutes=20) in locked.get_data(as_text=True)
    assert not signed_in(app)


def test_lock_ends_after_the_configured_time(client, factories, puzzles, clock):
    factories.user()
    fail(client, puzzles, 5)
    clock.advance(19 * 60)
    assert submit(client, puzzles).status_code == 200  # still locked
    clock.advance(60)
    assert submit(client, puzzles).status_code == 303


class TestDoublingLocks:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, dict[str, object]]:
        return {"captcha": {"mode": "never"}, "lockout": {"growth": "double"}}

    def test_each_further_lock_lasts_twice_as_long(self, client, factories, puzzles, clock):
        factories.user()
        fail(client, puzzles, 5)
        clock.advance(20 * 60)
        second = None
        for _ in range(5):
            second = submit(client, puzzles, password="wrong again")
        assert message("login.locked", minutes=40) in second.get_data(as_text=True)
        clock.advance(39 * 60)
        assert submit(client, puzzles).status_code == 200
        clock.advance(60)
        assert submit(client, puzzles).status_code == 303


class TestDailyMaximum:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, dict[str, object]]:
        return {"captcha": {"mode": "never"}, "lockout": {"daily_max_failures": 8}}

    def test_daily_failures_lock_until_the_day_is_over(self, client, factories, puzzles, clock):
        factories.user()
        fail(client, puzzles, 5)  # first lock (20 min)
        clock.advance(20 * 60)
        fail(client, puzzles, 3)  # 8 failures in the day: locked for the rest of the window
        clock.advance(60 * 60)
        assert submit(client, puzzles).status_code == 200
        clock.advance(23 * 3600)
        assert submit(client, puzzles).status_code == 303


def test_unknown_identifier_is_locked_like_a_known_one(client, factories, puzzles):
    factories.user()
    fail(client, puzzles, 5, identifier="nobody")
    response = submit(client, puzzles, "nobody", "anything")
    assert message("login.locked", minutes=20) in response.get_data(as_text=True)


def test_known_and_unknown_identifiers_get_the_same_answer(client, factories, puzzles):
    factories.user()
    known = submit(client, puzzles, "marie", "wrong password")
    unknown = submit(client, puzzles, "mariee", "wrong password")
    assert known.status_code == unknown.status_code == 200
    assert stable_body(known).replace("marie", "X") == stable_body(unknown).replace("mariee", "X")
    fail(client, puzzles, 4, "marie")
    fail(client, puzzles, 4, "mariee")
    known_locked = submit(client, puzzles, "marie", "x")
    unknown_locked = submit(client, puzzles, "mariee", "x")
    assert stable_body(known_locked).replace("marie", "X") == stable_body(unknown_locked).replace(
        "mariee", "X"
    )


def test_misread_captchas_never_lock_the_right_password(app, client, factories, puzzles):
    """A careful reader misreads one image in four: misreads are counted apart, never locking."""
    factories.user()
    for _ in range(12):
        misread = submit(client, puzzles, captcha_answer="WRONG1")
        assert message("captcha.wrong") in misread.get_data(as_text=True)
    with app.app_context():
        rows = list(db.session.scalars(select(SignInThrottle)))
    assert sorted((row.consecutive_failures, row.locked_until) for row in rows) == [(0, None)]
    assert submit(client, puzzles).status_code == 303


def test_a_misread_captcha_asks_to_type_the_password_again(client, factories, puzzles):
    factories.user()
    misread = submit(client, puzzles, captcha_answer="WRONG1").get_data(as_text=True)
    assert message("captcha.wrong") in misread
    assert message("login.password_not_checked") in misread
    assert 'name="password" required type="password" value=""' in misread


def test_captcha_answers_are_compared_case_insensitively(app, client, factories, puzzles):
    factories.user()
    page = client.get("/login")
    assert (
        submit(client, puzzles, page=page, captcha_answer=puzzles.last.answer.lower()).status_code
        == 303
    )


def test_wrong_passwords_say_how_many_tries_are_left(client, factories, puzzles):
    factories.user()
    first = submit(client, puzzles, password="wrong").get_data(as_text=True)
    assert message("login.invalid_credentials") in first
    assert message("login.tries_left", left=4) in first
    assert "Il vous reste 4 essais avant" in first
    fail(client, puzzles, 2)
    fourth = submit(client, puzzles, password="wrong").get_data(as_text=True)
    assert "Il vous reste 1 essai avant" in fourth


def test_tries_left_read_the_same_for_an_unknown_identifier(client, factories, puzzles):
    factories.user()
    fail(client, puzzles, 2)
    known = submit(client, puzzles, password="wrong")
    fail(client, puzzles, 2, identifier="nobody")
    unknown = submit(client, puzzles, "nobody", "wrong")
    assert message("login.tries_left", left=2) in known.get_data(as_text=True)
    assert stable_body(known).replace("marie", "X") == stable_body(unknown).replace("nobody", "X")


def test_captcha_answer_is_single_use(client, factories, puzzles):
    factories.user()
    page = client.get("/login")
    ref = captcha_ref(page.get_data(as_text=True))
    answer = puzzles.last.answer
    submit(client, puzzles, password="wrong", page=page)  # consumes the challenge
    from tests.support.oidc import csrf_token

    replay = client.post(
        "/login",
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "identifier": "marie",
            "password": DEFAULT_PASSWORD,
            "captcha_ref": ref,
            "captcha_answer": answer,
        },
    )
    assert replay.status_code == 200
    assert message("captcha.wrong") in replay.get_data(as_text=True)


def test_captcha_expires_after_five_minutes(client, factories, puzzles, clock):
    factories.user()
    page = client.get("/login")
    clock.advance(301)
    response = submit(client, puzzles, page=page)
    assert message("captcha.wrong") in response.get_data(as_text=True)


def test_captcha_answer_is_never_given_to_the_browser(app, client, factories, puzzles, caplog):
    factories.user()
    page = client.get("/login?captcha=audio")
    answer = puzzles.last.answer
    cookies = " ".join(page.headers.getlist("Set-Cookie"))
    assert answer not in page.get_data(as_text=True)
    assert answer not in cookies
    submit(client, puzzles, password="wrong", page=page)
    assert answer not in caplog.text
    with app.app_context():
        stored = db.session.execute(
            select(db.text("answer_hash, question FROM captcha_challenges"))
        ).all()
    assert stored and all(answer not in (row[0] + (row[1] or "")) for row in stored)


def test_captcha_image_and_sound_belong_to_one_browser(app, client, factories, puzzles):
    page = client.get("/login?captcha=audio")
    ref = captcha_ref(page.get_data(as_text=True))
    image = client.get(f"/captcha/{ref}/image")
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.data.startswith(b"\x89PNG")
    sound = client.get(f"/captcha/{ref}/audio")
    assert sound.status_code == 200 and sound.data.startswith(b"RIFF")
    assert app.test_client().get(f"/captcha/{ref}/image").status_code == 404


def test_missing_captcha_fields_are_refused_without_checking_the_password(
    app, client, factories, puzzles
):
    factories.user()
    page = client.get("/login")
    from tests.support.oidc import csrf_token

    response = client.post(
        "/login",
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "identifier": "marie",
            "password": DEFAULT_PASSWORD,
        },
    )
    assert response.status_code == 200
    assert message("captcha.required") in response.get_data(as_text=True)
    assert not signed_in(app)


class TestCaptchaAfterFailures:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, dict[str, object]]:
        return {"captcha": {"mode": "after_failures", "after": 1}}

    def test_no_captcha_until_a_failure(self, client, factories, puzzles):
        factories.user()
        first = client.get("/login")
        assert captcha_ref(first.get_data(as_text=True)) is None
        failed = submit(client, puzzles, password="wrong", page=first)
        assert captcha_ref(failed.get_data(as_text=True)) is not None
        assert submit(client, puzzles).status_code == 303

    def test_misread_captchas_keep_the_captcha_for_that_identifier(
        self, app, client, factories, puzzles
    ):
        """Wrong passwords forgiven (a recovery unlocks), the day's misreads still count: a
        browser with no failures of its own must answer the captcha for that identifier."""
        factories.user()
        submit(client, puzzles, password="wrong")  # the captcha is asked from now on
        submit(client, puzzles, captcha_answer="WRONG1")
        with app.app_context():
            from idp.runtime import runtime

            runtime().lockout.unlock("marie", now=runtime().now())
            db.session.commit()
        other = app.test_client()
        response = submit(other, puzzles, page=other.get("/login"))  # no captcha on the form
        assert response.status_code == 200
        assert message("captcha.required") in response.get_data(as_text=True)


class TestArithmeticCaptcha:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, dict[str, object]]:
        return {"captcha": {"mode": "always", "kind": "arithmetic"}}

    def test_sum_is_asked_in_words_and_checked(self, client, factories, puzzles):
        factories.user()
        page = client.get("/login")
        assert puzzles.last.question in page.get_data(as_text=True)
        assert '/image"' not in page.get_data(as_text=True)
        wrong = submit(client, puzzles, page=page, captcha_answer="999")
        assert message("captcha.wrong") in wrong.get_data(as_text=True)
        assert submit(client, puzzles).status_code == 303


def test_disabled_account_has_its_own_message_only_with_the_right_password(
    app, client, factories, puzzles
):
    factories.user(status="disabled")
    wrong = submit(client, puzzles, password="wrong")
    assert message("login.invalid_credentials") in wrong.get_data(as_text=True)
    right = submit(client, puzzles)
    assert message("login.disabled") in right.get_data(as_text=True)
    assert not signed_in(app)


def test_old_argon2_hashes_are_upgraded_at_sign_in(app, client, factories, puzzles):
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=256, parallelism=1).hash(DEFAULT_PASSWORD)
    user = factories.user(password_hash=weak)
    assert submit(client, puzzles).status_code == 303
    with app.app_context():
        from idp.models import User

        upgraded = db.session.get(User, user.id).password_hash
    assert upgraded != weak
    assert "m=1024,t=1" in upgraded  # the test configuration's cost


def test_audit_records_successes_failures_locks_and_captcha_failures(
    app, client, factories, puzzles
):
    factories.user()
    submit(client, puzzles, captcha_answer="WRONG1")
    fail(client, puzzles, 5)
    with app.app_context():
        events = [(e.event, e.outcome) for e in db.session.scalars(select(AuditEvent))]
        rows = list(db.session.scalars(select(AuditEvent)))
    assert ("captcha_failed", "refused") in events
    assert events.count(("sign_in", "invalid_credentials")) == 4
    assert ("account_locked", "locked") in events
    assert all(row.ip == "127.0.0.1" for row in rows)
    assert ("sign_in", "locked") in events


def test_throttle_rows_do_not_store_identifiers_in_clear(app, client, factories, puzzles):
    fail(client, puzzles, 1, identifier="someone.private")
    with app.app_context():
        row = db.session.scalar(select(SignInThrottle))
    assert row is not None and "someone" not in row.identifier_hash
