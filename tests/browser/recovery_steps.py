"""The recovery pages as a person walks them in Chromium, and the accounts each path needs.

Accounts are set up through the same services the HTTP tests use (tests/http/test_recovery.py,
tests/http/test_identifier_recovery.py); the steps fill the forms by their labels.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from idp.extensions import db
from idp.i18n import text
from idp.models import User
from idp.services import civil_data, recovery
from idp.services.secret_question import set_secret
from tests.browser.a11y import describe
from tests.support.captcha import KnownPuzzles
from tests.support.factories import DEFAULT_PASSWORD
from tests.support.outbox import emails, letters, settle, sms_messages, text_part

# The recovery code (6 digits by default) and the temporary password of an e-mail
# ("Mot de passe provisoire : ...") or of an SMS ("Mot de passe : ...").
CODE = re.compile(r"\b(\d{6})\b")
TEMPORARY = re.compile(r"Mot de passe(?: provisoire)?\s*:\s*(\S+)")
NEW_PASSWORD = "Quatre chevaux galopent vers Nantes"
NIR = "2 55 08 14 168 025 38"
IBAN = "FR76 3000 6000 0112 3456 7890 189"
IBAN_TAIL = "890189"
MOBILE = "+33612345612"
POSTAL = {"street_address": "3 rue des Lilas", "postal_code": "42000", "locality": "Saint-Étienne"}


def t(key: str, **params: object) -> str:
    return text(key, "fr", **params)


# -- accounts ---------------------------------------------------------------------------------


def _change(live_idp: Any, user: User, change: Callable[[User, str], None]) -> None:
    """Apply `change(stored_user, hash_key)` to the account and commit."""
    app = live_idp.app
    with app.app_context():
        stored = db.session.get(User, user.id)
        change(stored, app.extensions["idp"].hash_key)
        db.session.commit()
        db.session.remove()


def connected_user(live_idp: Any, **fields: Any) -> User:
    """Signed in an hour ago, e-mail and mobile known: the "channels" path."""
    now = live_idp.factories.runtime.now()
    return live_idp.factories.user(**{"last_login_at": now - 3600, "phone": MOBILE, **fields})


def with_secret(live_idp: Any, user: User, question: str, answer: str) -> None:
    _change(live_idp, user, lambda u, key: set_secret(u, question, answer, hash_key=key))


def with_fact(live_idp: Any, user: User, kind: str, value: str) -> None:
    _change(live_idp, user, lambda u, key: recovery.set_fact(u, kind, value, hash_key=key))


def civil_user(live_idp: Any, *, email: str | None) -> User:
    """An account the organisation knows by NIR, birth date, postal code and IBAN."""
    user = live_idp.factories.user(email=email, birth_date="1955-08-21", postal_code="14000")

    def civil(stored: User, key: str) -> None:
        civil_data.set_nir(stored, NIR, hash_key=key)
        civil_data.set_iban(stored, IBAN, hash_key=key)

    _change(live_idp, user, civil)
    return user


# -- the outboxes ---------------------------------------------------------------------------
# The recovery pages queue their codes and links beside their answer (idp.web.deferred): the
# browser may show the next page before the message is queued. The work is handed over before
# the answer leaves, so letting it end and running the delivery worker once is enough. (A
# temporary password is queued with the answer itself.)


def _sent(
    app: Any, read: Callable[[Any], list[Any]], done: Callable[[list[Any]], bool], what: str
) -> list[Any]:
    settle(app)
    found = read(app)
    assert done(found), f"not sent: {what} ({len(found)} sent)"
    return found


def await_emails(app: Any, count: int) -> list[EmailMessage]:
    """The e-mails sent, once there are at least `count` of them (oldest first)."""
    return _sent(app, emails, lambda found: len(found) >= count, f"{count} e-mails")


def await_email_matching(app: Any, pattern: re.Pattern[str]) -> EmailMessage:
    """The first e-mail whose text part matches `pattern`, once one has been sent."""

    def matching(found: list[EmailMessage]) -> list[EmailMessage]:
        return [m for m in found if pattern.search(text_part(m))]

    found = _sent(app, emails, lambda f: bool(matching(f)), pattern.pattern)
    return matching(found)[0]


def await_sms(app: Any, count: int) -> list[dict[str, Any]]:
    return _sent(app, sms_messages, lambda found: len(found) >= count, "SMS")


def await_letters(app: Any, count: int) -> list[dict[str, Any]]:
    return _sent(app, letters, lambda found: len(found) >= count, "letters")


# -- what every page is checked for ----------------------------------------------------------


def accessible(page: Page, axe: Callable[[Page], list[dict[str, Any]]]) -> None:
    violations = axe(page)
    assert not violations, describe(violations)


def at(page: Page, url: str, path: str) -> None:
    expect(page).to_have_url(re.compile("^" + re.escape(url + path)))


def at_pattern(page: Page, url: str, pattern: str) -> None:
    """At `url` + a path matching `pattern` (the recovery's reference in it)."""
    expect(page).to_have_url(re.compile("^" + re.escape(url) + pattern + r"(\?|$)"))


def heading(page: Page, key: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(t(key))


def described_by(page: Page, selector: str) -> set[str]:
    return set((page.locator(selector).first.get_attribute("aria-describedby") or "").split())


def expect_error_tied_to_form(page: Page, message: str) -> None:
    """The error is an alert, holds the focus (RGAA 11.10), and the form names it in its
    aria-describedby."""
    alert = page.get_by_role("alert")
    expect(alert).to_have_text(message)
    expect(alert).to_be_focused()
    alert_id = alert.get_attribute("id") or "?"
    assert alert_id in described_by(page, "main form"), (
        f"the error #{alert_id} is not tied to the form"
    )


# -- steps ------------------------------------------------------------------------------------


def sum_field(page: Page, puzzles: KnownPuzzles):
    """The arithmetic challenge's field, found by its label ("Combien font 2 + 3 ?...")."""
    question = puzzles.last.question
    assert question is not None, "the last puzzle is not a sum"
    return page.get_by_label(t("captcha.arithmetic_label", question=question))


def fill_sum(page: Page, puzzles: KnownPuzzles) -> None:
    sum_field(page, puzzles).fill(puzzles.last.answer)


def next_step(page: Page) -> None:
    page.get_by_role("button", name=t("recovery.next")).click()


def open_forgotten_password(page: Page, url: str) -> None:
    """From the sign-in page: "J'ai oublié mon mot de passe"."""
    page.goto(url + "/login")
    page.get_by_role("link", name=t("login.forgot_password")).click()
    at(page, url, "/recovery/password")
    heading(page, "recovery.identify_title")


def fill_identity(page: Page, puzzles: KnownPuzzles, identifier: str) -> None:
    page.get_by_label(t("login.identifier")).fill(identifier)
    fill_sum(page, puzzles)


def choose_channel(page: Page, url: str, channel: str) -> None:
    """On "Demande d'un nouveau mot de passe": pick "par e-mail" / "par SMS", then Suivant."""
    at_pattern(page, url, r"/recovery/password/[^/]+/channel")
    heading(page, "recovery.title")
    group = page.get_by_role("group", name=t("recovery.channel_question"))
    expect(group).to_be_visible()
    group.get_by_label(t(f"recovery.by_{channel}")).check()
    next_step(page)


def recover_by(page: Page, url: str, puzzles: KnownPuzzles, identifier: str, channel: str) -> None:
    """From the sign-in page to the code sent over `channel` for `identifier`."""
    open_forgotten_password(page, url)
    fill_identity(page, puzzles, identifier)
    next_step(page)
    choose_channel(page, url, channel)


def type_code(page: Page, code: str) -> None:
    page.get_by_label(t("contacts.code_label")).fill(code)
    page.get_by_role("button", name=t("contacts.code_submit")).click()


def wrong(code: str) -> str:
    """A code of the same length that is not `code`."""
    return "000000" if code != "000000" else "111111"


def expect_done(page: Page, url: str, said: str = "recovery.done") -> None:
    """ "Procédure terminée, merci de vérifier votre boîte aux lettres": every path's end
    (after a right code, what it brings: "Un mot de passe temporaire vous a été envoyé ...")."""
    at(page, url, "/recovery/done")
    heading(page, "recovery.done_title")
    expect(page.get_by_role("status")).to_have_text(t(said))


def choose_new_password(page: Page, password: str = NEW_PASSWORD) -> None:
    heading(page, "recovery.new_password_title")
    page.get_by_label(t("password.new"), exact=True).fill(password)
    page.get_by_label(t("password.confirmation")).fill(password)
    page.get_by_role("button", name=t("recovery.save_password")).click()


def expect_changed(page: Page, url: str) -> None:
    at(page, url, "/recovery/changed")
    heading(page, "account.password_done_title")
    expect(page.get_by_role("status")).to_have_text(t("account.password_done"))


def sign_in(page: Page, url: str, identifier: str = "marie", password: str = DEFAULT_PASSWORD):
    page.goto(url + "/login")
    page.get_by_label(t("login.identifier")).fill(identifier)
    page.get_by_label(t("login.password"), exact=True).fill(password)
    page.get_by_role("button", name=t("login.submit")).click()


def expect_signed_in(page: Page, url: str) -> None:
    """Signed in: no longer on the sign-in page, and no error shown."""
    expect(page).not_to_have_url(re.compile("^" + re.escape(url + "/login")))
    expect(page.get_by_role("alert")).to_have_count(0)


def expect_personalisation(page: Page, url: str) -> None:
    """Signed in with a temporary password: "Changement de votre mot de passe"."""
    at(page, url, "/password/change")
    heading(page, "password.change_title")
    expect(page.get_by_text(t("password.temporary"))).to_be_visible()


def render_first_page(pdf: Path, png: Path) -> Path | None:
    """The letter's first page as a PNG, when poppler's pdftoppm is installed (else None)."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        return None
    prefix = png.with_suffix("")
    subprocess.run(
        [tool, "-png", "-r", "72", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(prefix)],
        check=True,
        capture_output=True,
        timeout=20,
    )
    return png
