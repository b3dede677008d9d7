"""Finding accounts, and the state each is in: what the console's "Comptes" pages and
`idp users list|show` both ask.

An account's state (`users.state`) depends on the sign-in lock, which is kept per keyed hash
of the identifier (`idp.services.lockout`), and on the password's age: neither is a column,
so a search by state checks each candidate here rather than in SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select

from idp.config import PasswordSettings, SessionSettings
from idp.extensions import db
from idp.models import (
    AuditEvent,
    BrowserSession,
    Client,
    FederatedIdentity,
    Habilitation,
    Organisation,
    OrganisationAccount,
    User,
)
from idp.models.user import ACTIVE
from idp.services import account_actions, organisations, subscriptions, users
from idp.services.lockout import Lockout
from idp.services.required_actions import password_expired

STATES = ("active", "locked", "disabled", "never_connected", "password_expired")

# Sort keys the caller may name (anything else sorts by identifier).
SORTS: dict[str, Any] = {
    "identifier": User.identifier,
    "name": func.lower(
        func.coalesce(User.family_name, "") + " " + func.coalesce(User.given_name, "")
    ),
    "last_sign_in": func.coalesce(User.last_login_at, 0),
    "created": User.created_at,
}


class SearchError(ValueError):
    """A search that cannot be run as asked; `key` names the message, `field` the input."""

    def __init__(self, key: str, field: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.field = field
        self.params = params


@dataclass(frozen=True)
class Query:
    """`text` is looked for in the identifier, the names, the e-mail and the phone."""

    text: str = ""
    organisation: str = ""  # a dossier number or its primary account's identifier
    state: str = ""
    sort: str = "identifier"
    descending: bool = False


@dataclass(frozen=True)
class Row:
    user: User
    state: str
    locked_until: int | None
    organisation: str | None  # dossier number
    role: str | None  # primary, secondary


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class StateRules:
    """What an account's state depends on besides its own row."""

    lockout: Lockout
    password: PasswordSettings
    now: int


def state_of(user: User, rules: StateRules) -> tuple[str, int | None]:
    """The account's state, and until when it is locked (None: not locked now)."""
    status = rules.lockout.status(user.identifier, now=rules.now)
    locked_until = status.locked_until if status.locked(rules.now) else None
    return _state(user, rules, locked_until), locked_until


def _state(user: User, rules: StateRules, locked_until: int | None) -> str:
    return users.state(
        user,
        locked_until=locked_until,
        now=rules.now,
        password_expired=password_expired(user, now=rules.now, settings=rules.password),
    )


def _contains(column: Any, value: str) -> ColumnElement[bool]:
    escaped = value.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")


def _text_filter(text: str) -> ColumnElement[bool] | None:
    """Every word somewhere in the identifier, the names or the e-mail; a phone number may
    be typed with its spaces and its leading 0 ("06 12 34" finds "+33612345678")."""
    if re.fullmatch(r"[\d\s.+()-]+", text) and sum(ch.isdigit() for ch in text) >= 4:
        digits = re.sub(r"\D", "", text).lstrip("0")
        return User.phone.like(f"%{digits}%")
    words = [
        or_(
            _contains(User.identifier, word),
            _contains(User.given_name, word),
            _contains(User.family_name, word),
            _contains(User.email, word),
        )
        for word in text.split()
    ]
    return and_(*words) if words else None


def _filters(wanted: Query) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    text = _text_filter(wanted.text.strip())
    if text is not None:
        clauses.append(text)
    if wanted.organisation.strip():
        organisation = organisations.find_organisation(wanted.organisation.strip())
        if organisation is None:
            raise SearchError(
                "accounts.unknown_organisation", "organisation", value=wanted.organisation
            )
        clauses.append(User.id.in_(organisations.member_ids(organisation)))
    if wanted.state == "disabled":
        clauses.append(User.status != ACTIVE)
    elif wanted.state == "never_connected":
        clauses.append(and_(User.status == ACTIVE, User.last_login_at.is_(None)))
    elif wanted.state:
        clauses.append(User.status == ACTIVE)
    return clauses


def _rows(query: Select[*tuple[Any, ...]], rules: StateRules) -> list[Row]:
    """The accounts with their states, the locks read in one statement."""
    found = db.session.execute(query).all()
    locks = rules.lockout.locked_until_of([user.identifier for user, _, _ in found], now=rules.now)
    return [
        Row(
            user=user,
            state=_state(user, rules, locks.get(user.identifier)),
            locked_until=locks.get(user.identifier),
            organisation=dossier,
            role=role,
        )
        for user, dossier, role in found
    ]


def search(wanted: Query, rules: StateRules, *, page: int = 1, page_size: int | None = 25) -> Page:
    """The accounts that match, sorted, one page of them (all of them: `page_size=None`).

    Raises `SearchError` for a state or an organisation that does not exist."""
    if wanted.state and wanted.state not in STATES:
        raise SearchError("accounts.unknown_state", "state", value=wanted.state)
    column = SORTS.get(wanted.sort, User.identifier)
    order = column.desc() if wanted.descending else column.asc()
    query = (
        select(User, Organisation.dossier, OrganisationAccount.role)
        .outerjoin(OrganisationAccount, OrganisationAccount.user_id == User.id)
        .outerjoin(Organisation, Organisation.id == OrganisationAccount.organisation_id)
        .where(*_filters(wanted))
        .order_by(order, User.id)
    )
    exact = wanted.state in ("", "disabled")  # SQL alone decides these
    if exact and page_size is not None:
        total = int(db.session.scalar(select(func.count()).select_from(query.subquery())) or 0)
        pages = max(1, -(-total // page_size))
        page = min(max(page, 1), pages)
        rows = _rows(query.limit(page_size).offset((page - 1) * page_size), rules)
        return Page(rows, total, page, pages)
    rows = _rows(query, rules)
    if not exact:
        rows = [row for row in rows if row.state == wanted.state]
    if page_size is None:
        return Page(rows, len(rows), 1, 1)
    pages = max(1, -(-len(rows) // page_size))
    page = min(max(page, 1), pages)
    return Page(rows[(page - 1) * page_size : page * page_size], len(rows), page, pages)


# -- one account's file ------------------------------------------------------------------------

RECENT_EVENTS = 20


@dataclass(frozen=True)
class Granted:
    """An application the account may use: directly (`service` None, removable) or through
    a service it holds."""

    client_id: str
    name: str
    granted_at: int | None = None
    service: str | None = None


@dataclass(frozen=True)
class AccountFile:
    """What the console shows of an account. Never a hash, never a secret answer, NIR or
    IBAN: only whether a secret question is set."""

    user: User
    state: str
    locked_until: int | None
    password_set: bool
    secret_question_set: bool
    member: OrganisationAccount | None
    organisation: Organisation | None
    direct: list[Granted]
    through_services: list[Granted]
    grantable: list[Client]
    upstream: list[FederatedIdentity]
    sessions: list[BrowserSession]
    events: list[AuditEvent]


def _habilitations(user_id: int, clients: dict[str, Client]) -> tuple[list[Granted], list[Granted]]:
    def name(client_id: str) -> str:
        client = clients.get(client_id)
        return client.name if client is not None else client_id

    direct = [
        Granted(row.client_id, name(row.client_id), granted_at=row.granted_at)
        for row in db.session.scalars(
            select(Habilitation)
            .where(Habilitation.user_id == user_id)
            .order_by(Habilitation.client_id)
        )
    ]
    held = sorted(subscriptions.held_services(user_id))
    services = {s.id: s for s in subscriptions.all_services() if s.id in held}
    through = [
        Granted(client_id, name(client_id), service=services[service_id].code)
        for service_id in held
        for client_id in sorted(subscriptions.clients_of(service_id))
    ]
    return direct, through


def account_file(user: User, rules: StateRules, *, session_limits: SessionSettings) -> AccountFile:
    state, locked_until = state_of(user, rules)
    member = organisations.membership(user.id)
    clients = {c.client_id: c for c in db.session.scalars(select(Client))}
    direct, through = _habilitations(user.id, clients)
    held = {granted.client_id for granted in direct}
    return AccountFile(
        user=user,
        state=state,
        locked_until=locked_until,
        password_set=bool(user.password_hash),
        secret_question_set=bool(user.secret_question and user.secret_answer_hash),
        member=member,
        organisation=organisations.organisation_of(member) if member is not None else None,
        direct=direct,
        through_services=through,
        grantable=[c for c in account_actions.restricted_applications() if c.client_id not in held],
        upstream=list(
            db.session.scalars(
                select(FederatedIdentity)
                .where(FederatedIdentity.user_id == user.id)
                .order_by(FederatedIdentity.provider)
            )
        ),
        sessions=account_actions.live_sessions(user.id, now=rules.now, limits=session_limits),
        events=list(
            db.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.user_id == user.id)
                .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                .limit(RECENT_EVENTS)
            )
        ),
    )
