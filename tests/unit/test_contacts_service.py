"""The e-mail change rules, asked directly of the service (the pages only relay them)."""

from __future__ import annotations

import re

from idp.extensions import db
from idp.services import contacts, users
from idp.services.codes import Check
from tests.support.outbox import emails, settle, text_part


def _via(app) -> contacts.EmailCodes:
    rt = app.extensions["idp"]
    return contacts.EmailCodes(rt.codes, rt.settings.contacts, rt.deliveries)


def _sent_code(app, address: str) -> str:
    """The code of the last message to `address`, once the worker has sent what is queued."""
    db.session.commit()
    settle(app)
    digits = app.extensions["idp"].settings.contacts.email_code_digits
    message = [m for m in emails(app) if m["To"] == address][-1]
    return re.search(rf"\b\d{{{digits}}}\b", text_part(message)).group()


def test_a_new_address_gets_a_code_and_replaces_the_old_one_once_typed(app, factories):
    user_id = factories.user(email="marie@example.org").id
    now = app.extensions["idp"].now()
    with app.app_context():
        user = users.get(user_id)
        problem = contacts.change_email(user, " neuve@example.org ", via=_via(app), now=now)
        assert problem is None
        assert user.email == "marie@example.org"  # not before the code
        assert contacts.email_awaiting_code(user, via=_via(app)) == "neuve@example.org"
        code = _sent_code(app, "neuve@example.org")
        wrong = str((int(code) + 1) % 10 ** len(code)).zfill(len(code))
        refused = contacts.check_email_code(user, wrong, via=_via(app), now=now)
        assert refused.outcome is Check.WRONG
        assert user.email == "marie@example.org"
        result = contacts.check_email_code(user, code, via=_via(app), now=now)
        assert result.outcome is Check.OK
        assert (user.email, user.email_verified) == ("neuve@example.org", True)
        db.session.commit()
    settle(app)
    # The address it replaced hears of it.
    assert any(m["To"] == "marie@example.org" for m in emails(app))


def test_an_invalid_or_unchanged_address_is_refused_without_a_code(app, factories):
    user_id = factories.user(email="marie@example.org").id
    now = app.extensions["idp"].now()
    with app.app_context():
        user = users.get(user_id)
        invalid = contacts.change_email(user, "pas-une-adresse", via=_via(app), now=now)
        same = contacts.change_email(user, "marie@example.org", via=_via(app), now=now)
        db.session.commit()
    settle(app)
    assert (invalid, same) == ("contacts.email_invalid", "account.email_unchanged")
    assert emails(app) == []


def test_a_code_asked_again_at_once_is_not_a_problem_and_not_sent_twice(app, factories):
    user_id = factories.user(email="marie@example.org").id
    now = app.extensions["idp"].now()
    with app.app_context():
        user = users.get(user_id)
        contacts.offer_email_code(user, "neuve@example.org", via=_via(app), now=now)
        contacts.offer_email_code(user, "neuve@example.org", via=_via(app), now=now)
        db.session.commit()
    settle(app)
    assert [m["To"] for m in emails(app)] == ["neuve@example.org"]
