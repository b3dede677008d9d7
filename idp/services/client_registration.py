"""Dynamic Client Registration (RFC 7591) and its management protocol (RFC 7592).

Registering needs an initial access token from an operator (`idp clients registration-token`),
good for a number of registrations until it expires. A registered client gets least
privilege: the code flow only (never client_credentials), never first-party, the scopes
`[client_registration] allowed_scopes` allows, and a habilitation when the settings say so.
Its metadata becomes a `ClientSpec` registered through `ClientRegistry`, so the checks of
`idp clients add` apply unchanged; a client changed here is changed through the registry too.
Tokens are kept as keyed hashes only.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import select, update

from idp.config import ClientRegistrationSettings, Settings
from idp.extensions import db, rowcount
from idp.models import ClientRegistration, InitialAccessToken
from idp.services import audit
from idp.services.clients import (
    ClientError,
    ClientRegistry,
    ClientSpec,
    RegisteredClient,
    _validate_uri,
)
from idp.services.hashing import keyed_hash, new_secret

INVALID_TOKEN = "invalid_token"
INVALID_REQUEST = "invalid_request"
INVALID_METADATA = "invalid_client_metadata"
INVALID_REDIRECT_URI = "invalid_redirect_uri"
# What a registered client may use: the code flow and its refresh tokens, nothing else.
ALLOWED_GRANT_TYPES = ("authorization_code", "refresh_token")
# Metadata this provider cannot honour: ignoring it would leave the client believing in a
# behaviour (encrypted tokens, keys fetched from a URL, a shared pairwise sector) it lacks.
UNSUPPORTED_METADATA = (
    "jwks_uri",
    "sector_identifier_uri",
    "software_statement",
    "request_uris",
    "request_object_signing_alg",
    "id_token_encrypted_response_alg",
    "userinfo_signed_response_alg",
    "userinfo_encrypted_response_alg",
    "frontchannel_logout_uri",
)
# RFC 7592 §2.2: an update never sets these itself.
SERVER_FIELDS = (
    "registration_access_token",
    "registration_client_uri",
    "client_secret_expires_at",
    "client_id_issued_at",
)
# Bounds on what a request may hold (the columns' sizes, and no unbounded lists).
MAX_URIS = 20
MAX_URI_LENGTH = 512
MAX_NAME_LENGTH = 128
MAX_KEYS = 10
PRIVATE_KEY_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "k")
SECRET_METHODS = ("client_secret_basic", "client_secret_post")

# How the audit trail names the changes made through the protocol.
BY = "dcr"


class RegistrationRefused(Exception):
    """A request refused with an OAuth error code and a description for the client."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


class TokenRefused(RegistrationRefused):
    """The bearer token is missing, unknown, spent, expired, revoked, or another client's."""

    def __init__(self) -> None:
        super().__init__(INVALID_TOKEN, "The access token is not valid for this request.")


class InitialTokenError(ValueError):
    """An operator's request about initial access tokens that cannot be done."""


@dataclass(frozen=True)
class Registration:
    """A client as registered or updated; the secrets are shown once, here."""

    client: RegisteredClient
    secret: str | None = None
    access_token: str | None = None


def token_state(token: InitialAccessToken, now: int) -> str:
    """ "active", or why the token can register no more clients."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at <= now:
        return "expired"
    if token.uses_left <= 0:
        return "used"
    return "active"


def client_information(client: RegisteredClient) -> dict[str, Any]:
    """The client's registered metadata, as RFC 7591 §3.2.1 names it."""
    info: dict[str, Any] = {
        "client_id": client.client_id,
        "client_id_issued_at": client.created_at,
        "client_name": client.name,
        "redirect_uris": list(client.redirect_uris),
        "post_logout_redirect_uris": list(client.post_logout_redirect_uris),
        "token_endpoint_auth_method": client.token_endpoint_auth_method,
        "grant_types": sorted(client.grant_types),
        "response_types": ["code"],
        "scope": " ".join(sorted(client.scopes)),
        "subject_type": client.subject_type,
        "id_token_signed_response_alg": client.id_token_signed_response_alg,
    }
    if client.token_endpoint_auth_method in SECRET_METHODS:
        info["client_secret_expires_at"] = 0  # never
    if client.jwks:
        info["jwks"] = client.jwks
    if client.backchannel_logout_uri:
        info["backchannel_logout_uri"] = client.backchannel_logout_uri
        info["backchannel_logout_session_required"] = client.backchannel_logout_session_required
    return info


class DynamicRegistration:
    """Initial access tokens, and clients registered, read, changed and deleted with them."""

    def __init__(
        self,
        settings: ClientRegistrationSettings,
        registry: ClientRegistry,
        hash_key: str,
        *,
        default_alg: str,
    ) -> None:
        self._settings = settings
        self._registry = registry
        self._hash_key = hash_key
        self._default_alg = default_alg

    @classmethod
    def from_settings(
        cls, settings: Settings, registry: ClientRegistry, hash_key: str
    ) -> DynamicRegistration:
        return cls(
            settings.client_registration,
            registry,
            hash_key,
            default_alg=settings.keys.default_alg,
        )

    # -- initial access tokens (the operator's side) -------------------------------------

    def _hash(self, purpose: str, token: str) -> str:
        return keyed_hash(self._hash_key, purpose, token)

    def issue_token(
        self, *, uses: int, expires_at: int, now: int, by: str
    ) -> tuple[InitialAccessToken, str]:
        """A new initial access token; the token itself is returned once and never kept."""
        if uses < 1:
            raise InitialTokenError("a token must allow at least one registration")
        if expires_at <= now:
            raise InitialTokenError("a token must expire in the future")
        token = new_secret(32)
        row = InitialAccessToken(
            token_hash=self._hash("initial-access-token", token),
            uses_left=uses,
            expires_at=expires_at,
            created_at=now,
            created_by=by,
        )
        db.session.add(row)
        db.session.flush()
        audit.record(
            "registration_token_issued",
            "success",
            at=now,
            by=by,
            token_id=row.id,
            uses=uses,
            expires_at=expires_at,
        )
        return row, token

    def tokens(self) -> list[InitialAccessToken]:
        return list(db.session.scalars(select(InitialAccessToken).order_by(InitialAccessToken.id)))

    def revoke_token(self, token_id: int, *, now: int, by: str) -> InitialAccessToken:
        """End a token at once; the clients it registered stay."""
        row = db.session.get(InitialAccessToken, token_id)
        if row is None:
            raise InitialTokenError(f"no registration token {token_id}")
        if row.revoked_at is None:
            row.revoked_at = now
            audit.record("registration_token_revoked", "success", at=now, by=by, token_id=row.id)
        return row

    # -- RFC 7591: registration ---------------------------------------------------------

    def register(
        self, metadata: Any, *, token: str | None, now: int, ip: str | None
    ) -> Registration:
        """Register a client for the holder of a usable initial access token.

        The token's use is taken in one conditional UPDATE in the same transaction as the
        registration: requests racing for a token's last use cannot all pass, whatever the
        number of workers, and a registration refused for its metadata gives the use back.
        """
        initial = self._initial_token(token, now, ip)
        try:
            spec = self._spec(metadata)
            with db.session.begin_nested():
                if not self._spend(initial.id, now):
                    raise TokenRefused()
                client, secret = self._registry.register(
                    spec, now=now, by=BY, detail={"initial_token_id": initial.id, "ip": ip}
                )
        except TokenRefused:
            self._refused("spent", now, ip, token_id=initial.id)
            raise
        except (RegistrationRefused, ClientError) as exc:
            raise self._refused_metadata(exc, now, ip, token_id=initial.id) from None
        access_token = new_secret(32)
        registration = ClientRegistration(
            client_id=client.client_id,
            access_token_hash=self._hash("registration-access-token", access_token),
            initial_token_id=initial.id,
            created_at=now,
        )
        db.session.add(registration)
        return Registration(client, secret, access_token)

    def _initial_token(self, token: str | None, now: int, ip: str | None) -> InitialAccessToken:
        row = None
        if token:
            row = db.session.scalar(
                select(InitialAccessToken).where(
                    InitialAccessToken.token_hash == self._hash("initial-access-token", token)
                )
            )
        if row is None:
            self._refused("missing" if not token else "unknown", now, ip)
            raise TokenRefused()
        state = token_state(row, now)
        if state != "active":
            self._refused(state, now, ip, token_id=row.id)
            raise TokenRefused()
        return row

    @staticmethod
    def _spend(token_id: int, now: int) -> bool:
        t = InitialAccessToken
        spent = db.session.execute(
            update(t)
            .where(t.id == token_id, t.uses_left > 0, t.revoked_at.is_(None), t.expires_at > now)
            .values(uses_left=t.uses_left - 1)
        )
        return rowcount(spent) == 1

    def _refused(self, reason: str, now: int, ip: str | None, **detail: Any) -> None:
        audit.record(
            "client_registration_refused",
            "failure",
            at=now,
            ip=ip,
            by=BY,
            reason=reason,
            **detail,
        )

    def _refused_metadata(
        self, exc: RegistrationRefused | ClientError, now: int, ip: str | None, **detail: Any
    ) -> RegistrationRefused:
        if isinstance(exc, RegistrationRefused):
            refusal = exc
        else:
            refusal = RegistrationRefused(INVALID_METADATA, str(exc))
        self._refused(refusal.error, now, ip, description=refusal.description, **detail)
        return refusal

    # -- RFC 7592: management -----------------------------------------------------------

    def authenticate(
        self, client_id: str, token: str | None, *, now: int, ip: str | None
    ) -> RegisteredClient:
        """The client, if `token` is its registration access token; one for another client
        is refused exactly like an unknown one."""
        return self._managed(client_id, token, now, ip)[0]

    def _managed(
        self, client_id: str, token: str | None, now: int, ip: str | None
    ) -> tuple[RegisteredClient, ClientRegistration]:
        row = None
        if token:
            row = db.session.scalar(
                select(ClientRegistration).where(
                    ClientRegistration.access_token_hash
                    == self._hash("registration-access-token", token)
                )
            )
        client = self._registry.lookup(client_id) if row and row.client_id == client_id else None
        if client is None or row is None:
            self._refused("registration_access_token", now, ip)
            raise TokenRefused()
        return client, row

    def update(
        self, client_id: str, metadata: Any, *, token: str | None, now: int, ip: str | None
    ) -> Registration:
        """Replace the client's metadata (RFC 7592 §2.2: omitted fields take their default).

        A habilitation the client requires stays required: an operator may have asked for it
        (a service that opens the client), and a client never lifts it itself.
        """
        current, registration = self._managed(client_id, token, now, ip)
        try:
            _check_update(current, metadata)
            spec = self._spec(metadata)
            if current.requires_habilitation:
                spec = replace(spec, requires_habilitation=True)
            client, secret = self._registry.update(
                client_id, spec, now=now, by=BY, detail=self._detail(registration, ip)
            )
        except (RegistrationRefused, ClientError) as exc:
            raise self._refused_metadata(exc, now, ip, client_id=client_id) from None
        return Registration(client, secret)

    def delete(self, client_id: str, *, token: str | None, now: int, ip: str | None) -> None:
        """Remove the client: its tokens stop working, its registration token with it."""
        _, registration = self._managed(client_id, token, now, ip)
        detail = self._detail(registration, ip)
        db.session.delete(registration)
        self._registry.remove(client_id, now=now, by=BY, detail=detail)

    @staticmethod
    def _detail(registration: ClientRegistration, ip: str | None) -> dict[str, object]:
        """What the audit records of a managed client's change add: the token that made it."""
        return {"initial_token_id": registration.initial_token_id, "ip": ip}

    # -- metadata -------------------------------------------------------------------------

    def _spec(self, metadata: Any) -> ClientSpec:
        """RFC 7591 metadata as a least-privilege `ClientSpec`; the registry checks the rest."""
        if not isinstance(metadata, Mapping):
            raise RegistrationRefused(INVALID_METADATA, "The body must be a JSON object.")
        for name in UNSUPPORTED_METADATA:
            if metadata.get(name) is not None:
                raise RegistrationRefused(INVALID_METADATA, f"{name} is not supported.")
        method = _string(metadata, "token_endpoint_auth_method") or "client_secret_basic"
        public = method == "none"
        redirect_uris = _strings(metadata, "redirect_uris")
        post_logout_uris = _strings(metadata, "post_logout_redirect_uris")
        if not redirect_uris:
            raise RegistrationRefused(INVALID_REDIRECT_URI, "redirect_uris is required.")
        for uri in (*redirect_uris, *post_logout_uris):
            try:
                _validate_uri(uri, public=public)
            except ClientError as exc:
                raise RegistrationRefused(INVALID_REDIRECT_URI, str(exc)) from None
        grant_types = _strings(metadata, "grant_types") or ["authorization_code"]
        refused = sorted(set(grant_types) - set(ALLOWED_GRANT_TYPES))
        if refused or "authorization_code" not in grant_types:
            raise RegistrationRefused(
                INVALID_METADATA,
                "grant_types may hold only authorization_code (required) and refresh_token.",
            )
        if set(_strings(metadata, "response_types") or ["code"]) != {"code"}:
            raise RegistrationRefused(INVALID_METADATA, 'response_types must be ["code"].')
        allowed = self._settings.allowed_scopes
        scope = _string(metadata, "scope") or allowed
        beyond = sorted(set(scope.split()) - set(allowed.split()))
        if beyond:
            raise RegistrationRefused(
                INVALID_METADATA, f"scope not allowed for registered clients: {' '.join(beyond)}"
            )
        return ClientSpec(
            name=_string(metadata, "client_name", MAX_NAME_LENGTH) or "",
            redirect_uris=tuple(redirect_uris),
            post_logout_redirect_uris=tuple(post_logout_uris),
            public=public,
            auth_method=method,
            first_party=False,
            requires_habilitation=self._settings.requires_habilitation,
            scope=scope,
            grant_types=tuple(grant_types),
            subject_type=_string(metadata, "subject_type") or "public",
            id_token_alg=_string(metadata, "id_token_signed_response_alg") or self._default_alg,
            jwks=_jwks(metadata.get("jwks")),
            backchannel_logout_uri=_backchannel_uri(metadata),
            backchannel_logout_session_required=_flag(
                metadata, "backchannel_logout_session_required", default=True
            ),
        )


def _check_update(current: RegisteredClient, metadata: Any) -> None:
    """RFC 7592 §2.2: the client names itself, sets none of the server's fields, and a
    secret it sends is its own."""
    if not isinstance(metadata, Mapping):
        raise RegistrationRefused(INVALID_METADATA, "The body must be a JSON object.")
    present = [name for name in SERVER_FIELDS if name in metadata]
    if present:
        raise RegistrationRefused(INVALID_REQUEST, f"{', '.join(present)} cannot be set.")
    if metadata.get("client_id") != current.client_id:
        raise RegistrationRefused(INVALID_REQUEST, "client_id must be the client's own.")
    secret = metadata.get("client_secret")
    if "client_secret" in metadata and not (
        isinstance(secret, str) and current.check_client_secret(secret)
    ):
        raise RegistrationRefused(INVALID_REQUEST, "client_secret is not the client's secret.")


def _printable(value: str, limit: int) -> bool:
    return 0 < len(value) <= limit and all(ord(c) >= 32 and c != "\x7f" for c in value)


def _string(metadata: Mapping[str, Any], name: str, limit: int = MAX_URI_LENGTH) -> str | None:
    """A text field, or None when absent or null."""
    value = metadata.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not _printable(value, limit):
        raise RegistrationRefused(
            INVALID_METADATA, f"{name} must be a string of 1 to {limit} printable characters."
        )
    return value


def _strings(metadata: Mapping[str, Any], name: str) -> list[str]:
    """An array of text fields ([] when absent or null), at most MAX_URIS of them."""
    value = metadata.get(name)
    if value is None:
        return []
    if (
        not isinstance(value, list)
        or len(value) > MAX_URIS
        or not all(isinstance(v, str) and _printable(v, MAX_URI_LENGTH) for v in value)
    ):
        raise RegistrationRefused(
            INVALID_METADATA,
            f"{name} must be an array of at most {MAX_URIS} strings "
            f"of at most {MAX_URI_LENGTH} characters.",
        )
    return list(dict.fromkeys(value))


def _backchannel_uri(metadata: Mapping[str, Any]) -> str | None:
    """The IdP itself POSTs to this URI: from a client registered by anyone holding a token,
    only to a public https host, never to this machine or a private address (SSRF)."""
    uri = _string(metadata, "backchannel_logout_uri")
    if uri is None:
        return None
    host = (urlsplit(uri).hostname or "").lower()
    try:
        internal = not ipaddress.ip_address(host).is_global
    except ValueError:
        internal = host == "localhost" or host.endswith((".localhost", ".local", ".internal"))
    if not uri.startswith("https://") or not host or internal:
        raise RegistrationRefused(
            INVALID_METADATA, "backchannel_logout_uri must be https on a public host."
        )
    return uri


def _flag(metadata: Mapping[str, Any], name: str, *, default: bool) -> bool:
    value = metadata.get(name)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise RegistrationRefused(INVALID_METADATA, f"{name} must be true or false.")
    return value


def _jwks(value: Any) -> dict[str, Any] | None:
    """A JWK Set of at most MAX_KEYS public keys, each one importable."""
    if value is None:
        return None
    keys = value.get("keys") if isinstance(value, dict) else None
    if not isinstance(keys, list) or not 0 < len(keys) <= MAX_KEYS:
        raise RegistrationRefused(
            INVALID_METADATA, f"jwks must be a JWK Set of 1 to {MAX_KEYS} keys."
        )
    if any(not isinstance(key, dict) or set(key) & set(PRIVATE_KEY_MEMBERS) for key in keys):
        raise RegistrationRefused(INVALID_METADATA, "jwks must hold public keys only.")
    try:
        KeySet.import_key_set({"keys": keys})
    except (JoseError, ValueError, TypeError, KeyError):
        raise RegistrationRefused(
            INVALID_METADATA, "jwks holds a key that cannot be read."
        ) from None
    return {"keys": keys}
