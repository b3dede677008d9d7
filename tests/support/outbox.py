"""What the provider e-mailed, read back from a test app's outbox folder with the standard
library's parser (not the provider's own reading code)."""

from __future__ import annotations

import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from flask import Flask

from idp.notify.mail import outbox_folder

URL = re.compile(r"https?://[^\s<>\"']+")


def emails(app: Flask) -> list[EmailMessage]:
    """Every e-mail sent so far, newest last."""
    settings = app.extensions["idp"].settings
    assert settings.mail.backend == "outbox", "the test app does not deliver to its outbox"
    folder = outbox_folder(settings)
    if not folder.is_dir():
        return []
    parser = BytesParser(policy=policy.default)
    return [
        parser.parsebytes(path.read_bytes())  # type: ignore[misc]
        for path in sorted(folder.glob("*.eml"))
    ]


def last_email(app: Flask) -> EmailMessage:
    """The e-mail sent last; fails the test when none was sent."""
    sent = emails(app)
    assert sent, "no e-mail was sent"
    return sent[-1]


def text_part(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None, "the e-mail has no text part"
    return part.get_content().replace("\r\n", "\n")  # files keep RFC 5322's CRLF


def html_part(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None, "the e-mail has no HTML part"
    return part.get_content().replace("\r\n", "\n")  # files keep RFC 5322's CRLF


def links(message: EmailMessage) -> list[str]:
    """The http(s) URLs of the text part, in order (an invitation's link, a sign-in URL...)."""
    return [url.rstrip(".,;:!?)") for url in URL.findall(text_part(message))]
