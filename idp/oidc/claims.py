"""What a client learns about a user: the subject it sees and the claims each scope releases."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any, Protocol

from authlib.oauth2.rfc6749 import scope_to_list

from idp.models import User
from idp.services import organisations, subscriptions
from idp.services.clients import RegisteredClient

# Scopes whose claims are about a user (a client_credentials token carries none of them).
USER_SCOPES = frozenset(
    {"openid", "profile", "email", "phone", "address", "offline_access", "organisation"}
)
# Scopes whose claims the ID token carries as well as UserInfo: a relying party needs to know
# at sign-in for which organisation, and with which services, the account acts. They are read
# from the database, so the token endpoint's fast path hands such refreshes on.
ID_TOKEN_SCOPES = frozenset({"organisation"})

CLAIMS_BY_SCOPE: dict[str, tuple[str, ...]] = {
    "profile": ("name", "given_name", "family_name", "locale", "updated_at"),
    "email": ("email", "email_verified"),
    "phone": ("phone_number", "phone_number_verified"),
    "address": ("address",),
    "organisation": ("organisation",),
}
CLAIMS_SUPPORTED = (
    "sub",
    "iss",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "acr",
    "amr",
    "at_hash",
    "sid",
    *(claim for claims in CLAIMS_BY_SCOPE.values() for claim in claims),
)


class Subject(Protocol):
    """Whom a subject identifier is computed for: a User, or a row carrying its `subject`."""

    @property
    def subject(self) -> str: ...


def subject_for(client: RegisteredClient, user: Subject, hash_key: str) -> str:
    """The `sub` this client sees: the public subject, or a pairwise one per sector."""
    if client.subject_type != "pairwise":
        return user.subject
    message = f"{client.sector_identifier}|{user.subject}".encode()
    digest = hmac.new(hash_key.encode(), b"pairwise\x00" + message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _address(user: User) -> dict[str, str] | None:
    parts = {
        "street_address": user.street_address,
        "postal_code": user.postal_code,
        "locality": user.locality,
        "country": user.country,
    }
    present = {k: v for k, v in parts.items() if v}
    if not present:
        return None
    lines = [user.street_address, " ".join(p for p in (user.postal_code, user.locality) if p)]
    lines.append(user.country or "")
    present["formatted"] = "\n".join(line for line in lines if line)
    return present


def organisation_claim(
    user_id: int, client: RegisteredClient, hash_key: str
) -> dict[str, Any] | None:
    """The account's place in its organisation, as its identity says it (a secondary may act
    for another establishment than its primary's), and the services it holds now; None for an
    account outside any organisation. `primary` names the primary account as this client knows
    it: its login identifier, or for a pairwise client its pairwise subject (a login identifier
    would let clients link what pairwise subjects keep apart)."""
    member = organisations.membership(user_id)
    if member is None:
        return None
    organisation = organisations.organisation_of(member)
    primary = organisations.user_of(organisations.primary_of(member))
    held = subscriptions.held_services(user_id)
    values: dict[str, Any] = {
        "id": organisation.dossier,
        "siret": member.siren + member.nic if member.siren and member.nic else None,
        "name": member.company_name,
        "role": member.role,
        "primary": (
            subject_for(client, primary, hash_key)
            if client.subject_type == "pairwise"
            else primary.identifier
        ),
        "services": sorted(s.code for s in subscriptions.all_services() if s.id in held),
    }
    return {key: value for key, value in values.items() if value}


def id_token_claims(
    user_id: int, scope: str | None, client: RegisteredClient, hash_key: str
) -> dict[str, Any]:
    """The claims of ID_TOKEN_SCOPES the granted scope releases (values left out when none)."""
    granted = set(scope_to_list(scope) or []) & ID_TOKEN_SCOPES
    claims: dict[str, Any] = {}
    if "organisation" in granted and (
        organisation := organisation_claim(user_id, client, hash_key)
    ):
        claims["organisation"] = organisation
    return claims


def _claim_values(user: User) -> dict[str, Any]:
    return {
        "name": user.name,
        "given_name": user.given_name,
        "family_name": user.family_name,
        "locale": user.locale,
        "updated_at": user.updated_at,
        "email": user.email,
        "email_verified": bool(user.email_verified) if user.email else None,
        "phone_number": user.phone,
        "phone_number_verified": bool(user.phone_verified) if user.phone else None,
        "address": _address(user),
    }


def user_claims(client: RegisteredClient, user: User, scope: str, hash_key: str) -> dict[str, Any]:
    """`sub` and the claims released by the granted scopes (unknown values left out)."""
    values = _claim_values(user)
    claims: dict[str, Any] = {"sub": subject_for(client, user, hash_key)}
    for name in scope_to_list(scope) or []:
        for claim in CLAIMS_BY_SCOPE.get(name, ()):
            if values.get(claim) is not None:
                claims[claim] = values[claim]
    claims.update(id_token_claims(user.id, scope, client, hash_key))
    return claims
