"""First connection: the invitation link, the temporary password, contact confirmation."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from idp.extensions import db
from idp.i18n import text
from idp.models import OneTimeCode, User
from tests.support.cli import Operator
from tests.support.factories import DEFAULT_PASSWORD
from tests.support.oidc import RelyingParty, csrf_token, query
from tests.support.outbox import emails, last_email, links, open_link, text_part
from tests.support.signin import submit

NEW_PASSWORD = "Quatre chevaux galopent vers Nantes"
CODE = re.compile(r"\b(\d{4})\b")


def page_text(key: str, **params: object) -> str:
    return text(key, "fr", **params).replace("'", "&#39;")


@pytest.fixture
def idp(app, tmp_path) -> Operator:
    return Operator(app, tmp_path)


def post_form(client, url: str, *, page_url: str | None = None, **fields: str):
    """Post a form the way the page at `page_url` (by default `url`) would."""
    page = client.get(page_url or url)
    return client.post(url, data={"csrf_token": csrf_token(page.get_data(as_text=True)), **fields})


def stored(app, identifier: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.identifier == identifier))
        db.session.expunge(user)
        return user


# -- invitation link -----------------------------------------------------------------------


def invite(idp, app) -> str:
    result = idp("users", "add", "--identifier", "paul", "--email", "paul@example.org", "--invite")
    assert result.exit_code == 0, result.output
    message = last_email(app)
    assert message["To"] == "paul@example.org"
    link = next(url for url in links(message) if "/invitation/" in url)
    return link.split("http://idp.test", 1)[1]


def accept(client, path: str, password: str = NEW_PASSWORD, **overrides: str):
    fields = {
        "new_password": password,
        "confirmation": password,
        "question": "birth_town",
        "answer": "Saint-Étienne",
        **overrides,
    }
    return post_form(client, path, **fields)


def test_invitation_creates_the_password_and_secret_then_signs_in(app, client, idp):
    path = open_link(client, invite(idp, app), "/invitation")
    assert stored(app, "paul").password_hash is None
    page = client.get(path)
    assert page.status_code == 200
    assert "paul" in page.get_data(as_text=True)

    weak = accept(client, path, "azerty123")
    assert page_text("password.too_weak") in weak.get_data(as_text=True)
    mismatch = accept(client, path, confirmation="something else entirely 42")
    assert page_text("password.mismatch") in mismatch.get_data(as_text=True)
    no_question = accept(client, path, question="")
    assert page_text("invitation.question_required") in no_question.get_data(as_text=True)

    done = accept(client, path)
    assert done.status_code == 303 and done.location == "/account"
    # Signed in; the first connection goes on with the contact details.
    assert client.get("/account").location == "/contacts/confirm"
    user = stored(app, "paul")
    assert user.password_hash and user.email_verified and not user.password_temporary
    assert user.secret_question == "birth_town"
    assert "etienne" not in (user.secret_answer_hash or "")


def test_invitation_token_stays_out_of_addresses_and_the_page(app, client, idp):
    """The token reaches the server once, in the link's request, which answers only a redirect:
    the page, its form and what stays in the history and the access logs are at /invitation."""
    link = invite(idp, app)
    token = link.rsplit("/", 1)[1]
    clean = open_link(client, link, "/invitation")
    page = client.get(clean)
    assert page.status_code == 200
    assert token not in page.get_data(as_text=True)
    assert (
        client.post(link, data={"csrf_token": csrf_token(page.get_data(as_text=True))}).status_code
        == 405
    )
    assert accept(client, clean).status_code == 303
    assert stored(app, "paul").password_hash


def test_strength_gauge_counts_the_invited_accounts_data(app, client, idp):
    """The page names no token: the gauge finds the invitation in the session."""
    page = client.get(open_link(client, invite(idp, app), "/invitation"))
    assert 'data-context="invitation"' in page.get_data(as_text=True)

    def verdict(http, context: str, page_url: str = "/invitation") -> bool:
        response = http.post(
            "/password/strength",
            data={
                "password": "paul@example.org1",
                "context": context,
                "csrf_token": csrf_token(http.get(page_url).get_data(as_text=True)),
            },
        )
        assert response.status_code == 200
        return response.get_json()["acceptable"]

    assert verdict(client, "invitation") is False  # the invited address, plus one digit
    assert verdict(client, "") is True
    other = app.test_client()  # another browser: no invitation in its session
    assert verdict(other, "invitation", page_url="/login") is True


def test_invitation_page_without_a_link_is_refused(app, client):
    response = client.get("/invitation")
    assert response.status_code == 400
    assert page_text("invitation.invalid") in response.get_data(as_text=True)


def test_secret_answer_ignores_case_accents_and_spacing(app, client, idp):
    from idp.services.secret_question import answer_matches

    accept(client, open_link(client, invite(idp, app), "/invitation"), answer="Saint-Étienne")
    user = stored(app, "paul")
    key = app.extensions["idp"].hash_key
    assert answer_matches(user, "  saint etienne ", hash_key=key)
    assert answer_matches(user, "SAINT-ETIENNE", hash_key=key)
    assert not answer_matches(user, "Saint-Etiennes", hash_key=key)


def test_invitation_link_works_once(app, client, idp):
    link = invite(idp, app)
    assert accept(client, open_link(client, link, "/invitation")).status_code == 303
    other = app.test_client()
    again = other.get(open_link(other, link, "/invitation"))
    assert again.status_code == 400
    assert page_text("invitation.used") in again.get_data(as_text=True)


def test_invitation_link_expires(app, client, idp, clock):
    link = invite(idp, app)
    clock.advance(72 * 3600 + 1)
    expired = client.get(open_link(client, link, "/invitation"))
    assert expired.status_code == 410
    body = expired.get_data(as_text=True)
    assert page_text("invitation.expired") in body
    assert app.extensions["idp"].settings.branding.support_phone in body


def test_tampered_invitation_link_is_refused(app, client, idp):
    link = invite(idp, app)
    forged_link = link[:-3] + ("xyz" if not link.endswith("xyz") else "abc")
    forged = client.get(open_link(client, forged_link, "/invitation"))
    assert forged.status_code == 400
    assert page_text("invitation.invalid") in forged.get_data(as_text=True)


# -- temporary password, then contact confirmation ---------------------------------------


def test_temporary_password_is_printed_once_as_json(app, idp):
    result = idp(
        "users",
        "add",
        "--identifier",
        "lea",
        "--email",
        "lea@example.org",
        "--temporary-password",
        "--json",
    )
    printed = json.loads(result.output)
    assert printed["identifier"] == "lea" and len(printed["temporary_password"]) >= 12
    assert stored(app, "lea").password_temporary
    assert emails(app) == []


def test_temporary_password_can_be_sent_by_email(app, idp):
    result = idp(
        "users",
        "add",
        "--identifier",
        "lea",
        "--email",
        "lea@example.org",
        "--temporary-password",
        "--send",
        "email",
        "--json",
    )
    assert "temporary_password" not in json.loads(result.output)
    assert "lea" in text_part(last_email(app))


def first_connection(client, factories, app, puzzles):
    """A user with a temporary password and unconfirmed contacts, signed in via an RP."""
    factories.user(temporary=True, contacts_confirmed_at=None, email_verified=False)
    rp_client, secret = factories.client(first_party=True)
    rp = RelyingParty(client, rp_client.client_id, secret)
    page = rp.walk(rp.authorize())
    return rp, page


def test_whole_first_connection_ends_with_the_code_for_the_client(app, client, factories, puzzles):
    rp, page = first_connection(client, factories, app, puzzles)
    assert page.request.path == "/password/change"
    assert text("password.temporary", "fr") in page.get_data(as_text=True)
    ref = page.request.args["ref"]

    contacts = post_form(
        client, f"/password/change?ref={ref}", new_password=NEW_PASSWORD, confirmation=NEW_PASSWORD
    )
    assert contacts.location == f"/contacts/confirm?ref={ref}"
    form = client.get(contacts.location).get_data(as_text=True)
    assert 'value="marie@example.org"' in form  # prefilled, editable

    bad = post_form(client, f"/contacts/confirm?ref={ref}", email="marie@example.org", mobile="12")
    assert page_text("contacts.phone_invalid") in bad.get_data(as_text=True)
    landline_as_mobile = post_form(
        client, f"/contacts/confirm?ref={ref}", email="marie@example.org", mobile="01 42 68 53 00"
    )
    assert page_text("contacts.mobile_not_mobile") in landline_as_mobile.get_data(as_text=True)

    sent = post_form(
        client,
        f"/contacts/confirm?ref={ref}",
        email="marie@example.org",
        mobile="06 12 34 56 78",
        landline="",
        fax="",
    )
    assert sent.location == f"/contacts/verify?ref={ref}"
    message = last_email(app)
    assert message["To"] == "marie@example.org"
    code = CODE.search(text_part(message)).group(1)

    verified = post_form(client, f"/contacts/verify?ref={ref}", code=code)
    assert verified.location == f"/contacts/verified?ref={ref}"
    assert text("contacts.verified", "fr") in client.get(verified.location).get_data(as_text=True)
    final = rp.walk(client.get(f"/authorize/resume/{ref}"))
    assert rp.leaves(final) and "code" in query(final.location)
    user = stored(app, "marie")
    assert user.phone == "+33612345678" and user.email_verified and user.contacts_confirmed_at


def confirm_to_code(client, app, factories, address: str = "marie@example.org"):
    factories.user(contacts_confirmed_at=None, email_verified=False)
    page = client.get("/login")
    client.post(
        "/login",
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "identifier": "marie",
            "password": DEFAULT_PASSWORD,
        },
    )
    post_form(client, "/contacts/confirm", email=address)
    return CODE.search(text_part(last_email(app))).group(1)


def test_email_code_allows_five_tries(app, client, factories):
    code = confirm_to_code(client, app, factories)
    wrong = "0000" if code != "0000" else "1111"
    for left in (4, 3, 2, 1):
        response = post_form(client, "/contacts/verify", code=wrong)
        assert page_text("contacts.code_wrong", left=left) in response.get_data(as_text=True)
    fifth = post_form(client, "/contacts/verify", code=wrong)
    assert page_text("contacts.code_exhausted", minutes=30) in fifth.get_data(as_text=True)
    right_too_late = post_form(client, "/contacts/verify", code=code)
    assert page_text("contacts.code_exhausted", minutes=30) in right_too_late.get_data(as_text=True)
    assert not stored(app, "marie").email_verified


def test_a_resend_gives_a_new_code_but_not_new_tries(app, client, factories, clock):
    first = confirm_to_code(client, app, factories)
    wrong = "0000" if first != "0000" else "1111"
    for _ in range(3):
        post_form(client, "/contacts/verify", code=wrong)
    too_soon = post_form(client, "/contacts/verify/resend", page_url="/contacts/verify")
    assert too_soon.status_code == 303
    assert len(emails(app)) == 1  # within the wait: nothing sent
    clock.advance(61)
    post_form(client, "/contacts/verify/resend", page_url="/contacts/verify")
    second = CODE.search(text_part(last_email(app))).group(1)
    for _ in range(2):
        post_form(client, "/contacts/verify", code=wrong if wrong != second else "2222")
    exhausted = post_form(client, "/contacts/verify", code=second)
    assert page_text("contacts.code_exhausted", minutes=30) in exhausted.get_data(as_text=True)


def test_email_code_expires_after_thirty_minutes(app, client, factories, clock):
    code = confirm_to_code(client, app, factories)
    clock.advance(20 * 60)
    client.get("/contacts/verify")  # the session stays alive (30 minutes idle)
    clock.advance(10 * 60)
    expired = post_form(client, "/contacts/verify", code=code)
    assert page_text("contacts.code_expired") in expired.get_data(as_text=True)


def test_email_code_is_single_use_and_stored_hashed(app, client, factories):
    code = confirm_to_code(client, app, factories)
    with app.app_context():
        row = db.session.scalar(select(OneTimeCode))
        assert code not in row.code_hash
    assert post_form(client, "/contacts/verify", code=code).status_code == 303
    # Used: the verification page has nothing left to verify.
    assert client.get("/contacts/verify").location == "/account/contacts"


def test_a_new_address_replaces_the_old_one_only_once_verified(app, client, factories):
    code = confirm_to_code(client, app, factories, address="marie.new@example.org")
    assert last_email(app)["To"] == "marie.new@example.org"
    assert stored(app, "marie").email == "marie@example.org"
    post_form(client, "/contacts/verify", code=code)
    assert stored(app, "marie").email == "marie.new@example.org"


def test_sign_in_page_leads_to_personalisation_without_a_client(client, factories, puzzles):
    factories.user(temporary=True)
    response = submit(client, puzzles)
    assert response.location == "/password/change"


def test_temporary_password_can_be_sent_by_sms_or_post(app, idp):
    from tests.support.outbox import letter_text, letters, sms_messages

    idp(
        "users",
        "add",
        "--identifier",
        "tom",
        "--phone",
        "+33612345678",
        "--temporary-password",
        "--send",
        "sms",
    )
    assert "tom" in sms_messages(app)[-1]["text"]
    with app.app_context():
        user = db.session.scalar(select(User).where(User.identifier == "tom"))
        user.street_address, user.postal_code, user.locality = "1 place du Marché", "79000", "Niort"
        user.given_name, user.family_name = "Tom", "Durand"
        db.session.commit()
    result = idp("users", "reset-password", "tom", "--send", "post", "--json")
    assert result.exit_code == 0 and "temporary_password" not in json.loads(result.output)
    body = letter_text(letters(app)[-1])
    assert "1 place du Marché" in body and "tom" in body


def test_sending_to_a_missing_address_changes_nothing(app, idp):
    result = idp("users", "add", "--identifier", "ana", "--temporary-password", "--send", "sms")
    assert result.exit_code == 1 and "not delivered" in result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.identifier == "ana")) is None


# -- an empty e-mail field, and accounts that have no e-mail -------------------------------


def signed_in_first_time(client, factories, puzzles, **fields: object) -> None:
    """Marie signed in, her contacts still to confirm."""
    factories.user(contacts_confirmed_at=None, email_verified=False, **fields)
    assert submit(client, puzzles).location == "/contacts/confirm"


def test_an_empty_email_is_an_error_tied_to_the_field(app, client, factories, puzzles):
    signed_in_first_time(client, factories, puzzles, email=None)
    response = post_form(client, "/contacts/confirm", email="", mobile="06 12 34 56 78")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert page_text("contacts.email_required") in body
    assert 'id="email-error"' in body and 'aria-invalid="true"' in body
    assert 'aria-describedby="email-hint email-error"' in body
    assert '<a href="#email">' in body  # the summary leads to the field
    user = stored(app, "marie")
    assert user.contacts_confirmed_at is None and user.phone is None
    assert emails(app) == []
    assert client.get("/account").location == "/contacts/confirm"


@pytest.mark.parametrize("settings_overrides", [{"contacts": {"email_required": False}}])
@pytest.mark.parametrize("on_file", [None, "marie@example.org"], ids=["none", "unproved"])
def test_an_account_without_email_finishes_where_the_deployment_allows(
    app, client, factories, puzzles, on_file
):
    """No address, or one an agent typed and nobody proved: the holder may leave it empty."""
    signed_in_first_time(client, factories, puzzles, email=on_file)
    page = client.get("/contacts/confirm").get_data(as_text=True)
    assert page_text("contacts.email_hint_optional") in page
    done = post_form(client, "/contacts/confirm", email="", mobile="06 12 34 56 78")
    assert done.status_code == 303 and done.location == "/account"
    user = stored(app, "marie")
    assert user.contacts_confirmed_at and user.email is None and not user.email_verified
    assert user.phone == "+33612345678"
    assert emails(app) == []
    assert client.get("/account").status_code == 200


@pytest.mark.parametrize("settings_overrides", [{"contacts": {"email_required": False}}])
def test_a_verified_address_cannot_be_emptied_even_so(app, client, factories, puzzles):
    factories.user()
    submit(client, puzzles)
    response = post_form(client, "/account/contacts", email="")
    assert page_text("contacts.email_required") in response.get_data(as_text=True)
    assert stored(app, "marie").email == "marie@example.org"
