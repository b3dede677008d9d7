"""Messages to users over three channels of the same shape: e-mail, SMS, postal letters.

Each channel renders its texts from `templates/messages/<channel>/` and hands them to a backend:
a real one (an SMTP relay, an SMS gateway, PDFs for the print room) or an outbox folder that the
development pages can read.
"""

from __future__ import annotations


class DeliveryFailed(Exception):
    """A message could not be handed over; callers show a message, never a 500.

    `reason` is for logs and operators: it never holds the message's content or credentials.
    """

    def __init__(self, channel: str, reason: str) -> None:
        super().__init__(f"{channel} delivery failed: {reason}")
        self.channel = channel
        self.reason = reason
