"""Messages to users over three channels of the same shape: e-mail, SMS, postal letters.

Each channel renders its texts from `templates/messages/<channel>/` and hands them to a backend:
a real one (an SMTP relay, an SMS gateway, PDFs for the print room) or an outbox folder that the
development pages can read. Pages and commands do not call them: they queue messages in the
outbox table (idp.services.outbox) and the delivery worker (idp.notify.worker) sends them.
"""

from __future__ import annotations


class DeliveryFailed(Exception):
    """A message could not be handed over; the delivery worker records it and tries again.

    `reason` is for logs and operators: it never holds the message's content or credentials.
    """

    def __init__(self, channel: str, reason: str) -> None:
        super().__init__(f"{channel} delivery failed: {reason}")
        self.channel = channel
        self.reason = reason
