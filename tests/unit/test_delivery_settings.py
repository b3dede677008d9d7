"""[sms] and [postal] settings: checked at start, like every other section."""

from __future__ import annotations

from pathlib import Path

import pytest

from idp.clock import FrozenClock
from idp.config import ConfigError, load_settings, postal_place
from idp.notify import postal, sms


def load(**sections: dict[str, object]):
    return load_settings(None, overrides=sections, environ={})


HTTP = {"backend": "http", "url": "https://sms.example/v1/send"}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"backend": "smpp"}, "backend"),
        ({"backend": "http"}, "url is required"),
        ({**HTTP, "url": "ftp://sms.example/"}, "url must be"),
        ({**HTTP, "url": "https://"}, "url must be"),
        ({**HTTP, "url": "https://sms.example:port/"}, "url must be"),
        (
            {**HTTP, "url": "http://sms.example/send"},
            r"url must be https \(http only to a loopback",
        ),
        ({**HTTP, "url": "http://10.0.0.5/send"}, "url must be https"),
        ({**HTTP, "url": "https://idp:pw@sms.example/send"}, "must not hold credentials"),
        (
            {**HTTP, "url": "http://sms.example/send", "auth": "bearer", "token": "t"},
            "refusing to send credentials over plain http",
        ),
        (
            {
                **HTTP,
                "url": "http://sms.example/",
                "auth": "basic",
                "username": "u",
                "password": "p",
            },
            "credentials over plain http",
        ),
        ({"auth": "digest"}, "auth"),
        ({"auth": "bearer"}, "token is required"),
        ({"auth": "basic", "username": "idp"}, "username and password"),
        ({"timeout_seconds": 0}, "timeout_seconds"),
        ({"body": "to={to}&text={text}"}, "body must be JSON"),
        ({"body": '"{to} {text}"'}, "object or array"),
        ({"body": '{"to": "{to}"}'}, r"\{to\} and \{text\}"),
        ({"body": '{"to": "{to}", "text": "{text}", "x": "{token}"}'}, "unknown placeholder"),
        ({"sender": "Mon Espace Santé"}, "sender"),
        ({"sender": "TwelveLetter"}, "sender"),
        ({"sender": "+33 6 12"}, "sender"),
    ],
)
def test_unusable_sms_values_are_refused(values, message):
    with pytest.raises(ConfigError, match=rf"\[sms\] {message}|\[sms\] .*{message}"):
        load(sms=values)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/send",
        "http://localhost/send",
        "http://[::1]:9000/",
        "http://127.8.0.1/",
    ],
)
def test_plain_http_only_to_this_machine(url):
    settings = load(sms={**HTTP, "url": url, "auth": "bearer", "token": "t"})
    assert settings.sms.url == url


@pytest.mark.parametrize("sender", ["", "MonEspace", "MSA 2026", "+33612345678", "36180"])
def test_sender_ids(sender):
    assert load(sms={"sender": sender}).sms.sender == sender


def test_environment_sets_the_provider_token():
    environ = {
        "IDP_SMS_BACKEND": "http",
        "IDP_SMS_URL": "https://sms.example/v1/send",
        "IDP_SMS_AUTH": "bearer",
        "IDP_SMS_TOKEN": "from-the-environment",
    }
    settings = load_settings(None, environ=environ)
    assert settings.sms.token == "from-the-environment"


def test_backend_chooses_the_transport(tmp_path: Path):
    outbox = sms.build_sms(load(server={"instance_dir": str(tmp_path)}), FrozenClock())
    assert isinstance(outbox.transport, sms.Outbox)
    assert outbox.transport.files.folder == tmp_path / "outbox" / "sms"
    gateway = sms.build_sms(load(sms=HTTP), FrozenClock())
    assert isinstance(gateway.transport, sms.HttpGateway)


def test_relative_outboxes_are_resolved_against_the_config_folder(tmp_path):
    config = tmp_path / "idp.toml"
    config.write_text('[sms]\noutbox = "texts"\n[postal]\noutbox = "courrier"\n')
    settings = load_settings(config, environ={})
    assert sms.outbox_folder(settings) == tmp_path / "texts"
    assert postal.outbox_folder(settings) == tmp_path / "courrier"


def test_default_letter_outbox_is_in_the_instance_folder(tmp_path):
    settings = load(server={"instance_dir": str(tmp_path)})
    assert postal.outbox_folder(settings) == tmp_path / "outbox" / "letters"
    assert postal.build_letters(settings, FrozenClock()).folder == tmp_path / "outbox" / "letters"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"sender_address": "Organisme"}, "sender_address"),
        ({"sender_address": "\n".join(["ligne"] * 7)}, "sender_address"),
        ({"sender_address": "Organisme\n" + "x" * 39}, "sender_address"),
        ({"sender_address": "Organisme\n\n75002 Paris"}, "sender_address"),
        ({"sender_address": "Organisme\n75002"}, "place"),
        ({"place": "Paris\nLyon"}, "place"),
        ({"signature": "a\nb\nc\nd"}, "signature"),
        ({"timezone": "Europe/Pariss"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
    ],
)
def test_unusable_postal_values_are_refused(values, message):
    with pytest.raises(ConfigError, match=rf"\[postal\] {message}"):
        load(postal=values)


@pytest.mark.parametrize(
    ("address", "place"),
    [
        ("Organisme\n10 rue de la Paix\n75002 Paris", "Paris"),
        ("Caisse\nTSA 12345\n75700 PARIS CEDEX 07", "PARIS"),
        ("Caisse\nBP 12\n97400 Saint-Denis", "Saint-Denis"),
        ("Organisme\nRoute de Lausanne\nF-01210 Ferney-Voltaire", "Ferney-Voltaire"),
    ],
)
def test_the_place_comes_from_the_address_unless_set(address, place):
    assert postal_place(load(postal={"sender_address": address})) == place
    assert postal_place(load(postal={"sender_address": address, "place": "Lyon"})) == "Lyon"
