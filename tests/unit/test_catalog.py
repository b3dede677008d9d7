"""The message catalogue: every key in both languages, every key the code names exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from idp.config import PASSWORD_POLICIES
from idp.i18n import text
from idp.i18n.catalog import MESSAGES
from idp.resources import templates_dir
from idp.services.secret_question import QUESTIONS

ROOT = Path(__file__).resolve().parents[2]
# t("key") / t('key') in templates, text("key") / markup("key") and quoted keys in the code.
CALLS = re.compile(r"""\b(?:t|text|markup)\(\s*["']([a-z_]+\.[a-z0-9_.-]*[a-z0-9])["']""")
PREFIXES = "login|captcha|password|contacts|account|invitation|error|consent|logout|habilitation"
# Quoted keys returned by services ("password.too_weak"); file names end in an extension.
RETURNED = re.compile(rf"""["']((?:{PREFIXES})\.[a-z0-9_.-]*[a-z0-9])["']""")
FILE_NAME = re.compile(r"\.(html|js|css|png|txt)$")


def test_every_message_has_french_and_english():
    for key, texts in MESSAGES.items():
        assert set(texts) == {"fr", "en"}, key
        assert all(value.strip() for value in texts.values()), key


def test_every_key_named_in_the_code_exists(app):
    """Quoted keys in the code are messages, unless they name a Flask endpoint."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = set()
    for path in [*(ROOT / "idp").rglob("*.py"), *templates_dir().rglob("*.html")]:
        if path.name == "catalog.py":
            continue
        source = path.read_text()
        for key in {*CALLS.findall(source), *RETURNED.findall(source)} - endpoints:
            if key not in MESSAGES and not FILE_NAME.search(key):
                missing.add(f"{path.relative_to(ROOT)}: {key}")
    assert not missing, sorted(missing)


def test_keys_built_at_run_time_exist():
    for policy in PASSWORD_POLICIES:
        assert f"password.policy.{policy}" in MESSAGES
        assert f"password.rules_{policy}" in MESSAGES
    for question in QUESTIONS:
        assert f"secret.question.{question}" in MESSAGES
    for state in ("expired", "used", "invalid"):
        assert f"invitation.{state}" in MESSAGES


def test_counts_take_the_right_grammatical_number():
    assert "Il vous reste 1 essai avant" in text("login.tries_left", "fr", left=1)
    assert "Il vous reste 2 essais avant" in text("login.tries_left", "fr", left=2)
    assert "Il vous reste 0 essai avant" in text("login.tries_left", "fr", left=0)
    assert "You have 1 try left" in text("login.tries_left", "en", left=1)
    assert "You have 0 tries left" in text("login.tries_left", "en", left=0)


def test_no_message_hedges_a_plural_with_brackets():
    hedged = [key for key, texts in MESSAGES.items() for value in texts.values() if "(s)" in value]
    assert not hedged


@pytest.mark.parametrize(
    ("key", "param", "singular"),
    [
        ("contacts.code_wait", "seconds", "dans 1 seconde."),
        ("contacts.code_exhausted", "minutes", "dans 1 minute au plus."),
    ],
)
def test_a_count_of_one_reads_in_the_singular(key, param, singular):
    assert singular in text(key, "fr", **{param: 1})
