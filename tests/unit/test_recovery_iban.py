"""The IBAN tries of the forgotten-identifier path, asked directly of the recovery service."""

from __future__ import annotations

from idp.extensions import db
from idp.models import RecoveryAttempt, User
from idp.services import civil_data, recovery, users

IBAN = "FR76 3000 6000 0112 3456 7890 189"
RIGHT, WRONG = "890189", "000000"


def _attempt(app, user: User | None) -> RecoveryAttempt:
    rt = app.extensions["idp"]
    attempt = recovery.begin(user, recovery.Path.IDENTIFIER, binding="b" * 64, now=rt.now(), rt=rt)
    db.session.flush()
    return attempt


def _with_iban(app, factories) -> int:
    user_id = factories.user(email=None).id
    with app.app_context():
        civil_data.set_iban(users.get(user_id), IBAN, hash_key=app.extensions["idp"].hash_key)
        db.session.commit()
    return user_id


def test_the_right_tail_shows_the_account_and_ends_the_attempt(app, factories):
    user_id = _with_iban(app, factories)
    rt = app.extensions["idp"]
    with app.app_context():
        attempt = _attempt(app, users.get(user_id))
        wrong = recovery.check_iban_tail(attempt, WRONG, rt=rt)
        assert (wrong.user, wrong.left) == (None, rt.settings.recovery.code_max_attempts - 1)
        right = recovery.check_iban_tail(attempt, RIGHT, rt=rt)
        assert right.user is not None and right.user.id == user_id
        assert attempt.finished_at is not None


def test_tries_are_limited_even_for_the_right_tail(app, factories):
    user_id = _with_iban(app, factories)
    rt = app.extensions["idp"]
    allowed = rt.settings.recovery.code_max_attempts
    with app.app_context():
        attempt = _attempt(app, users.get(user_id))
        lefts = [recovery.check_iban_tail(attempt, WRONG, rt=rt).left for _ in range(allowed)]
        assert lefts == list(range(allowed - 1, -1, -1))
        late = recovery.check_iban_tail(attempt, RIGHT, rt=rt)
        assert (late.user, late.left) == (None, 0)


def test_no_account_matched_counts_the_same_and_shows_nothing(app):
    rt = app.extensions["idp"]
    with app.app_context():
        attempt = _attempt(app, None)
        result = recovery.check_iban_tail(attempt, RIGHT, rt=rt)
        assert (result.user, result.left) == (None, rt.settings.recovery.code_max_attempts - 1)
