"""Which local account an upstream identity opens: links, their creation and removal.

A link is made only by a person who proved they hold the account (its password, through the
one sign-in service), by a one-click confirmation of an exact civil-data match where the
provider's `link_policy` allows it, or by creating the account. Never silently on an e-mail.
"""

from __future__ import annotations

import json
import re

from joserfc import jws
from joserfc.errors import JoseError
from sqlalchemy import func, select

from idp.config import FederationProvider
from idp.extensions import db, find_one
from idp.models import BrowserSession, FederatedIdentity, FederatedSession, User
from idp.services import audit, civil_data, sessions, users
from idp.services.federation import UpstreamIdentity, UpstreamLogout
from idp.services.hashing import new_secret
from idp.services.passwords import PasswordHashing


class LinkRefused(Exception):
    """The link cannot be made or removed; `key` names the message shown."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def linked_account(identity: UpstreamIdentity, *, now: int) -> User | None:
    """The account this upstream identity is linked to (its last use noted)."""
    link = db.session.scalar(
        select(FederatedIdentity).where(
            FederatedIdentity.provider == identity.provider,
            FederatedIdentity.subject == identity.subject,
        )
    )
    if link is None:
        return None
    link.last_used_at = now
    return db.session.get(User, link.user_id)


def allowed(provider: FederationProvider, user: User) -> bool:
    """Only the account categories the provider is for (FranceConnect: "particulier")."""
    categories = provider.categories.split()
    return not categories or user.category in categories


def link(identity: UpstreamIdentity, user: User, provider: FederationProvider, *, now: int) -> None:
    """Link `identity` to `user`, who has just proved they hold the account (an identity
    linked meanwhile, from another tab, is not moved: the first link stands). A disabled
    account gets no link: its sign-in would be refused and leave the link behind."""
    if not user.is_active:
        raise LinkRefused("login.disabled")
    if not allowed(provider, user):
        raise LinkRefused("federation.category_refused")
    taken = db.session.scalar(
        select(FederatedIdentity.id).where(
            FederatedIdentity.provider == identity.provider,
            FederatedIdentity.subject == identity.subject,
        )
    )
    if taken is not None:
        raise LinkRefused("federation.already_linked")
    db.session.add(
        FederatedIdentity(
            provider=identity.provider,
            subject=identity.subject,
            user_id=user.id,
            created_at=now,
            last_used_at=now,
        )
    )
    audit.record("federation.link", "success", at=now, user_id=user.id, provider=provider.name)


def _names(value: object) -> str:
    return " ".join(str(value or "").split()).casefold()


def pivot_match(identity: UpstreamIdentity, *, hash_key: str) -> User | None:
    """The one account whose civil data (family name, first names, birth date, and its NIR
    where the organisation holds one) is exactly the pivot identity's; None when none or
    several match (never a guess)."""
    claims = identity.claims
    family, given, birth = (
        _names(claims.get("family_name")),
        _names(claims.get("given_name")),
        str(claims.get("birthdate") or ""),
    )
    if not (family and given and birth):
        return None
    candidates = db.session.scalars(
        select(User)
        .where(User.birth_date == birth, func.lower(User.family_name) == family)
        .limit(5)
    ).all()
    matches = [
        user
        for user in candidates
        if _names(user.family_name) == family
        and _names(user.given_name) == given
        and civil_data.nir_agrees(
            user,
            gender=str(claims.get("gender") or ""),
            birthdate=birth,
            birthplace=str(claims.get("birthplace") or ""),
            birthcountry=str(claims.get("birthcountry") or ""),
            hash_key=hash_key,
        )
    ]
    return matches[0] if len(matches) == 1 else None


# The pivot identity's values (OpenID's gender; INSEE codes, 2A/2B for Corsica, 99100 France).
GENDERS = ("male", "female")
_INSEE_CODE = re.compile(r"[0-9][0-9AB][0-9]{3}")


def _insee_code(value: object) -> str | None:
    """A commune's or a country's INSEE code as the pivot identity gives it; None for anything
    else (a birthplace is empty for a person born abroad)."""
    return value if isinstance(value, str) and _INSEE_CODE.fullmatch(value) else None


def create_account(
    identity: UpstreamIdentity, provider: FederationProvider, *, now: int, hashing: PasswordHashing
) -> User:
    """A new account from the pivot identity, without a password (the provider is its way in)."""
    claims = identity.claims
    if not (claims.get("given_name") and claims.get("family_name")):
        raise LinkRefused("federation.pivot_incomplete")
    user = users.create(
        users.NewAccount(
            identifier=f"{provider.name}-{new_secret(6)}".lower(),
            email=claims.get("email") if isinstance(claims.get("email"), str) else None,
            given_name=str(claims["given_name"])[:128],
            family_name=str(claims["family_name"])[:128],
        ),
        now=now,
        hashing=hashing,
    )
    birth = claims.get("birthdate")
    user.birth_date = birth if isinstance(birth, str) and len(birth) == 10 else None
    gender = claims.get("gender")
    user.gender = gender if gender in GENDERS else None
    user.birthplace = _insee_code(claims.get("birthplace"))
    user.birthcountry = _insee_code(claims.get("birthcountry"))
    categories = provider.categories.split()
    user.category = categories[0] if categories else None
    db.session.flush()
    audit.record("federation.create", "success", at=now, user_id=user.id, provider=provider.name)
    link(identity, user, provider, now=now)
    return user


def links_of(user_id: int) -> list[FederatedIdentity]:
    return list(
        db.session.scalars(
            select(FederatedIdentity)
            .where(FederatedIdentity.user_id == user_id)
            .order_by(FederatedIdentity.created_at)
        )
    )


def unlink(user: User, link_id: int, *, now: int) -> None:
    """Remove one of the account's links, unless it is the account's only way in."""
    record = db.session.get(FederatedIdentity, link_id)
    if record is None or record.user_id != user.id:
        raise LinkRefused("federation.unlink_unknown")
    if user.password_hash is None and len(links_of(user.id)) == 1:
        raise LinkRefused("federation.unlink_last")
    db.session.delete(record)
    audit.record("federation.unlink", "success", at=now, user_id=user.id, provider=record.provider)


def record_session(sid: str, identity: UpstreamIdentity) -> None:
    """Our new session `sid` came from `identity`'s sign-in: remember through whom."""
    db.session.flush()  # the session's row first: its sid is this row's foreign key
    db.session.add(
        FederatedSession(sid=sid, provider=identity.provider, id_token=identity.id_token)
    )


def upstream_session(sid: str | None) -> FederatedSession | None:
    """How a session was signed in upstream, if it was."""
    if not sid:
        return None
    return find_one(FederatedSession, sid=sid)


def upstream_provider(sid: str | None) -> str | None:
    """The provider a session was signed in through (the `idp` claim of our ID tokens)."""
    upstream = upstream_session(sid)
    return upstream.provider if upstream else None


def end_upstream_sessions(provider: str, logout: UpstreamLogout, *, now: int) -> int:
    """The provider signed someone out: end our live sessions its sign-in started there (each
    one tells its applications by back-channel logout); how many ended."""
    query = (
        select(FederatedSession.sid, FederatedSession.id_token)
        .join(BrowserSession, BrowserSession.sid == FederatedSession.sid)
        .where(FederatedSession.provider == provider, BrowserSession.ended_at.is_(None))
    )
    if logout.subject is not None:
        link = db.session.scalar(
            select(FederatedIdentity.user_id).where(
                FederatedIdentity.provider == provider,
                FederatedIdentity.subject == logout.subject,
            )
        )
        if link is not None:  # else unlinked since: its sessions are found by their tokens
            query = query.where(BrowserSession.user_id == link)
    sids = [sid for sid, id_token in db.session.execute(query) if _started_by(id_token, logout)]
    ended = sessions.end_many(sids, now=now)
    audit.record("federation.logout", "success", at=now, provider=provider, sessions=ended)
    return ended


def _started_by(id_token: str, logout: UpstreamLogout) -> bool:
    """The upstream ID token a session started with (verified then) has the `sub` and `sid`
    the logout token names."""
    try:
        claims = json.loads(jws.extract_compact(id_token.encode()).payload)
    except (JoseError, ValueError, TypeError):
        return False
    return all(
        claims.get(name) == value
        for name, value in (("sub", logout.subject), ("sid", logout.sid))
        if value is not None
    )
