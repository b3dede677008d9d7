"""Nobody lost on the way back: a relying application that starts a sign-in gets its user back
after every recovery path, and "Abandonner" answers it `access_denied`."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete

from idp.extensions import db
from idp.i18n import text
from idp.models import PendingAuthorization
from idp.services.lockout import Lockout
from tests.support.factories import DEFAULT_PASSWORD
from tests.support.oidc import RelyingParty, csrf_token, query
from tests.support.outbox import last_email, letter_text, letters, links, open_link, text_part
from tests.support.recovery import CODE, begin, choose, post_page, walk_to_code_page

NEW_PASSWORD = "Quatre chevaux galopent vers Nantes"
RESUME_LINK = re.compile(r'href="(/authorize/resume/[^"]+)"')
DENY_FORM = re.compile(r'action="(/authorize/deny/[^"]+)"')


@pytest.fixture
def settings_overrides() -> dict[str, dict[str, object]]:
    return {"recovery": {"response_floor_ms": 1}}


@pytest.fixture
def rp(client, registered, clock) -> RelyingParty:
    registered_client, secret = registered
    return RelyingParty(client, registered_client.client_id, secret, clock=clock)


def page_text(key: str, **params: object) -> str:
    return text(key, "fr", **params).replace("'", "&#39;")


def start(rp: RelyingParty) -> str:
    """The application sends its user to sign in: the sign-in page of the pending request."""
    response = rp.authorize()
    assert response.status_code == 303 and response.location.startswith("/login?ref=")
    return response.location


def continue_link(client, path: str) -> str:
    """The end page's "Continuer vers Application test"."""
    page = client.get(path).get_data(as_text=True)
    assert page_text("journey.continue", client="Application test") in page
    return RESUME_LINK.search(page).group(1)


def back_in_the_application(rp: RelyingParty, response, password: str) -> None:
    """Follow the IdP (sign-in, consent) to a code at the redirect URI that the token
    endpoint accepts."""
    final = rp.walk(response, password=password)
    assert rp.leaves(final), (final.status_code, final.location)
    params = query(final.location)
    assert params["state"] == rp.state and "code" in params
    assert rp.exchange(params["code"]).status_code == 200


def personalise(client, location: str) -> object:
    assert location.startswith("/password/change?ref="), location
    return post_page(client, location, new_password=NEW_PASSWORD, confirmation=NEW_PASSWORD)


def test_forgotten_password_by_email_code_leads_back(app, client, factories, rp, puzzles, clock):
    factories.user(last_login_at=clock.now() - 3600)
    sign_in_page = start(rp)
    code_page = walk_to_code_page(client, puzzles, "marie")
    code = CODE.search(text_part(last_email(app))).group(1)
    assert post_page(client, code_page, code=code).location == "/recovery/done"
    temporary = re.search(r"Mot de passe provisoire : (\S+)", text_part(last_email(app))).group(1)
    # "Continuer vers Application test": the request's sign-in page, then personalising.
    resumed = client.get(continue_link(client, "/recovery/done"))
    assert resumed.location == sign_in_page
    signed_in = rp.sign_in(sign_in_page, password=temporary)
    personalised = personalise(client, signed_in.location)
    back_in_the_application(rp, personalised, NEW_PASSWORD)
    # Answered: the end pages offer no way back to it any more.
    done = client.get("/recovery/done").get_data(as_text=True)
    assert "/authorize/resume/" not in done
    assert page_text("journey.expired", client="Application test") not in done


def test_signing_in_from_the_plain_sign_in_page_also_leads_back(
    app, client, factories, rp, puzzles, clock
):
    """ "Aller à la connexion" after recovering: the request this browser came with goes on."""
    factories.user(last_login_at=clock.now() - 3600)
    start(rp)
    code_page = walk_to_code_page(client, puzzles, "marie")
    post_page(client, code_page, code=CODE.search(text_part(last_email(app))).group(1))
    temporary = re.search(r"Mot de passe provisoire : (\S+)", text_part(last_email(app))).group(1)
    # The sign-in page, reached without the request's reference, still serves it.
    page = client.get("/login").get_data(as_text=True)
    assert page_text("login.intro", client="Application test") in page
    assert DENY_FORM.search(page)
    signed_in = rp.sign_in("/login", password=temporary)
    personalised = personalise(client, signed_in.location)
    back_in_the_application(rp, personalised, NEW_PASSWORD)


class TestResetLink:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, dict[str, object]]:
        return {"recovery": {"after_code": "link", "response_floor_ms": 1}}

    def test_the_emailed_link_leads_back(self, app, client, factories, rp, puzzles, clock):
        factories.user(last_login_at=clock.now() - 3600)
        start(rp)
        code_page = walk_to_code_page(client, puzzles, "marie")
        post_page(client, code_page, code=CODE.search(text_part(last_email(app))).group(1))
        link = next(u for u in links(last_email(app)) if "/recovery/reset/" in u)
        path = open_link(client, link, "/recovery/reset")
        changed = post_page(client, path, new_password=NEW_PASSWORD, confirmation=NEW_PASSWORD)
        assert changed.location == "/recovery/changed"
        back_in_the_application(
            rp, client.get(continue_link(client, changed.location)), NEW_PASSWORD
        )


def test_forgotten_identifier_leads_back(app, client, factories, rp, puzzles):
    from tests.http.test_identifier_recovery import ask, civil_user

    civil_user(app, factories, email="marie@example.org")
    start(rp)
    sent = ask(client, puzzles)
    assert sent.location == "/recovery/identifier/sent"
    response = client.get(continue_link(client, sent.location))
    back_in_the_application(rp, response, DEFAULT_PASSWORD)


def test_identifier_shown_by_the_iban_leads_back(app, client, factories, rp, puzzles):
    from tests.http.test_identifier_recovery import ask, civil_user

    civil_user(app, factories, email=None)
    start(rp)
    shown = post_page(client, ask(client, puzzles).location, iban_tail="890189")
    assert shown.status_code == 200
    link = RESUME_LINK.search(shown.get_data(as_text=True)).group(1)
    back_in_the_application(rp, client.get(link), DEFAULT_PASSWORD)


@pytest.fixture
def postal_user(factories, clock):
    return factories.user(
        email=None,
        last_login_at=clock.now() - 3600,
        street_address="3 rue des Lilas",
        postal_code="42000",
        locality="Saint-Étienne",
    )


def letter_code(app, client, puzzles) -> str:
    """Recovery with no e-mail known posts a code; the letter page takes it."""
    assert choose(client, begin(client, puzzles, "marie"), "email").location == "/recovery/done"
    code = CODE.search(letter_text(letters(app)[-1])).group(1)
    verified = post_page(client, "/recovery/letter", puzzles, identifier="marie", code=code)
    changed = post_page(
        client, verified.location, new_password=NEW_PASSWORD, confirmation=NEW_PASSWORD
    )
    assert changed.location == "/recovery/changed"
    return changed.location


def test_the_letter_code_path_leads_back(app, client, rp, postal_user, puzzles):
    start(rp)
    changed = letter_code(app, client, puzzles)
    back_in_the_application(rp, client.get(continue_link(client, changed)), NEW_PASSWORD)


def test_an_expired_request_says_how_to_go_back(app, client, rp, postal_user, puzzles, clock):
    start(rp)
    clock.advance(1801)  # past [tokens] pending_request_ttl_seconds
    page = client.get(letter_code(app, client, puzzles)).get_data(as_text=True)
    assert page_text("journey.expired", client="Application test") in page
    assert "/authorize/resume/" not in page
    # Only the end of the path says it: the home page does not repeat it on every visit.
    assert page_text("journey.expired", client="Application test") not in client.get("/").text
    # Signing in still works: to the account, as without an application.
    assert rp.sign_in("/login", password=NEW_PASSWORD).location == "/account"


def test_a_way_back_followed_too_late_names_the_application(client, factories, rp, clock):
    factories.user()
    sign_in_page = start(rp)
    link = continue_link(client, "/")
    clock.advance(1801)
    for late in (client.get(link), client.get(sign_in_page)):
        assert late.status_code == 400
        assert page_text("journey.expired", client="Application test") in late.text


def test_a_request_finished_in_a_twin_tab_during_the_sign_in_says_how_to_go_back(
    app, client, factories, rp, monkeypatch
):
    """Another tab of the browser ends the request while this tab's password is checked: the
    sign-in stands, and the way on is the page naming the application, not an error."""
    factories.user()
    sign_in_page = start(rp)
    reserve = Lockout.reserve

    def reserve_while_a_twin_finishes(self, identifier, *, now):
        reservation = reserve(self, identifier, now=now)
        db.session.execute(delete(PendingAuthorization))  # the twin tab's code went out
        db.session.commit()
        return reservation

    monkeypatch.setattr(Lockout, "reserve", reserve_while_a_twin_finishes)
    gone = rp.sign_in(sign_in_page)
    assert gone.status_code == 400
    assert page_text("journey.expired", client="Application test") in gone.text
    assert client.get("/account").status_code == 200  # signed in all the same


def test_the_home_page_offers_the_way_back(client, factories, rp):
    """ "Aller à l'accueil" during a path started from an application is not a dead end."""
    factories.user()
    ref = start(rp).split("ref=", 1)[1]
    home = client.get("/").get_data(as_text=True)
    assert f'href="/authorize/resume/{ref}"' in home
    assert page_text("journey.continue", client="Application test") in home


def assert_access_denied(rp: RelyingParty, response) -> None:
    assert rp.leaves(response), (response.status_code, response.location)
    params = query(response.location)
    assert params["error"] == "access_denied" and params["state"] == rp.state
    assert "code" not in params


def abandon(client, path: str):
    page = client.get(path).get_data(as_text=True)
    assert page_text("recovery.abandon") in page
    return client.post(DENY_FORM.search(page).group(1), data={"csrf_token": csrf_token(page)})


def test_abandon_on_the_sign_in_page_answers_access_denied(client, factories, rp):
    factories.user()
    assert_access_denied(rp, abandon(client, start(rp)))
    # The request is over: the way back is gone with it.
    assert "/authorize/deny/" not in client.get("/recovery/password").get_data(as_text=True)


def test_abandon_during_recovery_answers_access_denied(client, factories, rp, puzzles, clock):
    factories.user(last_login_at=clock.now() - 3600)
    start(rp)
    assert_access_denied(rp, abandon(client, begin(client, puzzles, "marie")))


def test_abandon_while_personalising_answers_access_denied(client, factories, rp):
    factories.user(temporary=True)
    change_page = rp.sign_in(start(rp)).location
    page = client.get(change_page).get_data(as_text=True)
    response = client.post("/password/abandon", data={"csrf_token": csrf_token(page)})
    assert_access_denied(rp, response)
    assert client.get("/account").status_code in (302, 303)  # signed out as well


def test_steps_carry_the_seed_navigation(client, factories, puzzles, clock):
    factories.user(last_login_at=clock.now() - 3600)
    identify = client.get("/recovery/password").get_data(as_text=True)
    channel = client.get(begin(client, puzzles, "marie")).get_data(as_text=True)
    for page, previous in ((identify, "/login"), (channel, "/recovery/password")):
        nav = page[page.index('<nav class="actions step-nav"') :]
        nav = nav[: nav.index("</nav>")]
        assert f'<a href="{previous}">{page_text("journey.previous")}</a>' in nav
        assert page_text("recovery.abandon") in nav
        assert f'<a href="/">{page_text("layout.home")}</a>' in nav


@pytest.mark.parametrize(
    "settings_overrides",
    [{"branding": {"manual_url": ""}}, {"branding": {"manual_url": "https://example.org/m.pdf"}}],
)
def test_the_user_manual_sits_beside_the_assistance(client, settings_overrides):
    manual_url = settings_overrides["branding"]["manual_url"]
    page = client.get("/login").get_data(as_text=True)
    link = f'<a href="{manual_url}">{page_text("layout.manual")}</a>'
    assert (link in page) is bool(manual_url)
