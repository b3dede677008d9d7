"""Where an account's e-mail goes: its own address, or, for a secondary account without a
mailbox ("sans BAL"), its primary's responsible (ASPOne: "tous les messages de service … sont
systématiquement routés vers le compte principal")."""

from __future__ import annotations

from idp.models import OrganisationAccount, User
from idp.services import organisations


def routed_to_primary(user: User) -> OrganisationAccount | None:
    """For a secondary account without a mailbox: its primary, which receives its messages.
    Such an account has no address of its own: only its primary gives it one ("Options"),
    within the quota, so no other page may (its contact details, say)."""
    member = organisations.membership(user.id)
    if member is None or member.is_primary or member.has_mailbox:
        return None
    return organisations.primary_of(member)


def email_for(user: User) -> str | None:
    """The address that receives the messages meant for `user` (codes, links, notices)."""
    primary = routed_to_primary(user)
    if primary is not None:
        return responsible_email(primary)
    return user.email


def responsible_email(member: OrganisationAccount) -> str | None:
    """The responsible's address in the identity, or the account's own mailbox."""
    return member.email or organisations.user_of(member).email


def primary_notice_address(user: User) -> str | None:
    """For a secondary account: the primary's responsible, told of every password change."""
    member = organisations.membership(user.id)
    if member is None or member.is_primary:
        return None
    return responsible_email(organisations.primary_of(member))
