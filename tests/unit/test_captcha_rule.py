"""The sign-in's captcha rule, asked directly of the service (the page only relays it)."""

from __future__ import annotations

import pytest

from idp.services.authn import CaptchaRule, CaptchaVerdict

BINDING = "b" * 64


@pytest.fixture
def settings_overrides():
    return {"captcha": {"mode": "after_failures", "after": 2}}


def _rule(app) -> CaptchaRule:
    rt = app.extensions["idp"]
    return CaptchaRule(rt.settings.captcha, rt.lockout, rt.captcha_failures, rt.captchas)


def test_needed_once_the_browser_or_the_identifier_failed_enough(app):
    rt = app.extensions["idp"]
    with app.app_context():
        rule = _rule(app)
        assert not rule.needed("marie", browser_failures=1, now=rt.now())
        assert rule.needed("marie", browser_failures=2, now=rt.now())
        rt.captcha_failures.add("marie", now=rt.now())
        rt.captcha_failures.add("marie", now=rt.now())
        assert rule.needed("marie", browser_failures=0, now=rt.now())  # a new browser too
        assert not rule.needed("jean", browser_failures=0, now=rt.now())


def test_a_needed_captcha_is_missing_failed_or_passed(app, puzzles):
    rt = app.extensions["idp"]
    with app.app_context():
        rule = _rule(app)
        verdict = rule.verdict(
            "marie", None, None, browser_failures=0, binding=BINDING, now=rt.now()
        )
        assert verdict is CaptchaVerdict.NOT_NEEDED and verdict.passes
        missing = rule.verdict("marie", "", "x", browser_failures=2, binding=BINDING, now=rt.now())
        assert missing is CaptchaVerdict.MISSING and not missing.passes
        wrong = rt.captchas.issue("arithmetic", binding=BINDING, now=rt.now())
        failed = rule.verdict(
            "marie", wrong.ref, "999", browser_failures=2, binding=BINDING, now=rt.now()
        )
        assert failed is CaptchaVerdict.FAILED and not failed.passes
        right = rt.captchas.issue("arithmetic", binding=BINDING, now=rt.now())
        passed = rule.verdict(
            "marie",
            right.ref,
            puzzles.last.answer,
            browser_failures=2,
            binding=BINDING,
            now=rt.now(),
        )
        assert passed is CaptchaVerdict.PASSED and passed.passes
        # A challenge is spent once answered, right or wrong.
        again = rule.verdict(
            "marie",
            right.ref,
            puzzles.last.answer,
            browser_failures=2,
            binding=BINDING,
            now=rt.now(),
        )
        assert again is CaptchaVerdict.FAILED
