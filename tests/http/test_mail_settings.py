"""[mail] settings: checked at start, like every other section."""

from __future__ import annotations

from pathlib import Path

import pytest

from idp.clock import FrozenClock
from idp.config import ConfigError, load_settings
from idp.notify.mail import Outbox, SmtpRelay, build_mailer, outbox_folder

SECRET = "a-real-random-value-" + "z" * 32
HTTPS = {"issuer": "https://idp.example", "secret_key": SECRET, "hash_key": SECRET}


def load(mail: dict[str, object], server: dict[str, object] | None = None):
    return load_settings(None, overrides={"mail": mail, "server": server or {}}, environ={})


@pytest.mark.parametrize(
    ("mail", "message"),
    [
        ({"backend": "sendmail"}, "backend"),
        ({"backend": "smtp"}, "host"),
        ({"security": "ssl"}, "security"),
        ({"port": 0}, "port"),
        ({"port": 70000}, "port"),
        ({"timeout_seconds": 0}, "timeout_seconds"),
        ({"sender": "no address"}, "sender"),
        ({"sender": "x@example.org\r\nBcc: eve@example.org"}, "sender"),
    ],
)
def test_unusable_values_are_refused(mail, message):
    with pytest.raises(ConfigError, match=rf"\[mail\] {message}"):
        load(mail)


def test_credentials_in_clear_refused_on_an_https_issuer():
    relay = {"backend": "smtp", "host": "relay", "security": "none", "username": "idp"}
    with pytest.raises(ConfigError, match="in clear"):
        load({**relay, "password": "p"}, HTTPS)
    assert load({**relay, "security": "starttls"}, HTTPS).mail.username == "idp"
    assert load(relay).mail.security == "none"  # http: a local development relay


def test_default_outbox_is_in_the_instance_folder(tmp_path):
    settings = load({}, {"instance_dir": str(tmp_path / "elsewhere")})
    assert settings.mail.backend == "outbox"
    assert outbox_folder(settings) == tmp_path / "elsewhere" / "outbox" / "mail"


def test_relative_outbox_is_resolved_against_the_config_folder(tmp_path):
    config = tmp_path / "idp.toml"
    config.write_text('[mail]\noutbox = "mails"\n')
    settings = load_settings(config, environ={})
    assert outbox_folder(settings) == tmp_path / "mails"


def test_environment_sets_the_relay_password():
    environ = {
        "IDP_MAIL_BACKEND": "smtp",
        "IDP_MAIL_HOST": "relay.internal",
        "IDP_MAIL_PORT": "465",
        "IDP_MAIL_SECURITY": "tls",
        "IDP_MAIL_PASSWORD": "from-the-environment",
    }
    settings = load_settings(None, environ=environ)
    assert (settings.mail.port, settings.mail.password) == (465, "from-the-environment")


def test_backend_chooses_the_transport(tmp_path: Path):
    outbox = build_mailer(load({}, {"instance_dir": str(tmp_path)}), FrozenClock())
    assert isinstance(outbox.transport, Outbox)
    relay = build_mailer(load({"backend": "smtp", "host": "relay"}), FrozenClock())
    assert isinstance(relay.transport, SmtpRelay)
