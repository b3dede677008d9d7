"""The console's "Comptes": search, an account's file (never a hash, a secret answer, a NIR or
an IBAN), and each action's effect with its audit record naming the acting staff member."""

from __future__ import annotations

import html
import json
import re
import socket

import pytest
from flask import Flask
from flask.testing import FlaskClient

from idp.extensions import db
from idp.models import BrowserSession, FederatedIdentity, Habilitation, User
from idp.services import outbox, sessions, users
from tests.support.cli import Operator
from tests.support.console import console_sign_in, form_token
from tests.support.outbox import emails, last_email, last_sms, text_part

ACCOUNTS = "/admin/accounts"


@pytest.fixture
def agent(client: FlaskClient, factories, clock) -> FlaskClient:
    """The helpdesk agent "agent", signed in to the console."""
    secret = factories.staff("agent", "assistance")
    console_sign_in(client, "agent", secret, at=clock.now())
    return client


def _lock(app: Flask, identifier: str) -> None:
    """Fail sign-ins until the lockout locks the identifier."""
    rt = app.extensions["idp"]
    with app.app_context():
        for _ in range(rt.settings.lockout.max_attempts):
            reservation = rt.lockout.reserve(identifier, now=rt.now())
            if reservation.refusal is None:
                rt.lockout.fail(reservation, now=rt.now())
        db.session.commit()


def _user(app: Flask, identifier: str) -> User:
    with app.app_context():
        user = users.find_by_identifier(identifier)
        assert user is not None
        db.session.expunge(user)
        return user


def _post(http: FlaskClient, path: str, **data: str):
    return http.post(path, data={"csrf_token": form_token(http, ACCOUNTS), **data})


def _follow(http: FlaskClient, answer) -> str:
    assert answer.status_code == 303, answer.get_data(as_text=True)[:300]
    assert answer.headers["Location"].endswith("#notices")
    return html.unescape(http.get(answer.headers["Location"]).get_data(as_text=True))


def _by(factories, event: str) -> list[tuple[str, str | None]]:
    return [(e.outcome, (e.detail or {}).get("by")) for e in factories.audit(event)]


# -- search ------------------------------------------------------------------------------------


def test_search_by_identifier_name_email_phone(agent, factories):
    factories.user("jdupont", email="jean.dupont@example.org", family_name="Dupont")
    factories.user("mmartin", email="marie@example.org", phone="+33612345678")
    for typed, found in (
        ("dupont", "jdupont"),
        ("JEAN.DUPONT@", "jdupont"),
        ("06 12 34 56", "mmartin"),
        ("mmart", "mmartin"),
    ):
        page = agent.get(ACCOUNTS, query_string={"q": typed}).get_data(as_text=True)
        assert found in page, typed
        other = {"jdupont", "mmartin"} - {found}
        assert f">{other.pop()}</a>" not in page, typed
    # What was typed stays in the field.
    page = agent.get(ACCOUNTS, query_string={"q": "dupont"}).get_data(as_text=True)
    assert 'value="dupont"' in page


def test_search_by_state_uses_the_lock_and_the_password_age(agent, app, factories, clock):
    factories.user("locked1", last_login_at=clock.now())
    factories.user("fresh", last_login_at=clock.now())
    factories.user("newcomer")
    factories.user("gone", status="disabled")
    _lock(app, "locked1")

    def listed(state: str) -> set[str]:
        page = agent.get(ACCOUNTS, query_string={"state": state}).get_data(as_text=True)
        return set(re.findall(r'/admin/accounts/\d+\?back=[^"]*">([^<]+)</a>', page))

    assert listed("locked") == {"locked1"}
    assert listed("disabled") == {"gone"}
    never = listed("never_connected")
    assert "newcomer" in never and not never & {"fresh", "locked1", "gone"}
    assert "fresh" in listed("active") and "locked1" not in listed("active")


class TestPasswordExpiry:
    @pytest.fixture
    def settings_overrides(self):
        return {"password": {"expiry_days": 90}}

    def test_an_old_password_reads_expired_in_the_search_the_file_and_the_cli(
        self, agent, app, factories, clock, tmp_path
    ):
        old = clock.now() - 91 * 86400
        marie = factories.user("marie", last_login_at=clock.now(), password_changed_at=old)
        factories.user("recent", email="r@example.org", last_login_at=clock.now())
        page = agent.get(ACCOUNTS, query_string={"state": "password_expired"})
        found = page.get_data(as_text=True)
        assert ">marie</a>" in found and ">recent</a>" not in found
        page = agent.get(f"{ACCOUNTS}/{marie.id}").get_data(as_text=True)
        assert "Mot de passe expiré" in page
        listed = Operator(app, tmp_path)("users", "list", "--state", "password_expired", "--json")
        assert [row["identifier"] for row in json.loads(listed.output)] == ["marie"]


def test_search_by_organisation(agent, factories):
    primary = factories.organisation("asp1ent")
    factories.secondary(primary, "cs1")
    factories.user("outsider")
    page = agent.get(ACCOUNTS, query_string={"organisation": "asp1ent"}).get_data(as_text=True)
    assert "cs1.asp1ent" in page and "outsider" not in page


def test_unknown_organisation_or_state_is_said_next_to_the_field(agent, factories):
    answer = agent.get(ACCOUNTS, query_string={"organisation": "nope", "q": "kept"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert 'id="organisation-error"' in page and "« nope »" in page
    assert 'aria-describedby="organisation-hint organisation-error"' in page
    assert 'value="kept"' in page and 'value="nope"' in page
    answer = agent.get(ACCOUNTS, query_string={"state": "<script>"})
    assert answer.status_code == 400 and 'id="state-error"' in answer.get_data(as_text=True)


def test_pages_of_25_sorted_and_the_query_kept_in_links(agent, factories):
    for number in range(30):
        factories.user(f"user{number:02d}", email=f"u{number}@example.org")
    page = agent.get(ACCOUNTS, query_string={"q": "user"}).get_data(as_text=True)
    assert "30 comptes trouvés" in page
    assert page.count('<th scope="row">') == 25
    assert "user00" in page and "user29" not in page
    # The sort link and the page links keep the text searched.
    assert 'href="/admin/accounts?q=user&amp;sort=identifier&amp;order=desc"' in page
    assert 'href="/admin/accounts?q=user&amp;page=2"' in page
    second = agent.get(ACCOUNTS, query_string={"q": "user", "page": "2"}).get_data(as_text=True)
    assert second.count('<th scope="row">') == 5 and "user29" in second
    backwards = agent.get(
        ACCOUNTS, query_string={"q": "user", "sort": "identifier", "order": "desc"}
    ).get_data(as_text=True)
    assert backwards.index("user29") < backwards.index("user28")
    # Garbage sort or page: the default order, never an error.
    odd = agent.get(ACCOUNTS, query_string={"q": "user", "sort": "password_hash", "page": "x"})
    assert odd.status_code == 200 and "user00" in odd.get_data(as_text=True)


def test_a_long_list_links_its_ends_and_the_pages_near_this_one(agent, factories):
    for number in range(26 * 8):
        factories.user(f"u{number:03d}", email=None)
    page = agent.get(ACCOUNTS, query_string={"q": "u", "page": "5"}).get_data(as_text=True)
    linked = re.findall(r'href="/admin/accounts\?q=u&amp;page=(\d+)"', page)
    assert sorted(set(map(int, linked))) == [1, 3, 4, 5, 6, 7, 9]


def test_nothing_found_offers_to_widen(agent, factories):
    page = agent.get(ACCOUNTS, query_string={"q": "zzz"}).get_data(as_text=True)
    assert "Aucun compte ne correspond" in page
    assert '<a href="/admin/accounts">Élargir la recherche' in page


# -- an account's file -------------------------------------------------------------------------


def test_the_file_shows_state_contacts_habilitations_links_sessions_events(
    agent, app, factories, clock
):
    restricted, _ = factories.client(name="Téléservice", requires_habilitation=True)
    factories.service("AED", restricted.client_id)
    primary = factories.organisation("asp1ent", services=("AED",))
    marie = factories.user(
        "marie",
        phone="+33612345678",
        phone_verified=False,
        secret_question="pet",
        secret_answer_hash="a" * 64,
        nir_hash="b" * 64,
        iban_hash="c" * 64,
    )
    with app.app_context():
        users.grant(users.get(marie.id), restricted.client_id, now=clock.now(), by="test")
        db.session.add(
            FederatedIdentity(
                provider="franceconnect", subject="fc-sub", user_id=marie.id, created_at=1
            )
        )
        sessions.start(users.get(marie.id), now=clock.now(), acr="pwd", amr=["pwd"], ip="192.0.2.7")
        db.session.commit()
    _lock(app, "marie")
    page = agent.get(f"{ACCOUNTS}/{marie.id}").get_data(as_text=True)
    assert "Verrouillé" in page and "verrouillé jusqu" in page
    assert "marie@example.org (vérifié)" in page and "+33612345678 (non vérifié)" in page
    assert "Téléservice" in page and "franceconnect" in page and "192.0.2.7" in page
    assert "Question secrète définie</dt><dd>oui" in page
    # The secrets never: no hash of any kind, and so no way to read the answer, NIR or IBAN.
    with app.app_context():
        stored = users.get(marie.id)
        assert stored is not None
        for secret in (stored.password_hash, "a" * 64, "b" * 64, "c" * 64):
            assert secret not in page
    # The primary holds AED: its application comes from the service, and says which.
    page = agent.get(f"{ACCOUNTS}/{primary.id}").get_data(as_text=True)
    assert "par le service AED" in page


def test_unknown_account_is_a_404_page(agent):
    answer = agent.get(f"{ACCOUNTS}/999999")
    assert answer.status_code == 404 and "<h1" in answer.get_data(as_text=True)
    assert _post(agent, f"{ACCOUNTS}/999999/unlock").status_code == 404
    assert agent.get(f"{ACCOUNTS}/abc").status_code == 404


# -- actions -----------------------------------------------------------------------------------


def test_unlock_is_audited_with_the_agent(agent, app, factories, clock):
    marie = factories.user("marie", last_login_at=clock.now())
    _lock(app, "marie")
    page = _follow(agent, _post(agent, f"{ACCOUNTS}/{marie.id}/unlock"))
    assert "Le compte marie est déverrouillé." in page
    assert "Actif" in page
    assert _by(factories, "unlock") == [("success", "staff:agent")]


def test_temporary_password_by_email_is_sent_never_shown(agent, app, factories):
    marie = factories.user("marie")
    before = _user(app, "marie").password_hash
    answer = _post(agent, f"{ACCOUNTS}/{marie.id}/temporary-password", channel="email")
    page = _follow(agent, answer)
    assert "envoyé par courriel" in page
    after = _user(app, "marie")
    assert after.password_hash != before and after.password_temporary
    message = text_part(last_email(app))
    temporary = re.search(r"provisoire\s*:\s*(\S+)", message)
    assert temporary, message
    assert temporary.group(1) not in page
    assert _by(factories, "temporary_password_sent") == [("success", "staff:agent")]


def test_temporary_password_by_sms(agent, app, factories):
    marie = factories.user("marie", phone="+33612345678")
    _follow(agent, _post(agent, f"{ACCOUNTS}/{marie.id}/temporary-password", channel="sms"))
    assert last_sms(app)["to"] == "+33612345678"


def test_missing_address_changes_nothing_and_says_why(agent, app, factories):
    marie = factories.user("marie")
    before = _user(app, "marie").password_hash
    page = _follow(agent, _post(agent, f"{ACCOUNTS}/{marie.id}/temporary-password", channel="post"))
    assert "n'a pas cette coordonnée. Rien n'a été modifié." in page
    assert _user(app, "marie").password_hash == before
    assert emails(app) == []  # not even the notice that the password changed
    assert _by(factories, "temporary_password_sent") == [("failed", "staff:agent")]


def test_a_garbage_channel_is_a_400(agent, factories):
    marie = factories.user("marie")
    answer = _post(agent, f"{ACCOUNTS}/{marie.id}/temporary-password", channel="pigeon")
    assert answer.status_code == 400


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TestRelayDown:
    @pytest.fixture
    def settings_overrides(self):
        return {
            "mail": {
                "backend": "smtp",
                "host": "127.0.0.1",
                "port": _closed_port(),
                "security": "none",
            }
        }

    def test_the_change_stands_and_its_message_waits_in_the_outbox(self, agent, app, factories):
        """The relay is down: the password is replaced all the same, and its message is not
        lost: it waits in the outbox, with the relay's error, for the worker's next attempt."""
        marie = factories.user("marie")
        with app.app_context():
            sessions.start(users.get(marie.id), now=1, acr="pwd", amr=["pwd"])
            db.session.commit()
        before = _user(app, "marie")
        answer = _post(agent, f"{ACCOUNTS}/{marie.id}/temporary-password", channel="email")
        page = _follow(agent, answer)
        assert "Un mot de passe provisoire a été envoyé" in page
        after = _user(app, "marie")
        assert after.password_hash != before.password_hash and after.password_temporary
        with app.app_context():
            waiting = {m.template: m for m in outbox.listing(state=outbox.PENDING)}
            message = waiting["temporary_password"]
            assert message.recipient == marie.email
            assert message.attempts == 1 and "ConnectionRefusedError" in message.last_error


def test_invitation_only_without_a_password(agent, app, factories):
    invited = factories.user("newcomer", password=None, email="new@example.org")
    page = _follow(agent, _post(agent, f"{ACCOUNTS}/{invited.id}/invite"))
    assert "envoyé à new@example.org" in page
    assert "/invitation/" in text_part(last_email(app))
    marie = factories.user("marie")
    sent = len(emails(app))
    page = _follow(agent, _post(agent, f"{ACCOUNTS}/{marie.id}/invite"))
    assert "a déjà un mot de passe" in page and len(emails(app)) == sent
    assert _by(factories, "invitation_sent") == [("success", "staff:agent")]


def test_disable_then_enable(agent, app, factories):
    marie = factories.user("marie")
    page = _follow(agent, _post(agent, f"{ACCOUNTS}/{marie.id}/disable"))
    assert "est désactivé" in page and not _user(app, "marie").is_active
    _follow(agent, _post(agent, f"{ACCOUNTS}/{marie.id}/enable"))
    assert _user(app, "marie").is_active
    assert _by(factories, "account_disabled") == [("success", "staff:agent")]
    assert _by(factories, "account_enabled") == [("success", "staff:agent")]


def test_grant_and_remove_a_habilitation(agent, app, factories):
    restricted, _ = factories.client(name="Téléservice", requires_habilitation=True)
    open_app, _ = factories.client(name="Ouverte")
    marie = factories.user("marie")
    page = agent.get(f"{ACCOUNTS}/{marie.id}").get_data(as_text=True)
    assert f'<option value="{restricted.client_id}">' in page
    assert f'<option value="{open_app.client_id}">' not in page
    path = f"{ACCOUNTS}/{marie.id}/habilitations"
    page = _follow(agent, _post(agent, path, client_id=restricted.client_id))
    assert "est habilité pour Téléservice" in page
    # Only an application that requires a habilitation can be granted.
    page = _follow(agent, _post(agent, path, client_id=open_app.client_id))
    assert "Choisissez une application de la liste." in page
    with app.app_context():
        held = db.session.query(Habilitation).filter_by(user_id=marie.id).all()
        assert [h.client_id for h in held] == [restricted.client_id]
    page = _follow(agent, _post(agent, f"{path}/remove", client_id=restricted.client_id))
    assert "est retirée" in page
    page = _follow(agent, _post(agent, f"{path}/remove", client_id=restricted.client_id))
    assert "n'avait pas cette habilitation" in page
    assert _by(factories, "habilitation_granted") == [("success", "staff:agent")]
    assert _by(factories, "habilitation_revoked") == [("success", "staff:agent")]


def test_end_one_session_then_all(agent, app, factories, clock):
    marie = factories.user("marie")
    other = factories.user("other", email="other@example.org")
    with app.app_context():
        for _ in range(3):
            sessions.start(users.get(marie.id), now=clock.now(), acr="pwd", amr=["pwd"])
        foreign, _ = sessions.start(users.get(other.id), now=clock.now(), acr="pwd", amr=["pwd"])
        db.session.commit()
        ids = [s.id for s in db.session.query(BrowserSession).filter_by(user_id=marie.id)]
        foreign_id = foreign.id

    def live(user_id: int) -> int:
        with app.app_context():
            return (
                db.session.query(BrowserSession).filter_by(user_id=user_id, ended_at=None).count()
            )

    page = _follow(agent, _post(agent, f"{ACCOUNTS}/{marie.id}/sessions/{ids[0]}/end"))
    assert "La session est fermée." in page and live(marie.id) == 2
    # Another account's session cannot be ended from this account's page.
    assert _post(agent, f"{ACCOUNTS}/{marie.id}/sessions/{foreign_id}/end").status_code == 404
    assert live(other.id) == 1
    page = _follow(agent, _post(agent, f"{ACCOUNTS}/{marie.id}/sessions/end"))
    assert "2 sessions fermées." in page and live(marie.id) == 0
    assert [d.get("count") for d in (e.detail for e in factories.audit("session_ended"))] == [1, 2]


# -- who may -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["unlock", "invite", "disable", "enable", "sessions/end", "habilitations"]
)
def test_actions_refuse_a_post_without_csrf_token(agent, app, factories, path):
    marie = factories.user("marie")
    answer = agent.post(f"{ACCOUNTS}/{marie.id}/{path}", data={"client_id": "x"})
    assert answer.status_code == 400
    assert _user(app, "marie").is_active
    assert factories.audit("account_disabled") == []


def test_an_auditor_gets_403(client, factories, clock):
    secret = factories.staff("reader", "auditor")
    console_sign_in(client, "reader", secret, at=clock.now())
    marie = factories.user("marie")
    assert client.get(ACCOUNTS).status_code == 403
    assert client.get(f"{ACCOUNTS}/{marie.id}").status_code == 403
    answer = client.post(
        f"{ACCOUNTS}/{marie.id}/disable", data={"csrf_token": form_token(client, "/admin")}
    )
    assert answer.status_code == 403


def test_an_action_after_15_minutes_asks_to_reauthenticate_first(agent, app, factories, clock):
    marie = factories.user("marie")
    token = form_token(agent, ACCOUNTS)
    clock.advance(10 * 60)
    agent.get(ACCOUNTS)  # still in use: not idle
    clock.advance(6 * 60)
    answer = agent.post(f"{ACCOUNTS}/{marie.id}/disable", data={"csrf_token": token})
    assert answer.status_code == 303 and "/admin/reauthenticate" in answer.headers["Location"]
    assert _user(app, "marie").is_active
    # The file holds the action forms: it asks first, so nothing typed is lost.
    answer = agent.get(f"{ACCOUNTS}/{marie.id}")
    assert answer.status_code == 303 and "/admin/reauthenticate" in answer.headers["Location"]
    assert agent.get(ACCOUNTS).status_code == 200


# -- the CLI calls the same services -----------------------------------------------------------


def test_cli_list_filters_by_state_with_the_same_rule(app, tmp_path, factories, clock):
    factories.user("locked1", last_login_at=clock.now())
    factories.user("fresh", last_login_at=clock.now())
    _lock(app, "locked1")
    idp = Operator(app, tmp_path)
    listed = json.loads(idp("users", "list", "--state", "locked", "--json").output)
    assert [row["identifier"] for row in listed] == ["locked1"]
    assert "no organisation" in idp("users", "list", "--org", "nope").output
