"""Messages that carry a way in, over the account's own channels: e-mail, SMS, post.

Each function sends to an address the account already has, never to one typed in the
request: that is what makes a right answer to a security question safe to reward. Sending
means queueing in the outbox (idp.services.outbox), in the transaction of the change the
message carries; a worker hands it to the channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from idp.clock import SystemClock
from idp.config import Settings
from idp.models import User
from idp.services import outbox
from idp.services.links import OneTimeLinks
from idp.services.mailboxes import email_for


class NoAddress(ValueError):
    """The account has no address for this channel."""


def _postal_address(user: User) -> Any:
    from idp.notify.postal import PostalAddress

    if not (user.street_address and user.postal_code and user.locality):
        raise NoAddress("the account has no postal address")
    try:
        return PostalAddress(
            name=user.name or user.identifier,
            lines=tuple(line for line in user.street_address.splitlines() if line.strip()),
            postal_code=user.postal_code,
            city=user.locality,
            country=user.country or "France",
        )
    except ValueError as exc:  # an address a letter cannot carry
        raise NoAddress(f"the postal address cannot be used: {exc}") from None


def address(user: User, channel: str) -> Any:
    """Where `channel` reaches the account; NoAddress when it has none there (asked before a
    change that the message must carry, so that nothing changes when it cannot go)."""
    if channel == "email":
        found = email_for(user)
        if not found:
            raise NoAddress("the account has no e-mail address")
        return found
    if channel == "sms":
        if not user.phone:
            raise NoAddress("the account has no mobile phone number")
        return user.phone
    if channel == "post":
        return _postal_address(user)
    raise NoAddress(f"no channel {channel!r}")


def _shown(channel: str, to: Any) -> str:
    """What an operator sees of the recipient: the address or number, a letter's town."""
    if channel == "post":
        return f"{to.name}, {to.postal_code} {to.city}".strip()
    return str(to)


@dataclass(frozen=True)
class Deliveries:
    """The way into the outbox, built once per app (`Runtime.deliveries`): the key that seals
    each message, the clock that dates it, and the issuer and link rules its text carries."""

    settings: Settings
    clock: SystemClock
    hash_key: str
    invitations: OneTimeLinks

    def enqueue(self, channel: str, to: Any, template: str, *, locale: str, **context: Any) -> None:
        """Queue `template` for `to` over `channel` (a PostalAddress for "post"), in the current
        transaction: it is sent once that commits, and never if it rolls back."""
        outbox.enqueue(
            channel,
            to.to_json() if channel == "post" else to,
            template,
            locale=locale,
            context=context,
            recipient=_shown(channel, to),
            now=self.clock.now(),
            hash_key=self.hash_key,
        )

    def send(self, user: User, channel: str, template: str, **context: Any) -> None:
        """Queue `template` for the account's address on `channel`, in its locale."""
        self.enqueue(
            channel, address(user, channel), template, locale=user.locale or "fr", **context
        )

    @property
    def _sign_in_url(self) -> str:
        return f"{self.settings.issuer}/login"

    def send_invitation(self, user: User) -> str:
        """E-mail the account a single-use link to its first connection; returns the link."""
        link = f"{self.settings.issuer}/invitation/{self.invitations.link_token(user)}"
        self.send(
            user,
            "email",
            "invitation",
            identifier=user.identifier,
            link=link,
            expires_hours=self.settings.invite.link_hours,
        )
        return link

    def send_temporary_password(
        self, user: User, temporary_password: str, *, channel: str, valid_days: int | None = None
    ) -> None:
        """`valid_days`: a recovery's pending password (the message says the current one stays
        valid meanwhile); None: an agent's, which has replaced the password."""
        self.send(
            user,
            channel,
            "temporary_password",
            identifier=user.identifier,
            temporary_password=temporary_password,
            sign_in_url=self._sign_in_url,
            valid_days=valid_days,
        )

    def send_reset_link(self, user: User, token: str, *, channel: str) -> None:
        self.send(
            user,
            channel,
            "reset_link",
            link=f"{self.settings.issuer}/recovery/reset/{token}",
            minutes=self.settings.recovery.link_minutes,
        )

    def send_letter_notice(self, user: User, channel: str) -> None:
        """ "Un courrier vous est adressé": over the channel chosen, when the account has it."""
        if channel == "email" and email_for(user):
            self.send(user, "email", "letter_on_its_way")
        elif channel == "sms" and user.phone:
            self.send(user, "sms", "letter_on_its_way")

    def send_postal_code(self, user: User, code: str, *, days: int) -> None:
        self.send(
            user, "post", "recovery_code", code=code, days=days, sign_in_url=self._sign_in_url
        )

    def send_identifier(self, user: User) -> None:
        self.send(
            user,
            "email",
            "identifier_reminder",
            identifier=user.identifier,
            sign_in_url=self._sign_in_url,
        )
