"""Recovery in Chromium: "J'ai oublié mon mot de passe" on each path (e-mail and SMS codes,
secret question, code by post, never connected), unknown identifiers, and "Où trouver mon
identifiant ?"."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import SCREENS
from tests.browser.recovery_steps import (
    CODE,
    IBAN_TAIL,
    MOBILE,
    NEW_PASSWORD,
    NIR,
    POSTAL,
    TEMPORARY,
    accessible,
    at,
    at_pattern,
    await_email_matching,
    await_emails,
    await_letters,
    await_sms,
    choose_channel,
    choose_new_password,
    civil_user,
    connected_user,
    expect_changed,
    expect_done,
    expect_error_tied_to_form,
    expect_personalisation,
    expect_signed_in,
    fill_identity,
    fill_sum,
    heading,
    next_step,
    open_forgotten_password,
    recover_by,
    render_first_page,
    sign_in,
    t,
    type_code,
    with_fact,
    with_secret,
    wrong,
)
from tests.support.captcha import KnownPuzzles
from tests.support.outbox import emails, letter_text, letters, links, sms_messages, text_part

pytestmark = pytest.mark.browser

# A letter sets its secret apart, on the line under its label.
LETTER_SECRET = re.compile(r"^Votre mot de passe provisoire\n(\S+)$", re.MULTILINE)
# What a known account's first wrong code says (5 tries, one spent).
TRIES_LEFT_AFTER_ONE = 4


@pytest.fixture
def settings_overrides() -> dict[str, dict[str, object]]:
    # Every step waits for the floor (400 ms by default): a few ms keep the tests fast.
    return {"recovery": {"response_floor_ms": 5}}


@pytest.fixture
def live_idp_options(puzzles: KnownPuzzles) -> dict[str, Any]:
    return {"puzzles": puzzles}


def _temporary_password(message: str) -> str:
    match = TEMPORARY.search(message)
    assert match, message
    return match.group(1)


# -- 1. and 2. a code by e-mail or SMS, then a temporary password over the same channel -------


def test_email_code_then_temporary_password(page: Page, live_idp, puzzles, axe, screenshot):
    connected_user(live_idp)
    url = live_idp.url
    open_forgotten_password(page, url)
    expect(page.get_by_text(t("recovery.identify_intro"))).to_be_visible()
    fill_identity(page, puzzles, "marie")
    accessible(page, axe)
    screenshot(page, "recovery-identity")
    next_step(page)

    # "Comment désirez-vous recevoir votre mot de passe temporaire ?"
    at_pattern(page, url, r"/recovery/password/[^/]+/channel")
    accessible(page, axe)
    screenshot(page, "recovery-channel")
    assert emails(live_idp.app) == []
    choose_channel(page, url, "email")

    # The code page; the 6-digit code is in the e-mail.
    at_pattern(page, url, r"/recovery/password/[^/]+/code")
    heading(page, "recovery.title")
    expect(page.get_by_text(t("recovery.code_sent_email"))).to_be_visible()
    code_field = page.get_by_label(t("contacts.code_label"))
    expect(code_field).to_have_accessible_description(t("contacts.code_hint", digits=6))
    message = await_emails(live_idp.app, 1)[0]
    assert message["To"] == "marie@example.org"
    match = CODE.search(text_part(message))
    assert match, text_part(message)
    code = match.group(1)
    accessible(page, axe)
    screenshot(page, "recovery-code")

    # A wrong code: the error says the tries left and is tied to the form.
    type_code(page, wrong(code))
    at_pattern(page, url, r"/recovery/password/[^/]+/code")
    expect_error_tied_to_form(page, t("contacts.code_wrong", left=TRIES_LEFT_AFTER_ONE))
    expect(page.get_by_label(t("contacts.code_label"))).to_have_value("")
    accessible(page, axe)

    type_code(page, code)
    expect_done(page, url, "recovery.temporary_sent_email")
    expect(page.get_by_text(t("recovery.no_secrets", phone="0 800 74 74 00"))).to_be_visible()
    accessible(page, axe)
    screenshot(page, "recovery-done")

    # The temporary password came by e-mail; it must be personalised at sign-in.
    temporary = _temporary_password(text_part(await_email_matching(live_idp.app, TEMPORARY)))
    assert all(m["To"] == "marie@example.org" for m in emails(live_idp.app))
    page.get_by_role("link", name=t("recovery.to_sign_in")).click()
    at(page, url, "/login")
    sign_in(page, url, password=temporary)
    expect_personalisation(page, url)


def test_sms_code_then_temporary_password_by_sms(page: Page, live_idp, puzzles, axe):
    connected_user(live_idp)
    url = live_idp.url
    recover_by(page, url, puzzles, "marie", "sms")

    at_pattern(page, url, r"/recovery/password/[^/]+/code")
    expect(page.get_by_text(t("recovery.code_sent_sms"))).to_be_visible()
    sent = await_sms(live_idp.app, 1)[0]
    assert sent["to"] == MOBILE
    match = CODE.search(sent["text"])
    assert match, sent["text"]
    accessible(page, axe)

    type_code(page, wrong(match.group(1)))
    expect_error_tied_to_form(page, t("contacts.code_wrong", left=TRIES_LEFT_AFTER_ONE))
    type_code(page, match.group(1))
    expect_done(page, url, "recovery.temporary_sent_sms")

    # The temporary password came by SMS too, to the same mobile; no e-mail carries it.
    texts = await_sms(live_idp.app, 2)
    assert len(texts) == 2 and texts[-1]["to"] == MOBILE
    temporary = _temporary_password(texts[-1]["text"])
    assert all(temporary not in text_part(m) for m in emails(live_idp.app))
    sign_in(page, url, password=temporary)
    expect_personalisation(page, url)


# -- 3. the secret question: a reset link by e-mail -------------------------------------------


class TestSecretQuestion:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, dict[str, object]]:
        return {"recovery": {"order": "secret_question channels", "response_floor_ms": 5}}

    def test_right_answer_sends_a_link_to_choose_the_password(
        self, page: Page, live_idp, puzzles, axe, screenshot
    ):
        user = connected_user(live_idp)
        with_secret(live_idp, user, "birth_town", "Saint-Étienne")
        url = live_idp.url
        recover_by(page, url, puzzles, "marie", "email")

        # The question is the account's own; the answer, typed differently, still matches.
        at_pattern(page, url, r"/recovery/password/[^/]+/question")
        heading(page, "recovery.title")
        answer = page.get_by_label(t("secret.question.birth_town"))
        expect(answer).to_be_visible()
        expect(answer).to_have_accessible_description(t("invitation.secret_hint"))
        assert emails(live_idp.app) == []
        answer.fill("saint-etienne")
        accessible(page, axe)
        screenshot(page, "recovery-question")
        next_step(page)
        expect_done(page, url)

        message = await_email_matching(live_idp.app, re.compile(r"/recovery/reset/"))
        assert message["To"] == "marie@example.org"
        link = next(u for u in links(message) if "/recovery/reset/" in u)
        assert link.startswith(url + "/recovery/reset/")

        # "Création de votre nouveau mot de passe", with the gauge.
        page.goto(link)
        expect(page).to_have_url(url + "/recovery/reset")  # the token left the address bar
        heading(page, "recovery.new_password_title")
        new_password = page.get_by_label(t("password.new"), exact=True)
        gauge = page.locator("[data-gauge]")
        expect(gauge).to_be_visible()
        for typed, strength in (("azerty123", "weak"), (NEW_PASSWORD, "strong")):
            new_password.fill(typed)  # the gauge asks the server after each input
            label = t("password.gauge_label", strength=t(f"password.strength.{strength}"))
            expect(gauge).to_have_attribute("data-strength", strength)
            expect(gauge.locator("[data-gauge-text]")).to_have_text(label)
            expect(new_password).to_have_accessible_description(re.compile(re.escape(label)))
        page.get_by_label(t("password.confirmation")).fill(NEW_PASSWORD)
        accessible(page, axe)
        screenshot(page, "recovery-new-password")
        page.get_by_role("button", name=t("recovery.save_password")).click()
        expect_changed(page, url)
        accessible(page, axe)

        # The link worked once; the new password signs in.
        response = page.goto(link)
        assert response is not None and response.status == 400
        expect(page.get_by_role("alert")).to_have_text(t("recovery.link_used"))
        sign_in(page, url, password=NEW_PASSWORD)
        expect_signed_in(page, url)
        heading(page, "account.title")


# -- 4. no e-mail known: a one-time code by post ----------------------------------------------


@pytest.fixture
def letter_picture(
    request: pytest.FixtureRequest, _screens_taken: dict[str, str]
) -> Callable[[Path, str], Path | None]:
    """`letter_picture(pdf, name)`: the letter's first page as a PNG next to the screenshots,
    when poppler's pdftoppm is installed (None otherwise); names are unique, as screenshots."""
    test = f"{request.node.module.__name__}::{request.node.originalname}"

    def take(pdf: Path, name: str) -> Path | None:
        owner = _screens_taken.setdefault(name, test)
        if owner != test:
            pytest.fail(f"screen {name}.png is already written by {owner}", pytrace=False)
        return render_first_page(pdf, SCREENS / f"{name}.png")

    return take


def test_postal_code_lets_the_user_choose_a_password(
    page: Page, live_idp, puzzles, axe, screenshot, letter_picture
):
    # Signed in before, no e-mail, no mobile, a postal address: the "postal_code" path.
    connected_user(live_idp, email=None, phone=None, **POSTAL)
    url = live_idp.url
    recover_by(page, url, puzzles, "marie", "email")
    expect_done(page, url)

    # The letter: the account's address and the code.
    letter = await_letters(live_idp.app, 1)[-1]
    assert emails(live_idp.app) == [] and sms_messages(live_idp.app) == []
    body = letter_text(letter)
    assert POSTAL["street_address"] in body and POSTAL["postal_code"] in body
    match = CODE.search(body)
    assert match, body
    picture = letter_picture(letter["pdf_path"], "recovery-letter")
    assert picture is None or picture.stat().st_size > 1000

    # The letter's steps, as written: "cliquez sur « J'ai oublié mon mot de passe », puis sur
    # « J'ai reçu un code de sécurité par courrier »" (or its direct address).
    said = " ".join(body.split())
    first, then = (t("login.forgot_password"), t("recovery.have_letter_code"))
    assert f"cliquez sur « {first} », puis sur « {then} »" in said
    assert f"adresse directe : {url}/recovery/letter)" in said
    open_forgotten_password(page, url)
    page.get_by_role("link", name=then).click()
    at(page, url, "/recovery/letter")
    heading(page, "recovery.letter_title")
    page.get_by_label(t("login.identifier")).fill("marie")
    page.get_by_label(t("recovery.letter_code"), exact=True).fill(match.group(1))
    fill_sum(page, puzzles)
    accessible(page, axe)
    screenshot(page, "recovery-letter-code")
    page.get_by_role("button", name=t("contacts.code_submit")).click()

    at_pattern(page, url, r"/recovery/password/[^/]+/new")
    accessible(page, axe)
    choose_new_password(page)
    expect_changed(page, url)
    assert len(letters(live_idp.app)) == 1  # the walk posted no second letter
    sign_in(page, url, password=NEW_PASSWORD)
    expect_signed_in(page, url)
    heading(page, "account.title")


# -- 5. never connected: a question on what the organisation knows ----------------------------


@pytest.mark.parametrize("kind", ["carte_vitale", "prestation"])
def test_wrong_fact_sends_the_password_by_post(
    page: Page, live_idp, puzzles, axe, screenshot, kind, browser, browser_context_args
):
    user = live_idp.factories.user(contacts_confirmed_at=None, category="particulier", **POSTAL)
    with_fact(live_idp, user, kind, "1 23 45 678 901" if kind == "carte_vitale" else "152,40 €")
    url = live_idp.url
    recover_by(page, url, puzzles, "marie", "email")

    at_pattern(page, url, r"/recovery/password/[^/]+/fact")
    heading(page, "recovery.title")
    expect(page.get_by_text(t("recovery.fact_intro"))).to_be_visible()
    answer = page.get_by_label(t(f"recovery.fact.{kind}"))
    expect(answer).to_have_accessible_description(t(f"recovery.fact_hint.{kind}"))
    answer.fill("99")
    accessible(page, axe)
    if kind == "carte_vitale":
        screenshot(page, "recovery-fact")
    next_step(page)
    expect_done(page, url)

    # Wrong: the temporary password goes by post; the e-mail only says a letter is coming.
    letter = letter_text(await_letters(live_idp.app, 1)[-1])
    assert POSTAL["street_address"] in letter
    match = LETTER_SECRET.search(letter)
    assert match, letter
    temporary = match.group(1)
    notice = re.compile("courrier", re.IGNORECASE)
    assert await_email_matching(live_idp.app, notice)["To"] == "marie@example.org"
    sent = emails(live_idp.app)
    assert sent and all(m["To"] == "marie@example.org" for m in sent)
    assert all(temporary not in text_part(m) and not TEMPORARY.search(text_part(m)) for m in sent)
    # A stranger may have answered: the password the account had still signs in...
    assert "Votre mot de passe n'a pas été modifié" in text_part(sent[-1])
    holder = browser.new_context(**browser_context_args)
    try:
        sign_in(holder.new_page(), url)
        expect_signed_in(holder.pages[0], url)
    finally:
        holder.close()
    # ...and the letter's, once used, replaces it.
    sign_in(page, url, password=temporary)
    expect_personalisation(page, url)


# -- 6. an unknown identifier walks the same pages --------------------------------------------


def _main_text(page: Page) -> str:
    """The main's rendered text, once the stylesheet applies: before it, block links read inline."""
    page.wait_for_load_state("load")
    return page.locator("main").inner_text()


def test_unknown_identifier_walks_the_same_pages(page: Page, live_idp, puzzles, axe):
    connected_user(live_idp)
    url = live_idp.url
    seen: dict[str, list[str]] = {}
    for who in ("nobody", "marie"):
        open_forgotten_password(page, url)
        fill_identity(page, puzzles, who)
        next_step(page)
        at_pattern(page, url, r"/recovery/password/[^/]+/channel")
        channel_page = _main_text(page)
        choose_channel(page, url, "email")
        at_pattern(page, url, r"/recovery/password/[^/]+/code")
        code_page = _main_text(page)
        type_code(page, "000001")
        expect_error_tied_to_form(page, t("contacts.code_wrong", left=TRIES_LEFT_AFTER_ONE))
        seen[who] = [channel_page, code_page, _main_text(page)]
        if who == "nobody":
            accessible(page, axe)
            # No code is ever right: the tries run out as for a known account.
            for left in (3, 2, 1):
                type_code(page, "123456")
                expect_error_tied_to_form(page, t("contacts.code_wrong", left=left))
            type_code(page, "654321")
            expect(page.get_by_role("alert")).to_have_text(t("recovery.code_exhausted"))
    assert seen["nobody"] == seen["marie"]

    # Only the known account's code went out (the unknown one's steps ended long before).
    sent = await_emails(live_idp.app, 1)
    assert [m["To"] for m in sent] == ["marie@example.org"]
    assert sms_messages(live_idp.app) == [] and letters(live_idp.app) == []


# -- 7. "Où trouver mon identifiant ?" ---------------------------------------------------------


def _ask_identifier(page: Page, url: str, puzzles: KnownPuzzles) -> None:
    page.goto(url + "/login")
    page.get_by_role("link", name=t("login.where_identifier")).click()
    at(page, url, "/recovery/identifier")
    heading(page, "recovery.identifier_title")
    nir = page.get_by_label(t("recovery.nir"))
    expect(nir).to_have_accessible_description(t("recovery.nir_hint"))
    nir.fill(NIR)
    birth_date = page.get_by_label(t("recovery.birth_date"))
    expect(birth_date).to_have_attribute("type", "date")
    birth_date.fill("1955-08-21")
    page.get_by_label(t("recovery.postal_code")).fill("14000")
    fill_sum(page, puzzles)


def test_identifier_is_emailed_to_the_masked_address(
    page: Page, live_idp, puzzles, axe, screenshot
):
    civil_user(live_idp, email="sophie@caramail.fr")
    url = live_idp.url
    _ask_identifier(page, url, puzzles)
    accessible(page, axe)
    screenshot(page, "identifier-request")
    next_step(page)

    at(page, url, "/recovery/identifier/sent")
    heading(page, "recovery.identifier_title")
    expect(page.get_by_role("status")).to_have_text(
        t("recovery.identifier_sent", address="s****@c****.fr")
    )
    assert "sophie" not in _main_text(page)
    accessible(page, axe)
    screenshot(page, "identifier-sent")
    message = await_emails(live_idp.app, 1)[0]
    assert message["To"] == "sophie@caramail.fr"
    assert re.search(r"^\s*marie\s*$", text_part(message), re.MULTILINE), text_part(message)


def test_without_email_the_iban_shows_the_identifier(
    page: Page, live_idp, puzzles, axe, screenshot
):
    civil_user(live_idp, email=None)
    url = live_idp.url
    _ask_identifier(page, url, puzzles)
    next_step(page)

    at_pattern(page, url, r"/recovery/identifier/[^/]+/iban")
    heading(page, "recovery.identifier_title")
    expect(page.get_by_text(t("recovery.iban_intro"))).to_be_visible()
    tail = page.get_by_label(t("recovery.iban_tail"))
    expect(tail).to_have_accessible_description(t("recovery.iban_hint"))
    tail.fill(IBAN_TAIL)
    accessible(page, axe)
    screenshot(page, "identifier-iban")

    # A wrong tail first: the error, with the tries left, tied to the form.
    tail.fill("000000")
    next_step(page)
    expect_error_tied_to_form(page, t("recovery.iban_wrong", left=4))
    page.get_by_label(t("recovery.iban_tail")).fill(IBAN_TAIL)
    next_step(page)

    status = page.get_by_role("status")
    expect(status).to_have_text(f"{t('recovery.identifier_is')} marie")
    expect(status.locator("strong")).to_have_text("marie")
    accessible(page, axe)
    screenshot(page, "identifier-shown")
    assert emails(live_idp.app) == []
    page.get_by_role("link", name=t("recovery.to_sign_in")).click()
    at(page, url, "/login")


# -- issue 10: what recovery sends and says -----------------------------------------------------

MOBILE_WIDTH = {"width": 375, "height": 812}


def both_widths(page: Page, screenshot: Callable[[Page, str], Path], name: str) -> None:
    """The page at desktop width, then at 375 px (a phone), back to desktop."""
    desktop = page.viewport_size
    screenshot(page, name)
    page.set_viewport_size(MOBILE_WIDTH)
    screenshot(page, f"{name}-375")
    if desktop:
        page.set_viewport_size(desktop)


def tab_to(page: Page, name: str, presses: int = 30) -> None:
    """Move the keyboard focus with Tab alone until it is on the link or button `name`."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement && document.activeElement.innerText")
        if focused and focused.strip() == name:
            return
    raise AssertionError(f"Tab never reached {name!r}")


def test_sms_chosen_without_a_mobile_gets_the_code_by_email(
    page: Page, live_idp, puzzles, axe, screenshot
):
    """Defect 5: no mobile known: the code and the temporary password come by e-mail, and
    the pages say so in words true for every account."""
    connected_user(live_idp, phone=None)
    url = live_idp.url
    recover_by(page, url, puzzles, "marie", "sms")
    at_pattern(page, url, r"/recovery/password/[^/]+/code")
    expect(page.get_by_text(t("recovery.code_sent_sms"))).to_be_visible()
    message = await_emails(live_idp.app, 1)[0]
    assert message["To"] == "marie@example.org" and sms_messages(live_idp.app) == []
    match = CODE.search(text_part(message))
    assert match, text_part(message)
    accessible(page, axe)
    both_widths(page, screenshot, "recovery-code-no-mobile")
    page.get_by_label(t("contacts.code_label")).fill(match.group(1))
    page.keyboard.press("Enter")
    expect_done(page, url, "recovery.temporary_sent_email")
    accessible(page, axe)
    both_widths(page, screenshot, "recovery-done-temporary-sent")
    temporary = _temporary_password(text_part(await_email_matching(live_idp.app, TEMPORARY)))
    assert sms_messages(live_idp.app) == []
    sign_in(page, url, password=temporary)
    expect_personalisation(page, url)


def test_a_step_opened_elsewhere_says_the_link_is_gone(
    page: Page, live_idp, puzzles, axe, screenshot, browser, browser_context_args
):
    """Defect 8: a recovery step's address in another browser (or once spent) reads "Ce lien
    a expiré ou a déjà servi" and leads back to the start, by keyboard."""
    connected_user(live_idp)
    url = live_idp.url
    recover_by(page, url, puzzles, "marie", "email")
    at_pattern(page, url, r"/recovery/password/[^/]+/code")
    step = page.url
    elsewhere = browser.new_context(**browser_context_args)
    try:
        other = elsewhere.new_page()
        answer = other.goto(step)
        assert answer is not None and answer.status == 410
        heading(other, "invitation.unusable_title")
        expect(other.get_by_role("alert")).to_have_text(t("recovery.link_step_gone"))
        accessible(other, axe)
        both_widths(other, screenshot, "recovery-link-gone")
        tab_to(other, t("recovery.start_again"))
        other.keyboard.press("Enter")
        at(other, url, "/recovery/password")
        heading(other, "recovery.identify_title")
    finally:
        elsewhere.close()


class TestNewPasswordAfterCode:
    """ASSU2000 (`after_code = "set_password"`): a right code opens the new-password page."""

    @pytest.fixture
    def settings_overrides(self) -> dict[str, dict[str, object]]:
        return {"recovery": {"response_floor_ms": 5, "after_code": "set_password"}}

    def test_a_right_code_opens_the_new_password_page(
        self, page: Page, live_idp, puzzles, axe, screenshot
    ):
        connected_user(live_idp)
        url = live_idp.url
        recover_by(page, url, puzzles, "marie", "email")
        match = CODE.search(text_part(await_emails(live_idp.app, 1)[0]))
        assert match
        type_code(page, match.group(1))
        at_pattern(page, url, r"/recovery/password/[^/]+/new")
        accessible(page, axe)
        both_widths(page, screenshot, "recovery-new-password-after-code")
        choose_new_password(page)
        expect_changed(page, url)
        assert len(emails(live_idp.app)) == 2  # the code, then "vient d'être modifié"
        sign_in(page, url, password=NEW_PASSWORD)
        expect_signed_in(page, url)


class TestNothingToAsk:
    """BonusEco (`order = "secret_question"`): an unknown identifier, like an account with no
    secret, reads the assistance message where the question would be."""

    @pytest.fixture
    def settings_overrides(self) -> dict[str, dict[str, object]]:
        return {"recovery": {"response_floor_ms": 5, "order": "secret_question"}}

    def test_the_assistance_message(self, page: Page, live_idp, puzzles, axe, screenshot):
        url = live_idp.url
        recover_by(page, url, puzzles, "nobody", "email")
        at(page, url, "/recovery/assistance")
        expect(page.get_by_role("status")).to_have_text(
            t("recovery.secrets_missing", phone="0 800 74 74 00")
        )
        accessible(page, axe)
        both_widths(page, screenshot, "recovery-assistance")
        tab_to(page, t("recovery.to_sign_in"))
        page.keyboard.press("Enter")
        at(page, url, "/login")
        assert emails(live_idp.app) == []
