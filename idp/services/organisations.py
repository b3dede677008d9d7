"""Organisations and their accounts: a primary account holds the organisation, creates and
manages secondary accounts that act for it (ASPOne's "Gestion des comptes", seed 003).

What a secondary may use (its services) lives in `idp.services.subscriptions`; where its
messages go, in `idp.services.mailboxes`. Every function here takes the account acting
(`by`, for the audit) and the time; none reads the request.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from idp.extensions import db
from idp.i18n import text
from idp.models import Organisation, OrganisationAccount, User
from idp.models.organisation import (
    ADDRESS_FIELDS,
    CLOSED,
    OPEN,
    ORGANISATION_STATUSES,
    PENDING,
    PRIMARY,
    SECONDARY,
)
from idp.models.user import ACTIVE
from idp.services import audit, sessions, users
from idp.services.passwords import PasswordHashing
from idp.services.users import NewAccount

# The name chosen for a secondary account, before the primary's identifier is appended.
_SECONDARY_NAME = re.compile(r"[a-z0-9](?:[a-z0-9_-]{0,30}[a-z0-9])?")

# Account states as the list of secondary accounts shows them ("Statut").
STATE_PENDING = "pending"  # "Demande validée": created, never signed in yet
STATE_OPEN = "open"  # "Ouvert"
STATE_CLOSED = "closed"  # "Fermé": deactivated


class OrganisationError(ValueError):
    """A management request refused; `key` names the message shown to the person (fr/en),
    and str() is its English text, for the CLI and the logs."""

    def __init__(self, key: str, **params: Any) -> None:
        self.key = key
        self.params = params
        super().__init__(text(key, "en", **params))


@dataclass(frozen=True)
class Identity:
    """An account's company identity: the "Identité" tab. Empty strings mean "not given"."""

    kind: str
    company_name: str
    siren: str = ""
    nic: str = ""
    corporate_officer: str = ""
    civility: str = ""
    last_name: str = ""
    first_name: str = ""
    street_number: str = ""
    street_suffix: str = ""
    street_name: str = ""
    address_complement: str = ""
    po_box: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = ""
    email: str = ""
    phone: str = ""
    fax: str = ""
    technical_name: str = ""
    technical_email: str = ""
    technical_phone: str = ""
    administrative_name: str = ""
    administrative_email: str = ""
    administrative_phone: str = ""

    @classmethod
    def of(cls, member: OrganisationAccount) -> Identity:
        return cls(**{f.name: getattr(member, f.name) or "" for f in dataclasses.fields(cls)})


IDENTITY_FIELDS = tuple(f.name for f in dataclasses.fields(Identity))
CIVILITIES = ("M.", "Mme")
STREET_SUFFIXES = ("bis", "ter", "quater")


def check_identity(identity: Identity, *, kinds: tuple[str, ...]) -> dict[str, str]:
    """The problems of an identity, by field name (message keys): empty when it is valid."""
    problems: dict[str, str] = {}
    if identity.kind not in kinds:
        problems["kind"] = "org.kind_unknown"
    if not identity.company_name.strip():
        problems["company_name"] = "org.company_name_required"
    if identity.siren or identity.nic:
        # python-stdnum: see idp.services.civil_data.
        from stdnum.fr import siren as siren_numbers
        from stdnum.fr import siret as siret_numbers

        if not siren_numbers.is_valid(identity.siren):
            problems["siren"] = "org.siren_invalid"
        elif not (identity.nic.isdigit() and len(identity.nic) == 5):
            problems["nic"] = "org.nic_invalid"
        elif not siret_numbers.is_valid(identity.siren + identity.nic):
            problems["nic"] = "org.siret_invalid"
    if identity.civility and identity.civility not in CIVILITIES:
        problems["civility"] = "org.civility_unknown"
    if identity.street_suffix and identity.street_suffix not in STREET_SUFFIXES:
        problems["street_suffix"] = "org.street_suffix_unknown"
    for name in ("email", "technical_email", "administrative_email"):
        value = getattr(identity, name)
        if value:
            try:
                users.normalise_email(value)
            except users.AccountError:
                problems[name] = "org.email_invalid"
    for name, value in dataclasses.asdict(identity).items():
        if len(value) > _max_length(name):
            problems.setdefault(name, "org.too_long")
    return problems


def _max_length(name: str) -> int:
    column = OrganisationAccount.__table__.columns[name]
    return int(getattr(column.type, "length", None) or 255)


def _apply_identity(member: OrganisationAccount, identity: Identity) -> dict[str, Any]:
    """Write the identity; returns what changed (field: [before, after]) for the audit."""
    changed: dict[str, Any] = {}
    for name, value in dataclasses.asdict(identity).items():
        value = value.strip() or None
        if name in ("siren", "nic") and value:
            value = re.sub(r"\s", "", value)
        if getattr(member, name) != value:
            changed[name] = [getattr(member, name), value]
            setattr(member, name, value)
    return changed


def _checked(identity: Identity, kinds: tuple[str, ...]) -> None:
    problems = check_identity(identity, kinds=kinds)
    if problems:
        field, key = next(iter(problems.items()))
        raise OrganisationError(key, field=field)


# -- lookups ---------------------------------------------------------------------------------


def membership(user_id: int) -> OrganisationAccount | None:
    """The account's place in an organisation, or None for an ordinary account."""
    return db.session.get(OrganisationAccount, user_id)


def organisation_of(member: OrganisationAccount) -> Organisation:
    organisation = db.session.get(Organisation, member.organisation_id)
    assert organisation is not None  # a foreign key
    return organisation


def primary_of(member: OrganisationAccount) -> OrganisationAccount:
    """The primary account of the member's organisation (the member itself for a primary)."""
    if member.is_primary:
        return member
    primary = db.session.scalar(
        select(OrganisationAccount).where(
            OrganisationAccount.organisation_id == member.organisation_id,
            OrganisationAccount.role == PRIMARY,
        )
    )
    assert primary is not None  # every organisation is created with its primary
    return primary


def find_organisation(reference: str) -> Organisation | None:
    """By dossier number, or by its primary account's identifier."""
    found = db.session.scalar(select(Organisation).where(Organisation.dossier == reference))
    if found is not None:
        return found
    user = users.find_by_identifier(reference)
    member = membership(user.id) if user is not None else None
    return organisation_of(member) if member is not None and member.is_primary else None


def all_organisations(status: str | None = None) -> list[Organisation]:
    """Every organisation (or those with this status), by dossier number."""
    query = select(Organisation).order_by(Organisation.dossier)
    if status is not None:
        query = query.where(Organisation.status == status)
    return list(db.session.scalars(query))


def primary_account(organisation: Organisation) -> OrganisationAccount:
    primary = db.session.scalar(
        select(OrganisationAccount).where(
            OrganisationAccount.organisation_id == organisation.id,
            OrganisationAccount.role == PRIMARY,
        )
    )
    assert primary is not None
    return primary


def find_secondary(primary: OrganisationAccount, identifier: str) -> OrganisationAccount | None:
    """A secondary account of this primary's organisation, by identifier; None for any other
    account (another organisation's, the primary itself): the guard of every page that names
    an account in its URL or form."""
    if not primary.is_primary:
        return None
    user = users.find_by_identifier(identifier)
    if user is None:
        return None
    member = membership(user.id)
    if member is None or member.role != SECONDARY:
        return None
    return member if member.organisation_id == primary.organisation_id else None


def user_of(member: OrganisationAccount) -> User:
    user = db.session.get(User, member.user_id)
    assert user is not None
    return user


def account_state(user: User) -> str:
    """ "Ouvert", "Fermé" (deactivated) or "Demande validée" (never signed in yet)."""
    if user.status != ACTIVE:
        return STATE_CLOSED
    return STATE_PENDING if user.last_login_at is None else STATE_OPEN


def _add_member(
    user: User,
    organisation: Organisation,
    role: str,
    identity: Identity,
    *,
    mailbox: bool,
    autonomous: bool,
    now: int,
) -> OrganisationAccount:
    member = OrganisationAccount(
        user_id=user.id,
        organisation_id=organisation.id,
        role=role,
        has_mailbox=mailbox,
        autonomous=autonomous,
        created_at=now,
        updated_at=now,
    )
    _apply_identity(member, identity)
    db.session.add(member)
    db.session.flush()
    return member


# -- organisations ---------------------------------------------------------------------------


def create_organisation(
    user: User,
    identity: Identity,
    *,
    kinds: tuple[str, ...],
    now: int,
    by: str,
    dossier: str | None = None,
    status: str = PENDING,
    quota: int = 0,
) -> Organisation:
    """Make `user` the primary account of a new organisation."""
    _checked(identity, kinds)
    if membership(user.id) is not None:
        raise OrganisationError("org.already_member", identifier=user.identifier)
    if status not in ORGANISATION_STATUSES:
        raise OrganisationError("org.status_unknown", status=status)
    _check_quota(quota)
    dossier = (dossier or "").strip() or None
    if dossier is not None and find_organisation(dossier) is not None:
        raise OrganisationError("org.dossier_taken", dossier=dossier)
    organisation = Organisation(
        dossier=dossier or f"tmp-{user.id}",
        status=status,
        secondary_quota=quota,
        billing_uses_responsible_address=True,
        created_at=now,
        updated_at=now,
    )
    db.session.add(organisation)
    db.session.flush()
    if dossier is None:
        organisation.dossier = f"{organisation.id:05d}"
    _add_member(user, organisation, PRIMARY, identity, mailbox=True, autonomous=True, now=now)
    audit.record(
        "organisation_created",
        "success",
        at=now,
        user_id=user.id,
        by=by,
        dossier=organisation.dossier,
        status=status,
    )
    return organisation


def set_status(organisation: Organisation, status: str, *, now: int, by: str) -> None:
    """Open, close or set back to pending. Only an open organisation's services can be used:
    closing one ends its accounts' use of them at once (see subscriptions.enforce)."""
    from idp.services import subscriptions

    if status not in ORGANISATION_STATUSES:
        raise OrganisationError("org.status_unknown", status=status)
    before = organisation.status
    organisation.status = status
    organisation.updated_at = now
    db.session.flush()
    subscriptions.enforce(member_ids(organisation), now=now)
    audit.record(
        "organisation_status_changed",
        "success",
        at=now,
        user_id=primary_account(organisation).user_id,
        by=by,
        dossier=organisation.dossier,
        changed={"status": [before, status]},
    )


# What the console may do to an organisation, from which statuses, to which status: validate
# a pending request, close (from any status but closed), reopen a closed one.
STATUS_ACTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "validate": ((PENDING,), OPEN),
    "close": ((PENDING, OPEN), CLOSED),
    "reopen": ((CLOSED,), OPEN),
}


def actions_for(organisation: Organisation) -> list[str]:
    """The status actions that apply to the organisation as it is now."""
    return [name for name, (sources, _) in STATUS_ACTIONS.items() if organisation.status in sources]


def apply_action(organisation: Organisation, action: str, *, now: int, by: str) -> str:
    """Validate, close or reopen (`STATUS_ACTIONS`); refused from any other status, so that a
    second click or a stale page never reopens what someone else has just closed. Returns
    the new status."""
    if action not in actions_for(organisation):
        raise OrganisationError("org.action_refused", status=organisation.status)
    status = STATUS_ACTIONS[action][1]
    set_status(organisation, status, now=now, by=by)
    return status


def member_ids(organisation: Organisation) -> list[int]:
    return list(
        db.session.scalars(
            select(OrganisationAccount.user_id).where(
                OrganisationAccount.organisation_id == organisation.id
            )
        )
    )


def mailbox_count(organisation_id: int) -> int:
    """Secondary accounts with their own mailbox: what the quota caps (deactivated ones
    included, so that reactivating one never exceeds it)."""
    return int(
        db.session.scalar(
            select(func.count()).where(*_with_mailbox(OrganisationAccount, organisation_id))
        )
        or 0
    )


def _with_mailbox(account: Any, organisation_id: Any) -> list[ColumnElement[bool]]:
    """The secondary accounts of an organisation that have their own mailbox."""
    return [
        account.organisation_id == organisation_id,
        account.role == SECONDARY,
        account.has_mailbox.is_(True),
    ]


# The most secondary accounts with a mailbox an organisation may ask for: far above any real
# need, and within the column's 32-bit integer on every database.
QUOTA_MAX = 100_000


def _set_and_record(
    organisation: Organisation, field: str, value: object, action: str, *, now: int, by: str
) -> None:
    """One setting of the organisation changed and audited, on the primary's trail (nothing
    when it already has that value)."""
    before = getattr(organisation, field)
    if value == before:
        return
    setattr(organisation, field, value)
    organisation.updated_at = now
    audit.record(
        action,
        "success",
        at=now,
        user_id=primary_account(organisation).user_id,
        by=by,
        changed={field: [before, value]},
    )


def _check_quota(quota: int) -> None:
    if quota < 0:
        raise OrganisationError("org.quota_negative")
    if quota > QUOTA_MAX:
        raise OrganisationError("org.quota_too_large", max=QUOTA_MAX)


def set_quota(organisation: Organisation, quota: int, *, now: int, by: str) -> None:
    """ "Nombre de comptes secondaires souhaités": never below the mailboxes already open."""
    _check_quota(quota)
    used = mailbox_count(organisation.id)
    if quota < used:
        raise OrganisationError("org.quota_below_used", used=used)
    _set_and_record(
        organisation, "secondary_quota", quota, "organisation_quota_changed", now=now, by=by
    )


def update_identity(
    member: OrganisationAccount, identity: Identity, *, kinds: tuple[str, ...], now: int, by: str
) -> dict[str, Any]:
    """The "Identité" tab; returns what changed (nothing is written when it is invalid)."""
    _checked(identity, kinds)
    changed = _apply_identity(member, identity)
    if changed:
        member.updated_at = now
        audit.record(
            "organisation_identity_changed",
            "success",
            at=now,
            user_id=member.user_id,
            by=by,
            changed=sorted(changed),
        )
    return changed


def update_billing(
    organisation: Organisation,
    *,
    use_responsible_address: bool,
    address: dict[str, str],
    now: int,
    by: str,
) -> None:
    """The "Facturation" tab (primary accounts only): the responsible's address, or another."""
    cleaned = {name: (address.get(name) or "").strip() for name in ADDRESS_FIELDS}
    if not use_responsible_address and not (
        cleaned["street_name"] and cleaned["postal_code"] and cleaned["city"]
    ):
        raise OrganisationError("org.billing_address_incomplete")
    if cleaned["street_suffix"] and cleaned["street_suffix"] not in STREET_SUFFIXES:
        raise OrganisationError("org.street_suffix_unknown")
    for name, value in cleaned.items():
        if len(value) > _max_length(name):
            raise OrganisationError("org.too_long", field=name)
    address_after = None if use_responsible_address else cleaned
    address_before = organisation.billing_address or {}
    changed = sorted(
        name
        for name in ADDRESS_FIELDS
        if address_before.get(name, "") != (address_after or {}).get(name, "")
    )
    if organisation.billing_uses_responsible_address != use_responsible_address:
        changed.insert(0, "use_responsible_address")
    organisation.billing_uses_responsible_address = use_responsible_address
    organisation.billing_address = address_after
    organisation.updated_at = now
    audit.record(
        "organisation_billing_changed",
        "success",
        at=now,
        user_id=primary_account(organisation).user_id,
        by=by,
        changed=changed,
    )


def set_billing_date(organisation: Organisation, day: str | None, *, now: int, by: str) -> None:
    """ "Date de facturation": the day the operator bills the organisation from (YYYY-MM-DD,
    or None to clear it); the "Facturation" tab shows it, the primary does not change it."""
    value = (day or "").strip() or None
    if value is not None:
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is None or parsed.isoformat() != value:
            raise OrganisationError("org.billing_date_invalid", date=value[:32])
    _set_and_record(
        organisation, "billing_date", value, "organisation_billing_changed", now=now, by=by
    )


# -- secondary accounts ----------------------------------------------------------------------


def secondary_identifier(primary: OrganisationAccount, name: str) -> str:
    """ "cs1" + primary "asp1ent" -> "cs1.asp1ent" (the seed's rule)."""
    chosen = users.normalise_identifier(name)
    if not _SECONDARY_NAME.fullmatch(chosen):
        raise OrganisationError("org.secondary_name_invalid")
    return f"{chosen}.{user_of(primary).identifier}"


def reserved_for_a_secondary(identifier: str) -> bool:
    """Whether `identifier` has the form of a secondary account of an existing primary
    ("cs9.asp1ent"): only that primary may create it, so nobody else may take it first and
    block the name."""
    _, dot, suffix = users.normalise_identifier(identifier).partition(".")
    if not dot or not suffix:
        return False
    primary = (
        select(OrganisationAccount.user_id)
        .join(User, User.id == OrganisationAccount.user_id)
        .where(User.identifier == suffix, OrganisationAccount.role == PRIMARY)
    )
    return db.session.scalar(primary) is not None


@dataclass(frozen=True)
class NewSecondary:
    name: str
    # Its own mailbox (counted against the quota), or none: its messages go to the primary.
    email: str | None = None
    autonomous: bool = False
    # The company identity; by default the primary's.
    identity: Identity | None = None


def add_secondary(
    primary: OrganisationAccount,
    new: NewSecondary,
    *,
    kinds: tuple[str, ...],
    now: int,
    by: str,
    hashing: PasswordHashing,
    password: str | None = None,
    temporary: bool = False,
) -> User:
    """Create a secondary account (its services are given separately: subscriptions).

    Without `password` the account has none yet: the caller sends an invitation;
    `temporary`: the password is to personalise at the first sign-in.
    """
    if not primary.is_primary:
        raise OrganisationError("org.not_primary")
    identifier = secondary_identifier(primary, new.name)
    if len(identifier) > 128:
        raise OrganisationError("org.secondary_name_invalid")
    identity = new.identity or Identity.of(primary)
    _checked(identity, kinds)
    email = _mailbox_address(new.email) if new.email else None
    organisation = _locked_organisation(primary.organisation_id)
    if email is not None and mailbox_count(organisation.id) >= organisation.secondary_quota:
        raise OrganisationError("org.quota_reached", quota=organisation.secondary_quota)
    if users.find_by_identifier(identifier) is not None:
        # Identifiers are never deleted, so a deactivated account's name stays taken.
        raise OrganisationError("org.secondary_name_taken", identifier=identifier)
    user = users.create(
        NewAccount(identifier=identifier, email=email),
        now=now,
        hashing=hashing,
        password=password,
        temporary=temporary,
    )
    _add_member(
        user,
        organisation,
        SECONDARY,
        identity,
        mailbox=email is not None,
        autonomous=new.autonomous,
        now=now,
    )
    audit.record(
        "secondary_account_created",
        "success",
        at=now,
        user_id=user.id,
        by=by,
        primary=user_of(primary).identifier,
        mailbox=email is not None,
        autonomous=new.autonomous,
    )
    return user


def _mailbox_address(raw: str) -> str:
    try:
        return users.normalise_email(raw.strip())
    except users.AccountError:
        raise OrganisationError("org.email_invalid") from None


def _locked_organisation(organisation_id: int) -> Organisation:
    """The organisation row, locked until commit: two sessions creating mailboxes at once
    cannot both pass the quota.

    The lock is a write, not SELECT … FOR UPDATE, which SQLite ignores: on PostgreSQL the
    UPDATE locks the row; on SQLite it takes the database's write lock, which the other
    writer waits for, and what follows reads what that writer committed.
    """
    db.session.execute(
        update(Organisation)
        .where(Organisation.id == organisation_id)
        .values(updated_at=Organisation.updated_at)
        .execution_options(synchronize_session=False)
    )
    organisation = db.session.scalar(
        select(Organisation)
        .where(Organisation.id == organisation_id)
        .execution_options(populate_existing=True)
    )
    assert organisation is not None
    return organisation


def set_mailbox(secondary: OrganisationAccount, email: str | None, *, now: int, by: str) -> bool:
    """Give a secondary account its own mailbox (`email`) or take it away (None).

    Giving one puts the account through a password reset (its holder must choose a new
    password at the next sign-in; its sessions and tokens end): returns True then, for the
    page's warning "ATTENTION : … devra impérativement réinitialiser son mot de passe".
    """
    if secondary.role != SECONDARY:
        raise OrganisationError("org.not_secondary")
    user = user_of(secondary)
    if email is None:
        if not secondary.has_mailbox:
            return False
        secondary.has_mailbox = False
        user.email, user.email_verified = None, False
        _mailbox_changed(secondary, user, now=now, by=by, mailbox=False)
        return False
    address = _mailbox_address(email)
    if secondary.has_mailbox:
        if address != user.email:
            user.email, user.email_verified = address, False
            _mailbox_changed(secondary, user, now=now, by=by, mailbox=True)
        return False
    organisation = _locked_organisation(secondary.organisation_id)
    if mailbox_count(organisation.id) >= organisation.secondary_quota:
        raise OrganisationError("org.quota_reached", quota=organisation.secondary_quota)
    secondary.has_mailbox = True
    user.email, user.email_verified = address, False
    user.password_temporary = True
    sessions.end_access(user.id, now=now)
    _mailbox_changed(secondary, user, now=now, by=by, mailbox=True)
    return True


def _mailbox_changed(
    secondary: OrganisationAccount, user: User, *, now: int, by: str, mailbox: bool
) -> None:
    secondary.updated_at = user.updated_at = now
    audit.record(
        "secondary_mailbox_changed", "success", at=now, user_id=user.id, by=by, mailbox=mailbox
    )


def deactivate(secondary: OrganisationAccount, *, now: int, by: str) -> None:
    """The red cross: the account stays listed, its sessions and tokens end at once."""
    if secondary.role != SECONDARY:
        raise OrganisationError("org.not_secondary")
    user = user_of(secondary)
    if user.is_active:
        users.disable(user, now=now, by=by)


def reactivate(secondary: OrganisationAccount, *, now: int, by: str) -> None:
    if secondary.role != SECONDARY:
        raise OrganisationError("org.not_secondary")
    user = user_of(secondary)
    if not user.is_active:
        users.enable(user, now=now, by=by)


# -- the list of secondary accounts ----------------------------------------------------------


@dataclass(frozen=True)
class SecondaryFilter:
    """The search form of "Gestion de vos comptes secondaires" (empty: any)."""

    name: str = ""
    kind: str = ""
    siret: str = ""
    company_name: str = ""
    responsible: str = ""
    state: str = ""  # pending, open, closed
    mailbox: str = ""  # "yes", "no"


SORTS: dict[str, Any] = {
    "name": User.identifier,
    "kind": OrganisationAccount.kind,
    "siret": OrganisationAccount.siren,
    "company_name": OrganisationAccount.company_name,
    "responsible": OrganisationAccount.last_name,
    "mailbox": OrganisationAccount.has_mailbox,
    # "Demande validée", "Ouvert", "Fermé": the order of an account's life.
    "state": case((User.status != ACTIVE, 2), (User.last_login_at.is_(None), 0), else_=1),
}


@dataclass(frozen=True)
class SecondaryRow:
    member: OrganisationAccount
    user: User

    @property
    def state(self) -> str:
        return account_state(self.user)


@dataclass(frozen=True)
class SecondaryPage:
    rows: list[SecondaryRow]
    total: int
    page: int
    pages: int


def _bounded(page: int, total: int, page_size: int) -> tuple[int, int]:
    """The page to show (a number past the end shows the last) and how many there are."""
    pages = max(1, -(-total // page_size))
    return min(max(page, 1), pages), pages


def _siret_starts(digits: str) -> ColumnElement[bool]:
    siret = func.coalesce(OrganisationAccount.siren, "") + func.coalesce(
        OrganisationAccount.nic, ""
    )
    return siret.like(f"{digits}%")


def _contains(column: Any, value: str) -> ColumnElement[bool]:
    escaped = value.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")


def _filters(wanted: SecondaryFilter) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if wanted.name.strip():
        clauses.append(_contains(User.identifier, wanted.name.strip()))
    if wanted.kind.strip():
        clauses.append(OrganisationAccount.kind == wanted.kind.strip())
    digits = re.sub(r"\D", "", wanted.siret)
    if digits:
        clauses.append(_siret_starts(digits))
    if wanted.company_name.strip():
        clauses.append(_contains(OrganisationAccount.company_name, wanted.company_name.strip()))
    if wanted.responsible.strip():
        value = wanted.responsible.strip()
        clauses.append(
            or_(
                _contains(OrganisationAccount.last_name, value),
                _contains(OrganisationAccount.first_name, value),
            )
        )
    if wanted.state == STATE_CLOSED:
        clauses.append(User.status != ACTIVE)
    elif wanted.state == STATE_PENDING:
        clauses.append(and_(User.status == ACTIVE, User.last_login_at.is_(None)))
    elif wanted.state == STATE_OPEN:
        clauses.append(and_(User.status == ACTIVE, User.last_login_at.is_not(None)))
    if wanted.mailbox in ("yes", "no"):
        clauses.append(OrganisationAccount.has_mailbox.is_(wanted.mailbox == "yes"))
    return clauses


def search_secondaries(
    primary: OrganisationAccount,
    wanted: SecondaryFilter,
    *,
    sort: str = "name",
    descending: bool = False,
    page: int = 1,
    page_size: int = 20,
) -> SecondaryPage:
    """This primary's secondary accounts that match, sorted, one page of them."""
    where = [
        OrganisationAccount.organisation_id == primary.organisation_id,
        OrganisationAccount.role == SECONDARY,
        *_filters(wanted),
    ]
    base = select(OrganisationAccount, User).join(User, User.id == OrganisationAccount.user_id)
    total = int(
        db.session.scalar(
            select(func.count())
            .select_from(OrganisationAccount)
            .join(User, User.id == OrganisationAccount.user_id)
            .where(*where)
        )
        or 0
    )
    page, pages = _bounded(page, total, page_size)
    column = SORTS.get(sort, User.identifier)
    order = column.desc() if descending else column.asc()
    query = (
        base.where(*where)
        .order_by(order, User.identifier)
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    rows = [SecondaryRow(member, user) for member, user in db.session.execute(query).all()]
    return SecondaryPage(rows=rows, total=total, page=page, pages=pages)


# -- the console's list of organisations -----------------------------------------------------


@dataclass(frozen=True)
class OrganisationRow:
    organisation: Organisation
    primary: OrganisationAccount
    user: User
    mailboxes_used: int


@dataclass(frozen=True)
class OrganisationPage:
    rows: list[OrganisationRow]
    total: int
    page: int
    pages: int


def search_organisations(
    *, status: str = "", text: str = "", page: int = 1, page_size: int = 20
) -> OrganisationPage:
    """Organisations with this status (empty: any) whose dossier, raison sociale, primary
    identifier or SIRET (its first digits) contains `text`, newest first, one page."""
    where: list[ColumnElement[bool]] = [OrganisationAccount.role == PRIMARY]
    if status:
        where.append(Organisation.status == status)
    text = text.strip()
    if text:
        matches = [
            _contains(Organisation.dossier, text),
            _contains(OrganisationAccount.company_name, text),
            _contains(User.identifier, text),
        ]
        digits = re.sub(r"\s", "", text)
        if digits.isdigit():
            matches.append(_siret_starts(digits))
        where.append(or_(*matches))
    joined = (
        select(Organisation)
        .join(OrganisationAccount, OrganisationAccount.organisation_id == Organisation.id)
        .join(User, User.id == OrganisationAccount.user_id)
        .where(*where)
    )
    total = int(db.session.scalar(select(func.count()).select_from(joined.subquery())) or 0)
    page, pages = _bounded(page, total, page_size)
    secondary = aliased(OrganisationAccount)
    used = (
        select(func.count())
        .where(*_with_mailbox(secondary, Organisation.id))
        .correlate(Organisation)
        .scalar_subquery()
    )
    query = (
        joined.add_columns(OrganisationAccount, User, used)
        .order_by(Organisation.created_at.desc(), Organisation.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    rows = [OrganisationRow(*row) for row in db.session.execute(query).all()]
    return OrganisationPage(rows=rows, total=total, page=page, pages=pages)


def secondary_states(organisation: Organisation) -> dict[str, int]:
    """How many secondary accounts the organisation has in each state (pending, open,
    closed), for the console's page of the organisation."""
    counts = dict.fromkeys((STATE_PENDING, STATE_OPEN, STATE_CLOSED), 0)
    for user in db.session.scalars(
        select(User)
        .join(OrganisationAccount, OrganisationAccount.user_id == User.id)
        .where(
            OrganisationAccount.organisation_id == organisation.id,
            OrganisationAccount.role == SECONDARY,
        )
    ):
        counts[account_state(user)] += 1
    return counts
