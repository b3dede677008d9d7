"""Staff: which accounts may open the operators' console, and what each role allows there.

The rights of a role are written here and nowhere else: the console's views name the
permission they need (`allows`), the CLI names the roles it grants.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select, update

from idp.extensions import db
from idp.models import AdminSession, StaffMember, StaffRecoveryCode, User
from idp.services import audit

# What a console page or action needs.
ACCOUNTS_READ = "accounts.read"  # find an account, see its state and recent events
ACCOUNTS_ACT = "accounts.act"  # unlock, invite, reset, habilitations, disable/enable, sessions
APPLICATIONS = "applications"  # register, rotate, disable, remove relying applications
ORGANISATIONS = "organisations"  # services, organisations, their validation and quota
JOURNAL = "journal"  # the audit log and its export
DELIVERIES = "deliveries"  # messages to account holders: sent, waiting, failed; send one again
STAFF = "staff"  # who is staff, with which roles

ROLES: dict[str, frozenset[str]] = {
    # The helpdesk ("Assistance"): the accounts, and the messages sent to them ("I got no
    # code" is its everyday question).
    "assistance": frozenset({ACCOUNTS_READ, ACCOUNTS_ACT, DELIVERIES}),
    # Read-only: the audit log.
    "auditor": frozenset({JOURNAL}),
    "admin": frozenset(
        {ACCOUNTS_READ, ACCOUNTS_ACT, DELIVERIES, APPLICATIONS, ORGANISATIONS, JOURNAL, STAFF}
    ),
}


class StaffError(ValueError):
    """A staff change that cannot be made: `key` names the message for the console (with
    `params`), the English text is for the CLI."""

    def __init__(self, key: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class StaffView:
    """A staff member as the console and the CLI list them."""

    user_id: int
    identifier: str
    roles: tuple[str, ...]
    enrolled: bool
    created_at: int


def allows(member: StaffMember, permission: str) -> bool:
    return any(permission in ROLES.get(role, frozenset()) for role in member.roles)


def permissions(member: StaffMember) -> frozenset[str]:
    return frozenset().union(*(ROLES.get(role, frozenset()) for role in member.roles))


def _checked_roles(roles: Iterable[str]) -> list[str]:
    wanted = list(dict.fromkeys(role.strip().lower() for role in roles if role.strip()))
    unknown = [role for role in wanted if role not in ROLES]
    if unknown:
        raise StaffError(
            "adminstaff.unknown_role",
            f"unknown role {', '.join(unknown)}: choose from {', '.join(ROLES)}",
        )
    if not wanted:
        raise StaffError("adminstaff.no_role", f"give at least one role: {', '.join(ROLES)}")
    return wanted


def of_user(user_id: int) -> StaffMember | None:
    return db.session.scalar(select(StaffMember).where(StaffMember.user_id == user_id))


def user_of(member: StaffMember) -> User:
    return db.session.get_one(User, member.user_id)


def add(user: User, roles: Iterable[str], *, now: int, by: str) -> StaffMember:
    """Make an account staff. Its holder enrols a second factor at the first console sign-in."""
    wanted = _checked_roles(roles)
    if of_user(user.id) is not None:
        raise StaffError(
            "adminstaff.already",
            f"{user.identifier} is already staff: change the roles instead",
            identifier=user.identifier,
        )
    if not user.is_active:
        raise StaffError(
            "adminstaff.disabled", f"{user.identifier} is disabled", identifier=user.identifier
        )
    member = StaffMember(user_id=user.id, roles=wanted, created_at=now, created_by=by)
    db.session.add(member)
    db.session.flush()
    audit.record("staff_added", "success", at=now, user_id=user.id, by=by, roles=wanted)
    return member


def _keep_an_admin(member: StaffMember, roles_after: list[str]) -> None:
    """Someone must remain able to manage staff: the last admin cannot stop being one."""
    if "admin" not in member.roles or "admin" in roles_after:
        return
    others = db.session.scalars(select(StaffMember).where(StaffMember.id != member.id))
    if not any("admin" in other.roles for other in others):
        raise StaffError(
            "adminstaff.last_admin",
            "the last admin cannot lose the admin role: make another admin first",
        )


def set_roles(member: StaffMember, roles: Iterable[str], *, now: int, by: str) -> None:
    wanted = _checked_roles(roles)
    if wanted == member.roles:
        return
    _keep_an_admin(member, wanted)
    audit.record(
        "staff_roles_changed",
        "success",
        at=now,
        user_id=member.user_id,
        by=by,
        roles=wanted,
        previous=list(member.roles),
    )
    member.roles = wanted
    # Rights taken away take effect now: the console sessions end and sign in again.
    end_sessions(member, now=now)


def remove(member: StaffMember, *, now: int, by: str) -> None:
    """The account stays; it no longer opens the console (its console sessions end now)."""
    _keep_an_admin(member, [])
    end_sessions(member, now=now)
    audit.record("staff_removed", "success", at=now, user_id=member.user_id, by=by)
    db.session.delete(member)


def reset_second_factor(member: StaffMember, *, now: int, by: str) -> None:
    """For a lost phone: the next console sign-in enrols a new authenticator."""
    member.totp_sealed = None
    member.totp_confirmed_at = None
    member.totp_last_step = None
    db.session.execute(
        delete(StaffRecoveryCode)
        .where(StaffRecoveryCode.staff_id == member.id)
        .execution_options(synchronize_session=False)
    )
    end_sessions(member, now=now)
    audit.record("staff_second_factor_reset", "success", at=now, user_id=member.user_id, by=by)


def end_sessions(member: StaffMember, *, now: int) -> None:
    db.session.execute(
        update(AdminSession)
        .where(AdminSession.staff_id == member.id, AdminSession.ended_at.is_(None))
        .values(ended_at=now)
        .execution_options(synchronize_session=False)
    )


def listing() -> list[StaffView]:
    rows = db.session.execute(
        select(StaffMember, User.identifier)
        .join(User, User.id == StaffMember.user_id)
        .order_by(User.identifier)
    )
    return [
        StaffView(
            user_id=member.user_id,
            identifier=identifier,
            roles=tuple(member.roles),
            enrolled=member.totp_confirmed_at is not None,
            created_at=member.created_at,
        )
        for member, identifier in rows
    ]


def actor(user: User) -> str:
    """How the audit trail names a console action's author."""
    return f"staff:{user.identifier}"
