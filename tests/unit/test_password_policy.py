"""Password rules per preset, the blocklist, the user's own data, the CNIL entropy."""

from __future__ import annotations

import base64
import dataclasses
import hashlib

import pytest

from idp.config import ConfigError, PasswordSettings, load_settings
from idp.services.password_policy import Strength, cnil_entropy_bits, evaluate

CASE2 = PasswordSettings()
CASE1 = dataclasses.replace(CASE2, policy="cnil-2022-case1")
MSA = dataclasses.replace(CASE2, policy="msa")
NIST = dataclasses.replace(CASE2, policy="nist-800-63b")
IMPOTS = dataclasses.replace(CASE2, forbid_spaces_and_accents=True)


@pytest.mark.parametrize(
    ("settings", "password", "acceptable"),
    [
        (CASE2, "Xk9#mQ2!", True),  # 8 characters of 4 kinds
        (CASE2, "vbnq7wzc", False),  # 8 characters of 2 kinds, 41 bits
        (CASE2, "Kalimba-trompette", True),  # 3 kinds
        (CASE2, "tr5q", False),  # too short
        (CASE1, "Xk9#mQ2!", False),  # 52 bits: not 80
        (CASE1, "Xk9#mQ2!vR4@", True),  # 12 characters of 4 kinds
        (CASE1, "Kz7pQm3vXw9rTn", True),  # 14 characters of 3 kinds
        (CASE1, "le chat noir dort sur la grange", True),  # a 7-word passphrase
        (MSA, "Kalimba-trompette", False),  # no digit
        (MSA, "Kalimba-trompette7", True),
        (NIST, "Xk9#mQ2!vR4@", False),  # 12 < 15
        (NIST, "cheval lampadaire orange", True),  # length only
        (IMPOTS, "Kalimba trompette 7", False),  # a space
        (IMPOTS, "Kalimba-trompétte7", False),  # an accent
        (IMPOTS, "Kalimba-trompette7", True),
    ],
)
def test_presets(settings, password, acceptable):
    assert evaluate(password, settings).acceptable is acceptable


@pytest.mark.parametrize(
    "password", ["azerty123", "motdepasse", "Soleil2024!", "Marseille13!", "123456789", "Doudou!!"]
)
def test_common_french_passwords_are_weak(password):
    verdict = evaluate(password, CASE2)
    assert verdict.strength is Strength.WEAK
    assert not verdict.acceptable


def test_the_users_own_data_counts_against_the_password():
    password = "Jdurandal#75"
    assert evaluate(password, CASE2).acceptable
    inputs = ["jdurandal", "Jean", "Durandal", "jean.durandal@example.org"]
    verdict = evaluate(password, CASE2, user_inputs=inputs)
    assert not verdict.acceptable and "password.too_weak" in verdict.problems


def test_strength_grades():
    assert evaluate("Quatre chevaux galopent vers Nantes", CASE2).strength is Strength.STRONG
    assert evaluate("Xk9#mQ2!", CASE2).strength is Strength.MEDIUM
    assert evaluate("password1", CASE2).strength is Strength.WEAK


def test_a_refused_password_always_reads_weak():
    # Strong to zxcvbn but against the MSA preset (no special character): the gauge says weak.
    verdict = evaluate("QuatreChevauxGalopent9", MSA)
    assert verdict.strength is Strength.WEAK and verdict.problems == ["password.policy.msa"]


def test_maximum_length():
    noise = b"".join(hashlib.sha512(bytes([n])).digest() for n in range(2))
    long = base64.b64encode(noise).decode()[:129] + "!"  # 130 characters, not guessable
    assert "password.too_long" in evaluate(long, CASE2).problems
    assert evaluate(long[:127] + "!", CASE2).acceptable


def test_cnil_entropy_computation():
    assert round(cnil_entropy_bits("abcdefgh"), 1) == 37.6  # 8 × log2(26)
    assert cnil_entropy_bits("Xk9#mQ2!") > 50


@pytest.mark.parametrize(
    ("key", "value"),
    [("policy", "cnil-2030"), ("max_length", 63), ("min_length", 0)],
)
def test_password_settings_are_validated(key, value):
    with pytest.raises(ConfigError):
        load_settings(None, overrides={"password": {key: value}}, environ={})


PIN = dataclasses.replace(CASE2, policy="pin-6")
STRICT = {"lockout": {"max_attempts": 3, "daily_max_failures": 10}}


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("480317", None),  # ASSU2000's six digits
        ("48031", "password.policy.pin-6"),
        ("4803175", "password.policy.pin-6"),
        ("48O317", "password.policy.pin-6"),  # a letter O
        ("４８０３１７", "password.policy.pin-6"),  # full-width digits are not the keypad's
        ("123456", "password.too_weak"),
        ("777777", "password.too_weak"),
        ("987654", "password.too_weak"),
        ("890123", "password.too_weak"),  # a run that wraps round
    ],
)
def test_pin_6_is_six_digits_that_are_not_guessable(password, problem):
    verdict = evaluate(password, PIN)
    assert verdict.problems == ([problem] if problem else [])
    assert verdict.strength == (Strength.WEAK if problem else Strength.MEDIUM)


def test_pin_6_needs_a_strict_lockout_and_says_why():
    assert load_settings(None, overrides={"password": {"policy": "pin-6"}, **STRICT}, environ={})
    for lockout in ({"max_attempts": 4}, {"max_attempts": 3, "daily_max_failures": 100}):
        with pytest.raises(ConfigError, match=r"max_attempts <= 3 .*20 bits"):
            load_settings(
                None, overrides={"password": {"policy": "pin-6"}, "lockout": lockout}, environ={}
            )


def test_temporary_passwords_follow_the_policy():
    from idp.services.passwords import PasswordHashing

    cheap = {"argon2_time_cost": 1, "argon2_memory_kib": 8, "argon2_parallelism": 1}
    pins = {PasswordHashing(dataclasses.replace(PIN, **cheap)).new_temporary() for _ in range(20)}
    assert all(len(pin) == 6 and pin.isdigit() and pin.isascii() for pin in pins)
    assert len(pins) > 1
    usual = PasswordHashing(dataclasses.replace(CASE2, **cheap)).new_temporary()
    assert evaluate(usual, CASE2).acceptable
