"""Services ("téléprocédures"), the accounts subscribed to them, and the one rule of who may
use an application that requires a habilitation.

The rule: an account may use a restricted application (one that requires a habilitation, or
that a service opens) when it was habilitated for it directly, or when it holds a service
that opens it. An account holds a service when it is subscribed to it, its organisation is
open and, for a secondary account, its primary holds it too: a secondary never holds more
than its primary, whatever the rows say.

Every change that can take a right away calls `enforce`, which ends at once what the lost
right allowed: the tokens for those applications are revoked, the sessions that obtained
them end, and the codes not yet exchanged are deleted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import delete, select, update

from idp.extensions import db, rowcount
from idp.models import (
    AuthorizationCode,
    Client,
    Habilitation,
    Organisation,
    OrganisationAccount,
    Service,
    ServiceClient,
    Subscription,
    Token,
)
from idp.models.organisation import OPEN, PRIMARY, SECONDARY
from idp.services import audit, sessions
from idp.services.clients import ClientRegistry
from idp.services.organisations import (
    OrganisationError,
    membership,
    organisation_of,
    primary_of,
    user_of,
)

_CODE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
# The catalogue's texts (description, recipients, each document type) fit their columns.
_TEXT_MAX = 255


# -- the catalogue ---------------------------------------------------------------------------


def find_service(code: str) -> Service | None:
    return db.session.scalar(select(Service).where(Service.code == code.strip().upper()))


def all_services() -> list[Service]:
    return list(db.session.scalars(select(Service).order_by(Service.code)))


def clients_of(service_id: int) -> list[str]:
    return sorted(
        db.session.scalars(
            select(ServiceClient.client_id).where(ServiceClient.service_id == service_id)
        )
    )


def add_service(
    code: str,
    description: str,
    *,
    client_ids: Iterable[str],
    recipients: str | None = None,
    document_types: Iterable[str] = (),
    clients: ClientRegistry,
    now: int,
    by: str,
) -> Service:
    """A service and the applications it opens (each must be registered).

    Those applications then require a habilitation, and keep requiring one should the
    service be removed: a service restricts an application, its removal never opens it.
    """
    code = code.strip().upper()
    if not code or len(code) > 32 or not set(code) <= _CODE_CHARS:
        raise OrganisationError("org.service_code_invalid")
    if find_service(code) is not None:
        raise OrganisationError("org.service_exists", code=code)
    if not description.strip():
        raise OrganisationError("org.service_description_required")
    for field, value in (("description", description), ("recipients", recipients or "")):
        if len(value.strip()) > _TEXT_MAX:
            raise OrganisationError("org.too_long", field=field)
    if any(len(t.strip()) > _TEXT_MAX for t in document_types):
        raise OrganisationError("org.too_long", field="document_types")
    wanted = sorted(set(client_ids))
    known = set(db.session.scalars(select(Client.client_id).where(Client.client_id.in_(wanted))))
    if missing := [c for c in wanted if c not in known]:
        raise OrganisationError("org.service_client_unknown", client_id=", ".join(missing))
    service = Service(
        code=code,
        description=description.strip(),
        recipients=(recipients or "").strip() or None,
        document_types=[t.strip() for t in document_types if t.strip()],
        created_at=now,
    )
    db.session.add(service)
    db.session.flush()
    for client_id in wanted:
        db.session.add(ServiceClient(service_id=service.id, client_id=client_id))
    db.session.flush()
    restricted = clients.require_habilitation(wanted)
    audit.record(
        "service_added",
        "success",
        at=now,
        by=by,
        code=code,
        clients=wanted,
        now_restricted=restricted,
    )
    return service


def subscriber_ids(service_id: int) -> list[int]:
    """The accounts subscribed to a service (held or not: what removing it takes away)."""
    return list(
        db.session.scalars(
            select(Subscription.user_id).where(Subscription.service_id == service_id)
        )
    )


def remove_service(service: Service, *, now: int, by: str) -> None:
    """Remove a service: every account subscribed loses what it opened, at once (the
    applications still require a habilitation: see `add_service`)."""
    subscribers = subscriber_ids(service.id)
    db.session.execute(delete(Subscription).where(Subscription.service_id == service.id))
    db.session.execute(delete(ServiceClient).where(ServiceClient.service_id == service.id))
    code = service.code
    db.session.delete(service)
    db.session.flush()
    enforce(subscribers, now=now)
    audit.record("service_removed", "success", at=now, by=by, code=code)


def link_client(
    service: Service, client_id: str, *, clients: ClientRegistry, now: int, by: str
) -> None:
    """Let the service open one more application (registered); the application then requires
    a habilitation, as `add_service` makes those it starts with."""
    if db.session.scalar(select(Client.client_id).where(Client.client_id == client_id)) is None:
        raise OrganisationError("org.service_client_unknown", client_id=client_id)
    if client_id in clients_of(service.id):
        raise OrganisationError("org.service_client_linked", client_id=client_id)
    db.session.add(ServiceClient(service_id=service.id, client_id=client_id))
    db.session.flush()
    restricted = clients.require_habilitation([client_id])
    audit.record(
        "service_client_linked",
        "success",
        at=now,
        by=by,
        code=service.code,
        client_id=client_id,
        now_restricted=restricted,
    )


def unlink_client(service: Service, client_id: str, *, now: int, by: str) -> None:
    """The service no longer opens the application: its subscribers lose it at once, unless
    something else still gives it to them (`enforce`); the application stays restricted."""
    removed = rowcount(
        db.session.execute(
            delete(ServiceClient).where(
                ServiceClient.service_id == service.id, ServiceClient.client_id == client_id
            )
        )
    )
    if not removed:
        raise OrganisationError("org.service_client_not_linked", client_id=client_id)
    db.session.flush()
    enforce(subscriber_ids(service.id), now=now)
    audit.record(
        "service_client_unlinked", "success", at=now, by=by, code=service.code, client_id=client_id
    )


# -- who holds what --------------------------------------------------------------------------


def subscriptions_of(user_id: int) -> dict[int, Subscription]:
    """The account's subscription rows, by service id (what it chose, held or not)."""
    rows = db.session.scalars(select(Subscription).where(Subscription.user_id == user_id))
    return {row.service_id: row for row in rows}


def held_services(user_id: int) -> set[int]:
    """The services the account holds now (see the module's rule)."""
    member = membership(user_id)
    if member is None or organisation_of(member).status != OPEN:
        return set()
    own = set(subscriptions_of(user_id))
    if member.role == PRIMARY:
        return own
    return own & set(subscriptions_of(primary_of(member).user_id))


def _clients_of_services(service_ids: Iterable[int]) -> set[str]:
    ids = list(service_ids)
    if not ids:
        return set()
    return set(
        db.session.scalars(select(ServiceClient.client_id).where(ServiceClient.service_id.in_(ids)))
    )


def usable_clients(user_id: int) -> set[str]:
    """The restricted applications the account may use: direct habilitations and those its
    held services open."""
    direct = set(
        db.session.scalars(select(Habilitation.client_id).where(Habilitation.user_id == user_id))
    )
    return direct | _clients_of_services(held_services(user_id))


def refused(user_id: int, client_id: str, *, requires_habilitation: bool) -> bool:
    """The habilitation rule of the authorization endpoint: True when the account may not use
    this application."""
    return requires_habilitation and client_id not in usable_clients(user_id)


def _restricted_clients() -> set[str]:
    """Applications that require a habilitation (their own flag; services set it)."""
    return set(
        db.session.scalars(select(Client.client_id).where(Client.requires_habilitation.is_(True)))
    )


def _revoke_tokens(user_id: int, client_ids: set[str]) -> tuple[int, set[str]]:
    """Revoke the account's live tokens for these clients; how many, and their sessions.

    Repeated until a pass finds none: a refresh in flight holds its old token's row, which
    the first pass waits for, and the new token it then commits is only seen by a statement
    that starts afterwards (PostgreSQL, read committed). A refresh that comes later finds its
    token revoked and issues nothing.
    """
    revoked, sids = 0, set[str]()
    while True:
        rows = db.session.execute(
            update(Token)
            .where(
                Token.user_id == user_id,
                Token.client_id.in_(client_ids),
                Token.revoked.is_(False),
            )
            .values(revoked=True)
            .returning(Token.sid)
            .execution_options(synchronize_session=False)
        ).all()
        if not rows:
            return revoked, sids
        revoked += len(rows)
        sids |= {sid for (sid,) in rows if sid}


def enforce(user_ids: Iterable[int], *, now: int) -> None:
    """End what the accounts may no longer use: tokens for restricted applications outside
    their rights are revoked, the sessions those tokens came from end, unexchanged codes for
    them are deleted."""
    restricted = _restricted_clients()
    if not restricted:
        return
    for user_id in dict.fromkeys(user_ids):
        lost = restricted - usable_clients(user_id)
        if not lost:
            continue
        # Codes first: deleting one waits for an exchange in flight, whose token the
        # revocation below then sees.
        db.session.execute(
            delete(AuthorizationCode).where(
                AuthorizationCode.user_id == user_id,
                AuthorizationCode.client_id.in_(lost),
                AuthorizationCode.used_at.is_(None),
            )
        )
        revoked, sids = _revoke_tokens(user_id, lost)
        ended = sessions.end_many(sids, now=now)
        if revoked or ended:
            audit.record(
                "access_withdrawn",
                "success",
                at=now,
                user_id=user_id,
                clients=sorted(lost),
                tokens_revoked=revoked,
                sessions_ended=ended,
            )


def revoke_habilitation(user_id: int, client_id: str, *, now: int, by: str) -> bool:
    """Take a direct habilitation away; what it allowed ends at once (`enforce`). False when
    there was none. The account may still use the client through a service it holds."""
    removed = rowcount(
        db.session.execute(
            delete(Habilitation).where(
                Habilitation.user_id == user_id, Habilitation.client_id == client_id
            )
        )
    )
    if not removed:
        return False
    db.session.flush()
    enforce([user_id], now=now)
    audit.record(
        "habilitation_revoked", "success", at=now, user_id=user_id, client_id=client_id, by=by
    )
    return True


# -- changing subscriptions ------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """The services an "Options" tab submits, with the document types chosen for each."""

    service_ids: frozenset[int]
    document_types: Mapping[int, tuple[str, ...]]


def _check_document_types(choice: Choice, services: Mapping[int, Service]) -> None:
    for service_id, types in choice.document_types.items():
        service = services.get(service_id)
        if service is None:
            continue
        if not set(types) <= set(service.document_types):
            raise OrganisationError("org.document_type_unknown", code=service.code)


def may_choose_own_services(member: OrganisationAccount) -> bool:
    """A primary chooses its organisation's services; a secondary only when autonomous."""
    return member.role == PRIMARY or member.autonomous


def set_services(
    member: OrganisationAccount,
    choice: Choice,
    *,
    acting: OrganisationAccount,
    now: int,
) -> dict[str, int]:
    """Subscribe `member` to exactly the chosen services.

    `acting` is the account doing it: the member itself (a primary, or an autonomous
    secondary), or its primary. A secondary's choice must be among its primary's services;
    a primary that drops a service drops it from every secondary at once. Returns, by service
    code, how many secondary accounts lost it that way (for the page to say so).
    """
    _authorise(member, acting)
    services = {s.id: s for s in db.session.scalars(select(Service))}
    if unknown := choice.service_ids - set(services):
        raise OrganisationError("org.service_unknown", code=", ".join(map(str, sorted(unknown))))
    _check_document_types(choice, services)
    if member.role == SECONDARY:
        allowed = set(subscriptions_of(primary_of(member).user_id))
        if beyond := choice.service_ids - allowed:
            codes = ", ".join(sorted(services[i].code for i in beyond))
            raise OrganisationError("org.service_beyond_primary", code=codes)
    current = subscriptions_of(member.user_id)
    removed = set(current) - choice.service_ids
    for service_id in choice.service_ids:
        types = list(choice.document_types.get(service_id, ()))
        row = current.get(service_id)
        if row is None:
            db.session.add(
                Subscription(
                    user_id=member.user_id,
                    service_id=service_id,
                    document_types=types,
                    subscribed_at=now,
                )
            )
        elif list(row.document_types or []) != types:
            row.document_types = types
    affected = [member.user_id]
    lost: dict[int, set[int]] = {}
    if removed:
        db.session.execute(
            delete(Subscription).where(
                Subscription.user_id == member.user_id, Subscription.service_id.in_(removed)
            )
        )
        if member.role == PRIMARY:
            secondaries, lost = _drop_from_secondaries(member, removed)
            affected += secondaries
    db.session.flush()
    enforce(affected, now=now)
    added = choice.service_ids - set(current)
    by = user_of(acting).identifier
    if added or removed:
        audit.record(
            "services_changed",
            "success",
            at=now,
            user_id=member.user_id,
            by=by,
            added=sorted(services[i].code for i in added),
            removed=sorted(services[i].code for i in removed),
        )
    for user_id, ids in lost.items():
        # Each secondary's own trail says what it lost, and that its primary's choice did it.
        audit.record(
            "services_changed",
            "success",
            at=now,
            user_id=user_id,
            by=by,
            added=[],
            removed=sorted(services[i].code for i in ids),
            cascade=True,
        )
    by_service = Counter(i for ids in lost.values() for i in ids)
    return {services[i].code: n for i, n in sorted(by_service.items())}


def _drop_from_secondaries(
    primary: OrganisationAccount, service_ids: set[int]
) -> tuple[list[int], dict[int, set[int]]]:
    """Unsubscribe every secondary from the services; returns the secondaries and, for each
    that was subscribed to some of them, those it lost."""
    secondaries = list(
        db.session.scalars(
            select(OrganisationAccount.user_id).where(
                OrganisationAccount.organisation_id == primary.organisation_id,
                OrganisationAccount.role == SECONDARY,
            )
        )
    )
    lost: dict[int, set[int]] = {}
    if secondaries:
        held = delete(Subscription).where(
            Subscription.user_id.in_(secondaries), Subscription.service_id.in_(service_ids)
        )
        rows = db.session.execute(held.returning(Subscription.user_id, Subscription.service_id))
        for user_id, service_id in rows:
            lost.setdefault(user_id, set()).add(service_id)
    return secondaries, lost


def _authorise(member: OrganisationAccount, acting: OrganisationAccount) -> None:
    if acting.user_id == member.user_id:
        if not may_choose_own_services(member):
            raise OrganisationError("org.services_not_autonomous")
        return
    is_its_primary = (
        acting.role == PRIMARY
        and member.role == SECONDARY
        and acting.organisation_id == member.organisation_id
    )
    if not is_its_primary:
        raise OrganisationError("org.not_your_account")


def set_autonomous(
    secondary: OrganisationAccount, autonomous: bool, *, acting: OrganisationAccount, now: int
) -> None:
    """ "J'autorise ce compte secondaire à s'inscrire aux téléprocédures de son choix"."""
    if secondary.role != SECONDARY:
        raise OrganisationError("org.not_secondary")
    _authorise(secondary, acting)
    if acting.user_id == secondary.user_id:
        raise OrganisationError("org.not_your_account")
    if secondary.autonomous == autonomous:
        return
    secondary.autonomous = autonomous
    secondary.updated_at = now
    audit.record(
        "secondary_autonomy_changed",
        "success",
        at=now,
        user_id=secondary.user_id,
        by=user_of(acting).identifier,
        autonomous=autonomous,
    )


@dataclass(frozen=True)
class Advice:
    """What an organisation's account refused an application can do about it.

    `who`: "self" (a primary, or an autonomous secondary whose primary holds the service:
    subscribe in "Gestion des comptes"), "primary" (ask the primary account `primary`), or
    "closed" (the organisation is not open: the assistance).
    """

    who: str
    services: tuple[str, ...]
    primary: str | None = None


def advice(user_id: int, client_id: str) -> Advice | None:
    """The way forward for an account refused `client_id`; None when no service opens it or
    the account belongs to no organisation (then only the assistance can help)."""
    member = membership(user_id)
    service_ids = set(
        db.session.scalars(
            select(ServiceClient.service_id).where(ServiceClient.client_id == client_id)
        )
    )
    if member is None or not service_ids:
        return None
    codes = tuple(
        sorted(db.session.scalars(select(Service.code).where(Service.id.in_(service_ids))))
    )
    if organisation_of(member).status != OPEN:
        return Advice("closed", codes)
    if member.role == PRIMARY:
        return Advice("self", codes)
    primary = primary_of(member)
    primary_holds = service_ids & set(subscriptions_of(primary.user_id))
    if member.autonomous and primary_holds:
        return Advice("self", codes)
    return Advice("primary", codes, primary=user_of(primary).identifier)


def organisation_services(organisation: Organisation) -> list[Service]:
    """The services the organisation's primary is subscribed to, by code."""
    from idp.services.organisations import primary_account

    held = set(subscriptions_of(primary_account(organisation).user_id))
    return [s for s in all_services() if s.id in held]
