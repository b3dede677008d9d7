"""E-mail: templates rendered in French and English, written to the outbox as RFC 5322 files."""

from __future__ import annotations

import re
import stat
from email import policy
from email.parser import BytesParser
from email.utils import parsedate_to_datetime

import pytest
from jinja2 import StrictUndefined

from idp.notify import DeliveryFailed
from idp.notify.mail import outbox_folder
from tests.support.outbox import emails, html_part, last_email, links, text_part

LINK = "http://idp.test/invitation/Zm9v.YmFy?lang=fr&x=1"
# Every message template, with the context its header comment documents.
TEMPLATES = {
    "invitation": {"identifier": "marie", "link": LINK, "expires_hours": 72},
    "email_code": {"code": "4821", "minutes": 30},
    "password_changed": {"account": "marie", "changed_at": "22/11/2026 à 10 h 15"},
    "temporary_password": {
        "identifier": "marie",
        "temporary_password": "Kx7-pQ2m",
        "sign_in_url": "http://idp.test/login",
        "valid_days": 15,
    },
}
ASPONE = (
    "Le mot de passe de votre compte marie vient d'être modifié, si ceci ne découle pas d'une "
    "action de votre part nous vous invitons à vous rapprocher du service support clients"
)


@pytest.fixture
def settings_overrides():
    # An accented name puts non-ASCII text in the Subject and From headers.
    return {
        "branding": {"name": "Mon espace santé"},
        "mail": {"sender": "Mon espace santé <no-reply@sante.example>"},
    }


@pytest.fixture
def send(app):
    def send(to="marie@example.org", template="invitation", locale="fr", **context):
        with app.app_context():
            return app.extensions["idp"].mailer.send(
                to, template, locale=locale, **(context or TEMPLATES[template])
            )

    return send


def test_outbox_file_is_an_rfc5322_message(app, send):
    sent = send()
    files = list(outbox_folder(app.extensions["idp"].settings).iterdir())
    assert len(files) == 1
    file = files[0]
    assert re.fullmatch(r"\d{8}T\d{6}\.\d{9}Z-[0-9a-f]{32}\.eml", file.name)
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    raw = file.read_bytes()
    raw.decode("ascii")  # 7-bit clean: headers RFC 2047-encoded, parts quoted-printable
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")

    message = BytesParser(policy=policy.strict).parsebytes(raw)
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    assert not message.defects and not any(p.defects for p in parts)
    assert message["Subject"] == "Activez votre compte Mon espace santé" == sent.subject
    assert message["From"] == "Mon espace santé <no-reply@sante.example>"
    assert message["To"] == "marie@example.org"
    assert message["Message-ID"] == sent.message_id
    assert re.fullmatch(r"<[0-9a-f]{32}@sante\.example>", message["Message-ID"])
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["MIME-Version"] == "1.0"
    assert message["Content-Language"] == "fr"
    assert int(parsedate_to_datetime(message["Date"]).timestamp()) == sent.sent_at


def test_parts_keep_accents_and_the_context(app, send):
    send()
    message = last_email(app)
    text, html = text_part(message), html_part(message)
    assert "Vous y créerez votre mot de passe, puis choisirez votre question secrète" in text
    assert "Votre identifiant de connexion est : marie" in text
    assert "Il expire dans 72 heures" in text
    assert links(message) == [LINK]
    assert '<html lang="fr">' in html
    assert "<title>Activez votre compte Mon espace santé</title>" in html
    assert 'href="http://idp.test/invitation/Zm9v.YmFy?lang=fr&amp;x=1"' in html
    assert "créerez" in html


@pytest.mark.parametrize(
    ("asked", "chosen", "subject"),
    [
        ("fr", "fr", "Votre code de confirmation"),
        ("en", "en", "Your confirmation code"),
        ("en-GB", "en", "Your confirmation code"),
        ("EN", "en", "Your confirmation code"),
        ("de", "fr", "Votre code de confirmation"),
        ("", "fr", "Votre code de confirmation"),
        ("../../layout", "fr", "Votre code de confirmation"),
    ],
)
def test_locale_selection_falls_back_to_french(app, send, asked, chosen, subject):
    sent = send(template="email_code", locale=asked)
    assert (sent.locale, sent.subject) == (chosen, subject)
    message = last_email(app)
    assert message["Content-Language"] == chosen
    assert f'<html lang="{chosen}">' in html_part(message)
    assert "4821" in text_part(message)


def test_html_escapes_context_values_and_text_keeps_them(app, send):
    send(identifier="<script>alert(1)</script>", link=LINK, expires_hours=1)
    message = last_email(app)
    html = html_part(message)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" in text_part(message)
    assert "Il expire dans 1 heure." in text_part(message)


def test_password_changed_carries_the_aspone_sentence_then_the_contact(app, send):
    send(template="password_changed")
    message = last_email(app)
    branding = app.extensions["idp"].settings.branding
    for body in (text_part(message), html_part(message)):
        assert ASPONE in body
        after = body[body.index(ASPONE) :]
        assert branding.support_phone in after
        assert branding.support_email in after
        assert "22/11/2026 à 10 h 15" in body
        # The contact is given once, right after the sentence (the generic footer steps aside).
        assert body.count(branding.support_phone) == 1


@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_every_template_renders_in_both_languages(app, template, locale):
    """Each template uses exactly the context its comment documents (undefined names fail)."""
    app.jinja_env.undefined = StrictUndefined
    context = TEMPLATES[template]
    with app.app_context():
        email = app.extensions["idp"].mailer.render(
            "marie@example.org", template, locale=locale, **context
        )
    branding = app.extensions["idp"].settings.branding
    assert email.locale == locale
    assert email.subject and "\n" not in email.subject
    for body in (email.text, email.html):
        assert "{{" not in body and "{%" not in body
        assert branding.support_phone in body and branding.support_email in body
        assert branding.organisation in body
        for value in context.values():
            assert str(value).replace("&", "&amp;") in body or str(value) in body
    assert f'<html lang="{locale}">' in email.html
    assert email.text.startswith("Bonjour,\n\n" if locale == "fr" else "Hello,\n\n")
    assert "\n\n\n" not in email.text


def test_messages_are_listed_in_sending_order_with_distinct_ids(app, send):
    first = send(template="email_code")
    second = send(template="password_changed")
    third = send(template="invitation")
    sent = emails(app)
    assert [m["Message-ID"] for m in sent] == [
        first.message_id,
        second.message_id,
        third.message_id,
    ]
    assert len({m["Message-ID"] for m in sent}) == 3
    assert last_email(app)["Subject"] == third.subject


@pytest.mark.parametrize(
    ("to", "template", "context"),
    [
        ("marie@example.org\r\nBcc: eve@example.org", "email_code", {}),
        ("not-an-address", "email_code", {}),
        ("marie@example.org", "../layout", {}),
        ("marie@example.org", "Email_Code", {}),
        ("marie@example.org", "email_code", {"branding": "spoofed"}),
        ("marie@example.org", "email_code", {"subject": "spoofed"}),
    ],
)
def test_unsafe_input_is_refused_before_anything_is_sent(app, to, template, context):
    with app.app_context(), pytest.raises(ValueError):
        app.extensions["idp"].mailer.send(
            to, template, locale="fr", **{**TEMPLATES["email_code"], **context}
        )
    assert emails(app) == []


def test_an_outbox_that_cannot_be_written_raises_delivery_failed(app, send, tmp_path):
    folder = outbox_folder(app.extensions["idp"].settings)
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_text("a file where the folder should be")
    with pytest.raises(DeliveryFailed) as caught:
        send()
    assert caught.value.channel == "email"
