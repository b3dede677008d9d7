"""Messages that carry a way in: invitation links and temporary passwords."""

from __future__ import annotations

from idp.models import User
from idp.runtime import runtime


class NoAddress(ValueError):
    """The account has no address for this channel."""


def send_invitation(user: User) -> str:
    """E-mail the account a single-use link to its first connection; returns the link."""
    rt = runtime()
    if not user.email:
        raise NoAddress("an invitation needs an e-mail address")
    link = f"{rt.settings.issuer}/invitation/{rt.invitations.link_token(user)}"
    rt.mailer.send(
        user.email,
        "invitation",
        locale=user.locale or "fr",
        identifier=user.identifier,
        link=link,
        expires_hours=rt.settings.invite.link_hours,
    )
    return link


def send_temporary_password(user: User, temporary_password: str, *, channel: str) -> None:
    """Deliver a temporary password over `channel` (e-mail for now)."""
    rt = runtime()
    if channel != "email":
        raise NoAddress(f"no delivery over {channel!r} yet")
    if not user.email:
        raise NoAddress("the account has no e-mail address")
    rt.mailer.send(
        user.email,
        "temporary_password",
        locale=user.locale or "fr",
        identifier=user.identifier,
        temporary_password=temporary_password,
        sign_in_url=f"{rt.settings.issuer}/login",
    )
