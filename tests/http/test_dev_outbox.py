"""The development outbox page: sent e-mails listed and readable, absent unless development."""

from __future__ import annotations

import html
import re

import pytest
from markupsafe import escape

from idp.i18n import text
from idp.notify.mail import outbox_folder
from idp.web.dev import linkify

LINK = "http://idp.test/invitation/abc.def?x=1&y=2"


@pytest.fixture
def settings_overrides():
    return {"server": {"development": True}}


def send(app, template="invitation", locale="fr", **context):
    defaults = {
        "invitation": {"identifier": "marie", "link": LINK, "expires_hours": 72},
        "email_code": {"code": "4821", "minutes": 30},
    }
    with app.app_context():
        return app.extensions["idp"].mailer.send(
            "marie@example.org", template, locale=locale, **(context or defaults[template])
        )


def detail_urls(page: str) -> list[str]:
    return re.findall(r'href="(/dev/outbox/[^"/]+\.eml)"', page)


def test_empty_outbox(client):
    response = client.get("/dev/outbox")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert escape(text("dev.outbox.empty", "fr")) in page
    assert detail_urls(page) == []


def test_lists_emails_newest_first_with_date_recipient_and_subject(app, client):
    first = send(app, "email_code")
    second = send(app, "invitation", locale="en")
    page = client.get("/dev/outbox").get_data(as_text=True)
    assert f'<h2 id="channel-email">{text("dev.channel.email", "fr")}</h2>' in page
    urls = detail_urls(page)
    assert len(urls) == 2
    assert page.index(second.subject) < page.index(first.subject)
    assert "marie@example.org" in page
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00">', page)
    # The English subject is marked as English on the French page.
    assert f'lang="en">{second.subject}</a>' in page


def test_shows_a_message_with_its_link_clickable(app, client):
    sent = send(app)
    [url] = detail_urls(client.get("/dev/outbox").get_data(as_text=True))
    response = client.get(url)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"<h1>{sent.subject}</h1>" in page
    assert "<dt>Message-ID</dt><dd>&lt;" in page and sent.message_id[1:-1] in page
    escaped = escape(LINK)
    assert f'<a href="{escaped}">{escaped}</a>' in page
    # The HTML part, isolated in a sandboxed frame that runs nothing.
    frame = re.search(r'<iframe class="message-html" sandbox srcdoc="([^"]*)"', page)
    assert frame, "no sandboxed frame"
    assert html.unescape(frame.group(1)).replace("\r\n", "\n") == sent.html
    assert "Content-Security-Policy" in response.headers


def test_context_values_cannot_inject_markup_into_the_page(app, client):
    send(app, identifier='<script>alert("x")</script>', link=LINK, expires_hours=2)
    [url] = detail_urls(client.get("/dev/outbox").get_data(as_text=True))
    page = client.get(url).get_data(as_text=True)
    assert "<script>" not in page
    assert "&lt;script&gt;" in page


def test_raw_message(app, client):
    send(app)
    [url] = detail_urls(client.get("/dev/outbox").get_data(as_text=True))
    response = client.get(url + "/raw")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    [file] = outbox_folder(app.extensions["idp"].settings).iterdir()
    assert response.data == file.read_bytes()


@pytest.mark.parametrize(
    "name",
    [
        "nothing.eml",
        "20260101T000000.000000000Z-abc.eml",
        "..%2F..%2Fidp.sqlite3",
        "%2E%2E",
        "20260101T000000.000000000Z-abc.eml%00",
    ],
)
def test_unknown_or_crafted_names_are_404(app, client, name):
    send(app)
    assert client.get(f"/dev/outbox/{name}").status_code in {400, 404}
    assert client.get(f"/dev/outbox/{name}/raw").status_code in {400, 404}


def test_other_files_of_the_outbox_folder_are_not_served(app, client):
    send(app)
    folder = outbox_folder(app.extensions["idp"].settings)
    (folder / "notes.eml").write_text("From: x\n\nnot written by the mailer")
    page = client.get("/dev/outbox").get_data(as_text=True)
    assert "notes.eml" not in page
    assert client.get("/dev/outbox/notes.eml").status_code == 404


def test_english_page(app, client):
    send(app, "email_code")
    page = client.get("/dev/outbox?ui_locales=en").get_data(as_text=True)
    assert text("dev.outbox.title", "en") in page
    assert text("dev.column.subject", "en") in page


class TestWithARelay:
    @pytest.fixture
    def settings_overrides(self):
        return {"server": {"development": True}, "mail": {"backend": "smtp", "host": "relay.test"}}

    def test_the_page_says_messages_are_not_kept(self, client):
        page = client.get("/dev/outbox").get_data(as_text=True)
        assert escape(text("dev.outbox.smtp", "fr")) in page


def test_linkify_keeps_punctuation_out_and_escapes_the_rest():
    out = str(linkify("Voir http://a.test/x?y=1&z=2. <b>ou</b> https://b.test/)"))
    assert '<a href="http://a.test/x?y=1&amp;z=2">http://a.test/x?y=1&amp;z=2</a>.' in out
    assert "&lt;b&gt;ou&lt;/b&gt;" in out
    assert '<a href="https://b.test/">https://b.test/</a>)' in out
    assert "<a" not in str(linkify("javascript:alert(1) data:text/html,x"))


class TestWithoutDevelopment:
    @pytest.fixture
    def settings_overrides(self):
        return {}

    @pytest.mark.parametrize("path", ["/dev/outbox", "/dev/outbox/x.eml", "/dev/dev.css"])
    def test_not_registered(self, app, client, path):
        send(app)
        assert "dev" not in app.blueprints
        assert client.get(path).status_code == 404
