"""Where an account's e-mail goes: its own address, or, for a secondary account without a
mailbox ("sans BAL"), its primary's responsible (ASPOne: "tous les messages de service … sont
systématiquement routés vers le compte principal")."""

from __future__ import annotations

from idp.models import OrganisationAccount, User
from idp.services import organisations


def email_for(user: User) -> str | None:
    """The address that receives the messages meant for `user` (codes, links, notices)."""
    if user.email:
        return user.email
    member = organisations.membership(user.id)
    if member is None or member.is_primary or member.has_mailbox:
        return None
    return responsible_email(organisations.primary_of(member))


def responsible_email(member: OrganisationAccount) -> str | None:
    """The responsible's address in the identity, or the account's own mailbox."""
    return member.email or organisations.user_of(member).email


def primary_notice_address(user: User) -> str | None:
    """For a secondary account: the primary's responsible, told of every password change."""
    member = organisations.membership(user.id)
    if member is None or member.is_primary:
        return None
    return responsible_email(organisations.primary_of(member))
