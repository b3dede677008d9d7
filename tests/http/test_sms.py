"""SMS: templates in French and English within two segments, an outbox of JSON files, and a
provider's HTTP API called for real (a local server started by the test)."""

from __future__ import annotations

import base64
import json
import re
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from jinja2 import StrictUndefined
from markupsafe import escape

from idp.i18n import text
from idp.notify import DeliveryFailed
from idp.notify.sms import GSM7, MAX_SEGMENTS, HttpGateway, Outbox, outbox_folder
from tests.support.outbox import last_sms, sms_messages

PHONE = "+33612345678"
# Every SMS template, with the context its header comment documents.
TEMPLATES = {
    "recovery_code": {"code": "482193", "minutes": 30},
    "temporary_password": {"identifier": "marie.dupont-lefebvre", "temporary_password": "Kx7-pQ2m"},
    "letter_on_its_way": {},
    "identifier_reminder": {"identifier": "marie.dupont-lefebvre"},
    "reset_link": {
        "link": "https://connexion.mon-espace.example.fr/recovery/reset/" + "Zm9vYmFy.-_" * 10,
        "minutes": 60,
    },
}


def send(app, template="recovery_code", locale="fr", to=PHONE, **context):
    with app.app_context():
        return app.extensions["idp"].sms.send(
            to, template, locale=locale, **(context or TEMPLATES[template])
        )


def test_outbox_file_is_the_message_as_json(app):
    sent = send(app)
    [file] = outbox_folder(app.extensions["idp"].settings).iterdir()
    assert re.fullmatch(r"\d{8}T\d{6}\.\d{9}Z-[0-9a-f]{32}\.json", file.name)
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    data = json.loads(file.read_text(encoding="utf-8"))
    assert data == {
        "to": PHONE,
        "text": sent.text,
        "id": sent.id,
        "sent_at": app.extensions["idp"].now(),
        "locale": "fr",
        "template": "recovery_code",
        "sender": "",
        "segments": sent.segments,
    }
    assert "482193" in data["text"] and "30 minutes" in data["text"]
    assert data["text"].startswith("Mon espace : votre code de sécurité est 482193.")
    assert "sécurité" in file.read_text(encoding="utf-8")  # UTF-8, not \u escapes
    assert sms_messages(app) == [data] and last_sms(app) == data


def test_messages_are_listed_in_sending_order(app):
    ids = [send(app, template).id for template in TEMPLATES]
    assert [m["id"] for m in sms_messages(app)] == ids
    assert [m["template"] for m in sms_messages(app)] == list(TEMPLATES)


@pytest.mark.parametrize(
    ("asked", "chosen"),
    [("fr", "fr"), ("en", "en"), ("en-GB", "en"), ("de", "fr"), ("", "fr"), ("../x", "fr")],
)
def test_locale_selection_falls_back_to_french(app, asked, chosen):
    sent = send(app, locale=asked)
    assert sent.locale == chosen == last_sms(app)["locale"]
    start = "your security code" if chosen == "en" else "votre code de sécurité"
    assert start in sent.text


@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_every_template_renders_within_two_sms(app, template, locale):
    """Each template uses exactly the context its comment documents, and fits in two SMS."""
    app.jinja_env.undefined = StrictUndefined
    context = TEMPLATES[template]
    with app.app_context():
        sms = app.extensions["idp"].sms.render(PHONE, template, locale=locale, **context)
    assert sms.locale == locale
    assert sms.segments <= MAX_SEGMENTS, (sms.segments, sms.text)
    for value in context.values():
        assert str(value) in sms.text
    assert sms.text.startswith(app.extensions["idp"].settings.branding.name)
    assert "{{" not in sms.text and "{#" not in sms.text
    assert sms.text == sms.text.strip() and "  " not in sms.text and "\n\n" not in sms.text


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_french_templates_keep_to_the_gsm_alphabet(app, template):
    """One character outside it (ê, ç, ’) and a segment holds 67 characters instead of 153."""
    with app.app_context():
        sms = app.extensions["idp"].sms.render(PHONE, template, locale="fr", **TEMPLATES[template])
    assert set(sms.text) <= GSM7, set(sms.text) - GSM7


def test_the_code_fits_in_one_sms(app):
    assert send(app).segments == 1


def test_letter_notice_holds_no_secret(app):
    sent = send(app, "letter_on_its_way")
    assert "courrier" in sent.text and "poste" in sent.text
    assert not re.search(r"\d{4,}", sent.text.replace(" ", "").replace("0800747400", ""))


@pytest.mark.parametrize(
    ("to", "template", "context"),
    [
        ("0612345678", "recovery_code", {}),
        ("+33 6 12 34 56 78", "recovery_code", {}),
        ("+33612345678\n", "recovery_code", {}),
        ("+33612345678,+33698765432", "recovery_code", {}),
        (PHONE, "../recovery_code", {}),
        (PHONE, "Recovery_Code", {}),
        (PHONE, "recovery_code", {"branding": "spoofed"}),
    ],
)
def test_unsafe_input_is_refused_before_anything_is_sent(app, to, template, context):
    with app.app_context(), pytest.raises(ValueError):
        app.extensions["idp"].sms.send(
            to, template, locale="fr", **{**TEMPLATES["recovery_code"], **context}
        )
    assert sms_messages(app) == []


def test_an_outbox_that_cannot_be_written_raises_delivery_failed(app):
    folder = outbox_folder(app.extensions["idp"].settings)
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_text("a file where the folder should be")
    with pytest.raises(DeliveryFailed) as caught:
        send(app)
    assert caught.value.channel == "sms"
    assert "482193" not in str(caught.value)


def test_the_outbox_reads_back_only_its_own_files(app):
    send(app)
    folder = outbox_folder(app.extensions["idp"].settings)
    (folder / "notes.json").write_text("{}")
    (folder / "20260101T000000.000000000Z-broken.json").write_text("not json")
    outbox = Outbox(folder)
    assert len(outbox.names()) == 2
    assert outbox.read("notes.json") is None
    assert outbox.read("20260101T000000.000000000Z-broken.json") is None
    assert outbox.read("../../idp.sqlite3") is None
    assert outbox.read(outbox.names()[0]) is not None


# -- a provider's HTTP API ----------------------------------------------------------------------


@dataclass
class Provider:
    """A local stand-in for an SMS provider: records each request, answers `status`."""

    status: int = 200
    slow: bool = False
    requests: list[dict] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/messages"


@pytest.fixture
def provider() -> Iterator[Provider]:
    state = Provider()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            state.requests.append({"path": self.path, "headers": self.headers, "body": body})
            if state.slow:
                state.release.wait(10)
            try:
                self.send_response(state.status)
                if state.status in {301, 302, 307}:
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")
            except OSError:  # the client gave up (timeout test)
                pass

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    state.release.set()
    server.shutdown()
    server.server_close()
    thread.join(5)


def http_settings(provider: Provider, **sms: object) -> dict[str, dict[str, object]]:
    values = {
        "backend": "http",
        "url": provider.url,
        "auth": "bearer",
        "token": "tok-SECRET-123",
        "timeout_seconds": 1,
        **sms,
    }
    return {"sms": values}


class TestHttpProvider:
    @pytest.fixture
    def settings_overrides(self, provider):
        return http_settings(provider)

    def test_posts_the_json_body_with_the_bearer_token(self, app, provider):
        assert isinstance(app.extensions["idp"].sms.transport, HttpGateway)
        sent = send(app)
        [request] = provider.requests
        assert request["path"] == "/v1/messages"
        assert request["headers"]["Authorization"] == "Bearer tok-SECRET-123"
        assert request["headers"]["Content-Type"] == "application/json; charset=utf-8"
        assert json.loads(request["body"]) == {"to": PHONE, "text": sent.text}
        assert not outbox_folder(app.extensions["idp"].settings).exists()  # nothing kept here

    def test_quotes_newlines_and_braces_in_the_text_are_escaped(self, app, provider):
        tricky = 'a"b\\c\n"}, "to": "+33698765432", "x": "{to}'
        sent = send(app, "identifier_reminder", identifier=tricky)
        [request] = provider.requests
        body = json.loads(request["body"])
        assert body == {"to": PHONE, "text": sent.text}
        assert tricky in body["text"]
        assert b'a\\"b\\\\c\\n\\"}' in request["body"]

    @pytest.mark.parametrize("status", [500, 404, 401, 302])
    def test_an_error_status_raises_delivery_failed_without_secrets(self, app, provider, status):
        provider.status = status
        with pytest.raises(DeliveryFailed) as caught:
            send(app)
        assert caught.value.channel == "sms"
        assert caught.value.reason == f"http://127.0.0.1:{provider.port}: HTTP {status}"
        assert len(provider.requests) == 1  # a redirect is not followed

    def test_a_timeout_raises_delivery_failed(self, app, provider):
        provider.slow = True
        with pytest.raises(DeliveryFailed) as caught:
            send(app)
        assert "Timeout" in caught.value.reason
        assert "tok-SECRET-123" not in str(caught.value) and "482193" not in str(caught.value)


class TestHttpProviderOptions:
    @pytest.fixture
    def settings_overrides(self, provider):
        body = (
            '{"messages": [{"dest": ["{to}"], "from": "{sender}", "msg": "{text}", "ref": "{id}"}]}'
        )
        return http_settings(
            provider,
            auth="basic",
            username="idp",
            password="p@ss:wörd",
            body=body,
            sender="MonEspace",
        )

    def test_custom_body_and_basic_auth(self, app, provider):
        sent = send(app)
        [request] = provider.requests
        expected = base64.b64encode("idp:p@ss:wörd".encode("latin-1")).decode()
        assert request["headers"]["Authorization"] == f"Basic {expected}"
        assert json.loads(request["body"]) == {
            "messages": [{"dest": [PHONE], "from": "MonEspace", "msg": sent.text, "ref": sent.id}]
        }


class TestUnreachableProvider:
    @pytest.fixture
    def settings_overrides(self, provider):
        # A port nothing listens on, and an API key in the query string.
        provider.port = 9
        return http_settings(provider, url="http://127.0.0.1:9/send?api_key=KEY-SECRET")

    def test_a_network_error_raises_delivery_failed_without_the_url(self, app):
        with pytest.raises(DeliveryFailed) as caught:
            send(app)
        assert caught.value.reason == "http://127.0.0.1:9: ConnectionError"
        assert "KEY-SECRET" not in str(caught.value)


# -- the development outbox page ------------------------------------------------------------------


class TestDevOutbox:
    @pytest.fixture
    def settings_overrides(self):
        return {"server": {"development": True}}

    def test_lists_sms_newest_first_and_shows_one(self, app, client):
        first = send(app)
        second = send(app, "identifier_reminder", locale="en", identifier="<b>marie</b>")
        page = client.get("/dev/outbox").get_data(as_text=True)
        assert f'<h2 id="channel-sms">{text("dev.channel.sms", "fr")}</h2>' in page
        urls = re.findall(r'href="(/dev/outbox/sms/[^"/]+\.json)"', page)
        assert len(urls) == 2
        assert urls[0].endswith(f"-{second.id}.json")
        assert urls[1].endswith(f"-{first.id}.json")
        assert PHONE in page and "<b>marie</b>" not in page
        response = client.get(urls[0])
        assert response.status_code == 200
        detail = response.get_data(as_text=True)
        assert str(escape(second.text)) in detail
        assert "<dt>segments</dt><dd>1</dd>" in detail
        assert f"<dt>id</dt><dd>{second.id}</dd>" in detail
        assert 'lang="en"' in detail
        assert "Content-Security-Policy" in response.headers

    def test_empty_section(self, client):
        page = client.get("/dev/outbox").get_data(as_text=True)
        section = page[page.index('id="channel-sms"') : page.index('id="channel-letter"')]
        assert escape(text("dev.outbox.empty", "fr")) in section

    @pytest.mark.parametrize(
        "name",
        ["nothing.json", "20260101T000000.000000000Z-abc.json", "..%2F..%2Fidp.sqlite3", "%2E%2E"],
    )
    def test_unknown_or_crafted_names_are_404(self, app, client, name):
        send(app)
        assert client.get(f"/dev/outbox/sms/{name}").status_code == 404


class TestDevOutboxWithAProvider:
    @pytest.fixture
    def settings_overrides(self, provider):
        return {"server": {"development": True}, **http_settings(provider)}

    def test_the_page_says_sms_are_not_kept(self, client):
        page = client.get("/dev/outbox").get_data(as_text=True)
        assert escape(text("dev.outbox.sms_http", "fr")) in page


@pytest.mark.parametrize("path", ["/dev/outbox", "/dev/outbox/sms/x.json"])
def test_no_dev_pages_without_development(app, client, path):
    send(app)
    assert client.get(path).status_code == 404
