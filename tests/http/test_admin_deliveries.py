"""The console's Envois: the outbox as agents see it (never what a message said), filtered by
state, a failed message queued again once and audited; who may see it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from idp.extensions import db
from idp.models import AuditEvent, OutboxMessage
from idp.services import outbox
from tests.support.cli import Operator
from tests.support.console import console_sign_in, form_token
from tests.support.outbox import emails, one_in_each_state, text_part

SECRET_CODE = "Provisoire-Secret-7731"  # what the messages say, sealed


@pytest.fixture
def agent(client, factories, clock):
    """A client signed in to the console as a helpdesk agent."""
    secret = factories.staff("agent", "assistance")
    console_sign_in(client, "agent", secret, at=clock.now())
    return client


@pytest.fixture
def queued(app, clock) -> dict[str, int]:
    return one_in_each_state(app, clock.now(), SECRET_CODE)


def _rows(page: str) -> list[str]:
    """The number column of the table (each row's header cell)."""
    return re.findall(r'<th scope="row">(\d+)</th>', page)


def test_every_message_newest_first_without_what_it_said(agent, queued):
    page = agent.get("/admin/deliveries").get_data(as_text=True)
    assert _rows(page) == [str(queued[s]) for s in (outbox.FAILED, outbox.PENDING, outbox.SENT)]
    for shown in ("marie@example.org", "+33612345678", "paul@example.org", "451 4.3.0", "503"):
        assert shown in page
    assert SECRET_CODE not in page
    assert "Tous (3)" in page and "En échec (1)" in page and "En attente (1)" in page
    # Only the failed one can be queued again.
    assert page.count('action="/admin/deliveries/') == 1
    assert f'action="/admin/deliveries/{queued[outbox.FAILED]}/retry"' in page


@pytest.mark.parametrize("state", outbox.STATES)
def test_filtered_by_state(agent, queued, state):
    page = agent.get(f"/admin/deliveries?state={state}").get_data(as_text=True)
    assert _rows(page) == [str(queued[state])]
    assert re.search(rf'href="/admin/deliveries\?state={state}" aria-current="page"', page)


def test_an_unknown_state_shows_them_all(agent, queued):
    answer = agent.get("/admin/deliveries?state=<script>")
    assert answer.status_code == 200 and len(_rows(answer.get_data(as_text=True))) == 3
    assert "<script>" not in answer.get_data(as_text=True)


def test_a_failed_message_queued_again_once_and_audited(app, agent, queued, clock):
    failed = queued[outbox.FAILED]
    token = form_token(agent, "/admin/deliveries")
    answer = agent.post(
        f"/admin/deliveries/{failed}/retry", data={"csrf_token": token, "state": "failed"}
    )
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/admin/deliveries?state=failed#notices"
    page = agent.get(answer.headers["Location"]).get_data(as_text=True)
    assert f"L&#39;envoi n° {failed} est remis en file" in page
    assert _rows(page) == []  # no longer failed
    # Queued again with its attempts anew, then sent at the worker's next pass.
    (sent,) = [m for m in emails(app) if m["To"] == "paul@example.org"]
    assert SECRET_CODE in text_part(sent)
    with app.app_context():
        message = db.session.get(OutboxMessage, failed)
        assert (message.state, message.attempts, message.sent_at) == (outbox.SENT, 1, clock.now())
        (event,) = db.session.scalars(
            select(AuditEvent).where(AuditEvent.event == "delivery_retried")
        ).all()
        assert event.detail == {"by": "staff:agent", "message": failed}

    # Again (a second click, another agent's): nothing changes, and it says so.
    again = agent.post(f"/admin/deliveries/{failed}/retry", data={"csrf_token": token})
    assert again.headers["Location"] == "/admin/deliveries#notices"
    page = agent.get(again.headers["Location"]).get_data(as_text=True)
    assert f"L&#39;envoi n° {failed} n&#39;est pas en échec" in page
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.event == "delivery_retried")
        ).all()
        assert len(events) == 1


@pytest.mark.parametrize("state", [outbox.SENT, outbox.PENDING])
def test_a_message_that_has_not_failed_is_not_queued_again(app, agent, queued, state):
    token = form_token(agent, "/admin/deliveries")
    agent.post(f"/admin/deliveries/{queued[state]}/retry", data={"csrf_token": token})
    with app.app_context():
        assert db.session.get(OutboxMessage, queued[state]).state == state


def test_an_unknown_message_changes_nothing(agent, queued):
    token = form_token(agent, "/admin/deliveries")
    answer = agent.post("/admin/deliveries/999999/retry", data={"csrf_token": token})
    assert answer.status_code == 303
    assert "n&#39;est pas en échec" in agent.get("/admin/deliveries").get_data(as_text=True)


def test_in_english(agent, queued):
    page = agent.get("/admin/deliveries?ui_locales=en").get_data(as_text=True)
    assert "Deliveries to account holders" in page and "Failed (1)" in page


def test_the_command_queues_again_and_audits_too(app, queued, tmp_path):
    idp = Operator(app, tmp_path)
    assert idp("deliveries", "retry", str(queued[outbox.FAILED])).exit_code == 0
    with app.app_context():
        (event,) = db.session.scalars(
            select(AuditEvent).where(AuditEvent.event == "delivery_retried")
        ).all()
        assert event.detail == {"by": "cli", "message": queued[outbox.FAILED]}
