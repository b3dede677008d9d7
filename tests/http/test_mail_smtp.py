"""SMTP delivery to a real server (aiosmtpd, in a thread, on a free loopback port)."""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from idp.config import MailSettings
from idp.notify import DeliveryFailed
from idp.notify.mail import Email, SmtpRelay, outbox_folder

CONTEXT = {"code": "4821", "minutes": 30}


class Inbox:
    """aiosmtpd handler keeping every envelope it accepts."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted"

    def messages(self) -> list[Any]:
        parser = BytesParser(policy=policy.default)
        return [parser.parsebytes(e.original_content) for e in self.envelopes]


def free_port() -> int:
    """A port nothing listens on (aiosmtpd's Controller cannot be given port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def smtp_server(**parameters: Any) -> Iterator[tuple[int, Inbox]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **parameters)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


@pytest.fixture
def relay() -> Iterator[tuple[int, Inbox]]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def settings_overrides(relay):
    port, _ = relay
    return {"mail": {"backend": "smtp", "host": "127.0.0.1", "port": port, "security": "none"}}


@pytest.fixture
def email(app) -> Email:
    """A rendered message, for the relay variants built in the tests."""
    with app.app_context():
        return app.extensions["idp"].mailer.render(
            "marie@example.org", "email_code", locale="fr", **CONTEXT
        )


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (cert file, key file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test relay")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return folder / "cert.pem", folder / "key.pem"


def server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


def trusting(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    """A client context that trusts the test certificate (and verifies it)."""
    return ssl.create_default_context(cafile=str(certificate[0]))


def settings(port: int, **values: Any) -> MailSettings:
    return replace(MailSettings(backend="smtp", host="127.0.0.1", port=port), **values)


def test_the_configured_mailer_delivers_to_the_relay(app, relay):
    _, inbox = relay
    with app.app_context():
        sent = app.extensions["idp"].mailer.send(
            "marie@example.org", "email_code", locale="en", **CONTEXT
        )
    [envelope] = inbox.envelopes
    assert envelope.mail_from == "no-reply@example.org"
    assert envelope.rcpt_tos == ["marie@example.org"]
    [message] = inbox.messages()
    assert message["Subject"] == "Your confirmation code" == sent.subject
    assert message["Message-ID"] == sent.message_id
    # On the wire, lines end with CRLF.
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == sent.text
    assert message.get_body(("html",)).get_content().replace("\r\n", "\n") == sent.html
    # Nothing goes to the outbox when a relay is configured.
    assert not outbox_folder(app.extensions["idp"].settings).exists()


def test_relay_down_raises_delivery_failed(app):
    with app.app_context():
        mailer = app.extensions["idp"].mailer
        mailer.transport = SmtpRelay(settings(free_port(), security="none"))
        with pytest.raises(DeliveryFailed) as caught:
            mailer.send("marie@example.org", "email_code", locale="fr", **CONTEXT)
    assert caught.value.channel == "email"
    assert "127.0.0.1" in caught.value.reason


def test_a_silent_relay_fails_after_the_timeout(email):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # accepts connections, never greets
        port = silent.getsockname()[1]
        relay = SmtpRelay(settings(port, security="none", timeout_seconds=1))
        with pytest.raises(DeliveryFailed, match="timed out"):
            relay.deliver(email.message())


def test_login_when_credentials_are_set(email):
    def authenticator(server, session, envelope, mechanism, data):
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"idp", b"s3cr")
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535

    with smtp_server(authenticator=authenticator, auth_require_tls=False) as (port, inbox):
        SmtpRelay(settings(port, security="none", username="idp", password="s3cr")).deliver(
            email.message()
        )
        assert len(inbox.envelopes) == 1
        wrong = SmtpRelay(settings(port, security="none", username="idp", password="nope"))
        with pytest.raises(DeliveryFailed, match="SMTPAuthenticationError"):
            wrong.deliver(email.message())
        assert len(inbox.envelopes) == 1


def test_starttls_verifies_the_relay_certificate(email, certificate):
    with smtp_server(tls_context=server_context(certificate), require_starttls=True) as (
        port,
        inbox,
    ):
        # The system's authorities do not know the test certificate: refused, nothing sent.
        with pytest.raises(DeliveryFailed, match="CERTIFICATE_VERIFY_FAILED"):
            SmtpRelay(settings(port)).deliver(email.message())
        SmtpRelay(settings(port), context=trusting(certificate)).deliver(email.message())
        assert len(inbox.envelopes) == 1


def test_starttls_is_required_when_configured(email):
    with smtp_server() as (port, inbox):  # offers no STARTTLS
        with pytest.raises(DeliveryFailed, match="STARTTLS"):
            SmtpRelay(settings(port, security="starttls")).deliver(email.message())
        assert inbox.envelopes == []


def test_implicit_tls(email, certificate):
    with smtp_server(ssl_context=server_context(certificate)) as (port, inbox):
        relay = SmtpRelay(settings(port, security="tls"), context=trusting(certificate))
        relay.deliver(email.message())
        [message] = inbox.messages()
        assert message["Message-ID"] == email.message_id
