"""The long-lived objects one app instance shares between requests, built once in `create_app`."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from idp.clock import SystemClock
from idp.config import Settings
from idp.notify.mail import Mailer
from idp.notify.postal import LetterBox
from idp.notify.sms import SmsSender
from idp.oidc.keys import KeyStore
from idp.services.captcha import Captchas
from idp.services.clients import ClientRegistry
from idp.services.codes import OneTimeCodes
from idp.services.deliveries import Deliveries
from idp.services.links import OneTimeLinks
from idp.services.lockout import FailureCount, Lockout
from idp.services.passwords import PasswordHashing


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    clock: SystemClock
    keys: KeyStore
    clients: ClientRegistry
    passwords: PasswordHashing
    captchas: Captchas
    lockout: Lockout
    # Misread captchas, counted apart: they never lock (see idp.services.lockout).
    captcha_failures: FailureCount
    codes: OneTimeCodes
    invitations: OneTimeLinks
    reset_links: OneTimeLinks
    # Wrong answers to recovery questions, counted apart from sign-in failures.
    answer_lockout: Lockout
    # Wrong codes of the console's second factor, counted apart: a right password (which
    # clears the sign-in count) must not buy new guesses at six digits.
    second_factor_lockout: Lockout
    hash_key: str
    mailer: Mailer
    sms: SmsSender
    letters: LetterBox
    # Every message enters the outbox through it (sealed, dated, its links built).
    deliveries: Deliveries

    def now(self) -> int:
        return self.clock.now()


def runtime() -> Runtime:
    """The running app's runtime."""
    return current_app.extensions["idp"]
