"""Client registration, secrets and the per-worker client cache.

Workers keep registered clients in memory; a generation counter in the database tells them
when another process (the CLI, another worker) changed a client. It is read at most every
`[server] client_cache_seconds` (0: on every request): a change reaches every worker within
that time. What "a request" is, is the caller's to say (`first_check`): this module knows no web
framework.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from authlib.oauth2.rfc6749 import ClientMixin, list_to_scope, scope_to_list
from sqlalchemy import delete, select, update

from idp.extensions import db, rowcount
from idp.i18n import text
from idp.models import AuthorizationCode, Client, Consent, RegistryGeneration, Token
from idp.services import audit
from idp.services.hashing import hashes_equal, keyed_hash, new_secret

SUPPORTED_SCOPES = (
    "openid",
    "profile",
    "email",
    "phone",
    "address",
    "offline_access",
    "organisation",
)
SUPPORTED_GRANT_TYPES = ("authorization_code", "refresh_token", "client_credentials")
AUTH_METHODS = ("client_secret_basic", "client_secret_post", "private_key_jwt", "none")
ID_TOKEN_ALGS = ("RS256", "ES256")
_GENERATION = "clients"
_NAME_MAX = 128  # the columns' sizes: a longer value is refused, not truncated
_URI_MAX = 512


class ClientError(ValueError):
    """A registration or change refused; `key` names the message shown in the console (fr/en),
    `field` the form field it is about (None: the whole request), and str() is its English
    text, for the CLI and the logs."""

    def __init__(self, key: str, *, field: str | None = None, **params: Any) -> None:
        self.key = key
        self.field = field
        self.params = params
        super().__init__(text(key, "en", **params))


@dataclass(frozen=True)
class ClientSpec:
    """What an administrator asks for when registering a client."""

    name: str
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...] = ()
    public: bool = False
    auth_method: str | None = None
    first_party: bool = False
    requires_habilitation: bool = False
    scope: str = "openid profile email phone address offline_access"
    grant_types: tuple[str, ...] = ("authorization_code", "refresh_token")
    subject_type: str = "public"
    sector_identifier: str | None = None
    id_token_alg: str = "RS256"
    jwks: dict[str, Any] | None = None
    refresh_without_offline_access: bool = False
    backchannel_logout_uri: str | None = None
    backchannel_logout_session_required: bool = True


@dataclass(frozen=True)
class RegisteredClient(ClientMixin):
    """An immutable view of a client, as Authlib and the views use it."""

    client_id: str
    name: str
    token_endpoint_auth_method: str
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...]
    grant_types: frozenset[str]
    scopes: frozenset[str]
    first_party: bool
    requires_habilitation: bool
    refresh_without_offline_access: bool
    subject_type: str
    sector_identifier: str | None
    id_token_signed_response_alg: str
    jwks: dict[str, Any] | None
    backchannel_logout_uri: str | None
    backchannel_logout_session_required: bool
    # When this registration was made: a service token older than it belongs to an earlier
    # client that had the same id.
    created_at: int
    # Refused wherever a client is looked up (`ClientRegistry.lookup`) until enabled again.
    disabled: bool
    secret_hash: str | None = field(repr=False)
    hash_key: str = field(repr=False)

    @property
    def is_public(self) -> bool:
        return self.token_endpoint_auth_method == "none"

    @property
    def client_metadata(self) -> dict[str, Any]:
        return {"post_logout_redirect_uris": list(self.post_logout_redirect_uris)}

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> None:
        # OpenID Connect requires redirect_uri on every request: there is no default.
        return None

    def get_allowed_scope(self, scope: str | None) -> str:
        if not scope:
            return ""
        return list_to_scope([s for s in scope_to_list(scope) if s in self.scopes])

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        """Exact match; a native app's loopback IP URI may use any port (RFC 8252 §7.3)."""
        if redirect_uri in self.redirect_uris:
            return True
        portless = _loopback_without_port(redirect_uri)
        return (
            self.is_public
            and portless is not None
            and any(_loopback_without_port(uri) == portless for uri in self.redirect_uris)
        )

    def check_client_secret(self, client_secret: str) -> bool:
        if not self.secret_hash:
            return False
        candidate = keyed_hash(self.hash_key, "client-secret", client_secret)
        return hashes_equal(candidate, self.secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if method == "none" and endpoint == "introspection":
            return False
        return method == self.token_endpoint_auth_method

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.grant_types


def _loopback_without_port(uri: str) -> str | None:
    """`uri` without its port if it is http on a loopback IP literal, else None."""
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 -- raises ValueError for a malformed port
    except ValueError:
        return None
    if parts.scheme != "http" or parts.hostname not in {"127.0.0.1", "::1"} or parts.username:
        return None
    host = "[::1]" if parts.hostname == "::1" else parts.hostname
    return parts._replace(netloc=host).geturl()


def _validate_uri(uri: str, *, public: bool, field: str = "redirect_uris") -> None:
    """`field` names the list the URI comes from, and with it the message's wording."""
    if len(uri) > _URI_MAX or any(ord(c) < 32 or ord(c) == 127 for c in uri):
        raise ClientError("clients.uri_malformed", field=field, uri=uri[:80])
    parts = urlsplit(uri)
    if parts.fragment or "#" in uri:
        raise ClientError(f"clients.{field}_fragment", field=field, uri=uri)
    if parts.scheme == "https" and parts.hostname:
        return
    loopback = parts.hostname in {"127.0.0.1", "localhost", "::1"}
    if parts.scheme == "http" and loopback:
        return
    if public and parts.scheme and "." in parts.scheme and not parts.netloc.startswith("/"):
        return  # private-use scheme of a native app (RFC 8252 §7.1), e.g. fr.example.app:/cb
    raise ClientError(f"clients.{field}_not_https", field=field, uri=uri)


def _check_spec(spec: ClientSpec) -> str:
    """Validate a registration and return its token endpoint auth method."""
    if not spec.name.strip():
        raise ClientError("clients.name_required", field="name")
    if len(spec.name.strip()) > _NAME_MAX or any(ord(c) < 32 for c in spec.name):
        raise ClientError("clients.name_invalid", field="name", max=_NAME_MAX)
    method = spec.auth_method or ("none" if spec.public else "client_secret_basic")
    if method not in AUTH_METHODS:
        raise ClientError(
            "clients.auth_method_unknown",
            field="auth_method",
            method=method,
            choices=", ".join(AUTH_METHODS),
        )
    if spec.public != (method == "none"):
        raise ClientError("clients.public_auth_none", field="auth_method")
    if method == "private_key_jwt" and not (spec.jwks and spec.jwks.get("keys")):
        raise ClientError("clients.jwks_required", field="jwks")
    unknown_grants = set(spec.grant_types) - set(SUPPORTED_GRANT_TYPES)
    if unknown_grants:
        raise ClientError(
            "clients.grant_unknown",
            field="grant_types",
            grants=", ".join(sorted(unknown_grants)),
            count=len(unknown_grants),
        )
    if spec.public and "client_credentials" in spec.grant_types:
        raise ClientError("clients.public_client_credentials", field="grant_types")
    if "authorization_code" in spec.grant_types and not spec.redirect_uris:
        raise ClientError("clients.redirect_uri_required", field="redirect_uris")
    for uri in spec.redirect_uris:
        _validate_uri(uri, public=spec.public)
    for uri in spec.post_logout_redirect_uris:
        _validate_uri(uri, public=spec.public, field="post_logout_redirect_uris")
    if spec.backchannel_logout_uri is not None:
        # The IdP itself POSTs there: a native app's private-use scheme cannot receive it.
        _validate_uri(spec.backchannel_logout_uri, public=False, field="backchannel_logout_uri")
    unknown_scopes = set(scope_to_list(spec.scope) or []) - set(SUPPORTED_SCOPES)
    if unknown_scopes:
        raise ClientError(
            "clients.scope_unknown",
            field="scope",
            scopes=", ".join(sorted(unknown_scopes)),
            count=len(unknown_scopes),
        )
    if spec.subject_type not in {"public", "pairwise"}:
        raise ClientError("clients.subject_type_unknown", field="subject_type")
    if spec.id_token_alg not in ID_TOKEN_ALGS:
        raise ClientError(
            "clients.id_token_alg_unknown", field="id_token_alg", choices=", ".join(ID_TOKEN_ALGS)
        )
    return method


def _new_client_id() -> str:
    """A random client_id an operator can pass to `idp clients show ID`: no leading '-',
    which click would take for an option."""
    client_id = new_secret(18)
    while client_id.startswith("-"):
        client_id = new_secret(18)
    return client_id


def _sector_identifier(spec: ClientSpec) -> str | None:
    """The host pairwise subjects are computed for (OIDC Core §8.1)."""
    if spec.subject_type != "pairwise":
        return None
    if spec.sector_identifier:
        host = spec.sector_identifier
        if len(host) > 255 or any(ord(c) <= 32 or c in "/#?@" for c in host):
            raise ClientError("clients.sector_invalid", field="sector_identifier")
        return host
    hosts = {urlsplit(u).hostname for u in spec.redirect_uris}
    # A native app's private-use scheme has no host: all such apps would share one sector.
    if len(hosts) != 1 or None in hosts:
        raise ClientError("clients.sector_needed", field="subject_type")
    return hosts.pop()


def _columns(spec: ClientSpec, method: str) -> dict[str, Any]:
    """The stored values of a checked registration, for a new client or an updated one."""
    return {
        "name": spec.name.strip(),
        "token_endpoint_auth_method": method,
        "redirect_uris": list(dict.fromkeys(spec.redirect_uris)),
        "post_logout_redirect_uris": list(dict.fromkeys(spec.post_logout_redirect_uris)),
        "grant_types": list(dict.fromkeys(spec.grant_types)),
        "scope": list_to_scope(scope_to_list(spec.scope)),
        "first_party": spec.first_party,
        "requires_habilitation": spec.requires_habilitation,
        "refresh_without_offline_access": spec.refresh_without_offline_access,
        "subject_type": spec.subject_type,
        "sector_identifier": _sector_identifier(spec),
        "id_token_signed_response_alg": spec.id_token_alg,
        "jwks": spec.jwks,
        "backchannel_logout_uri": spec.backchannel_logout_uri,
        "backchannel_logout_session_required": spec.backchannel_logout_session_required,
    }


class ClientRegistry:
    """Registration and cached lookup of clients."""

    def __init__(
        self,
        hash_key: str,
        *,
        refresh_seconds: float = 0,
        monotonic: Callable[[], float] = time.monotonic,
        first_check: Callable[[], bool] = lambda: True,
    ) -> None:
        """`first_check()` is true on the first lookup of a unit of work (a web request): later
        lookups in the same unit trust the cache without reading the generation again."""
        self._hash_key = hash_key
        self._cache: dict[str, RegisteredClient] = {}
        self._generation: int | None = None
        self._checked_at: float | None = None
        self._refresh_seconds = refresh_seconds
        self._monotonic = monotonic
        self._first_check = first_check
        self._lock = threading.Lock()

    # -- lookup ------------------------------------------------------------------------

    def lookup(self, client_id: str | None) -> RegisteredClient | None:
        """The client the protocol and the sign-in pages may serve: a disabled one is None."""
        client = self.find(client_id)
        return None if client is None or client.disabled else client

    def find(self, client_id: str | None) -> RegisteredClient | None:
        """The registration, disabled or not: for the administration pages and commands."""
        if not client_id or not isinstance(client_id, str) or len(client_id) > 64:
            return None
        # Client ids also come from Basic headers and assertions, past the form guard.
        if "\x00" in client_id:  # PostgreSQL text cannot hold it: querying one is an error
            return None
        self._refresh_if_stale()
        cached = self._cache.get(client_id)
        if cached is not None:
            return cached
        row = db.session.scalar(select(Client).where(Client.client_id == client_id))
        if row is None:
            return None
        client = self._view(row)
        with self._lock:
            self._cache[client_id] = client
        return client

    def _refresh_if_stale(self) -> None:
        """Drop the cache when the generation moved; read it at most once per request, and
        at most every `refresh_seconds`."""
        if not self._first_check():
            return
        now = self._monotonic()
        if self._checked_at is not None and now - self._checked_at < self._refresh_seconds:
            return
        self._checked_at = now
        generation = db.session.scalar(
            select(RegistryGeneration.generation).where(RegistryGeneration.name == _GENERATION)
        )
        if generation != self._generation:
            with self._lock:
                self._cache.clear()
                self._generation = generation

    def _view(self, row: Client) -> RegisteredClient:
        return RegisteredClient(
            client_id=row.client_id,
            name=row.name,
            token_endpoint_auth_method=row.token_endpoint_auth_method,
            redirect_uris=tuple(row.redirect_uris or ()),
            post_logout_redirect_uris=tuple(row.post_logout_redirect_uris or ()),
            grant_types=frozenset(row.grant_types or ()),
            scopes=frozenset(scope_to_list(row.scope) or ()),
            first_party=row.first_party,
            requires_habilitation=row.requires_habilitation,
            refresh_without_offline_access=row.refresh_without_offline_access,
            subject_type=row.subject_type,
            sector_identifier=row.sector_identifier,
            id_token_signed_response_alg=row.id_token_signed_response_alg,
            jwks=row.jwks,
            backchannel_logout_uri=row.backchannel_logout_uri,
            backchannel_logout_session_required=row.backchannel_logout_session_required,
            created_at=row.created_at,
            disabled=row.disabled,
            secret_hash=row.secret_hash,
            hash_key=self._hash_key,
        )

    # -- administration ------------------------------------------------------------------

    def _bump_generation(self) -> None:
        self._checked_at = None  # this process sees its own change at once
        updated = db.session.execute(
            update(RegistryGeneration)
            .where(RegistryGeneration.name == _GENERATION)
            .values(generation=RegistryGeneration.generation + 1)
        )
        if rowcount(updated) == 0:
            db.session.add(RegistryGeneration(name=_GENERATION, generation=1))

    def _hash_secret(self, secret: str) -> str:
        return keyed_hash(self._hash_key, "client-secret", secret)

    def register(
        self,
        spec: ClientSpec,
        *,
        now: int,
        by: str,
        client_id: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> tuple[RegisteredClient, str | None]:
        """Register a client; returns it with its secret (None for public and key-based ones).
        `detail` goes into the audit record (e.g. the initial access token that allowed it)."""
        method = _check_spec(spec)
        client_id = client_id or _new_client_id()
        if db.session.scalar(select(Client.id).where(Client.client_id == client_id)):
            raise ClientError("clients.exists", field="client_id", client_id=client_id)
        secret = new_secret(32) if method in {"client_secret_basic", "client_secret_post"} else None
        row = Client(
            client_id=client_id,
            secret_hash=self._hash_secret(secret) if secret else None,
            created_at=now,
            updated_at=now,
            **_columns(spec, method),
        )
        db.session.add(row)
        self._bump_generation()
        db.session.flush()
        audit.record(
            "client_registered",
            "success",
            at=now,
            client_id=client_id,
            by=by,
            name=row.name,
            auth_method=method,
            **(detail or {}),
        )
        return self._view(row), secret

    def rotate_secret(self, client_id: str, *, now: int, by: str) -> str:
        row = self._row(client_id)
        if row.token_endpoint_auth_method not in {"client_secret_basic", "client_secret_post"}:
            raise ClientError("clients.no_secret", client_id=client_id)
        secret = new_secret(32)
        row.secret_hash = self._hash_secret(secret)
        row.updated_at = now
        self._bump_generation()
        audit.record("client_secret_rotated", "success", at=now, client_id=client_id, by=by)
        return secret

    def remove(
        self, client_id: str, *, now: int, by: str, detail: dict[str, Any] | None = None
    ) -> None:
        """Remove a client; its tokens stop working, its codes and consents go."""
        db.session.delete(self._row(client_id))
        self._end_grants(client_id)
        db.session.execute(delete(Consent).where(Consent.client_id == client_id))
        self._bump_generation()
        audit.record(
            "client_removed", "success", at=now, client_id=client_id, by=by, **(detail or {})
        )

    def set_disabled(self, client_id: str, disabled: bool, *, now: int, by: str) -> bool:
        """Disable (or enable again) a client; returns whether that changed anything.

        Disabling ends what was issued to it (tokens revoked, pending codes deleted), so
        enabling it again never revives a sign-in made before; consents stay.
        """
        row = self._row(client_id)
        if row.disabled == disabled:
            return False
        row.disabled = disabled
        row.updated_at = now
        if disabled:
            self._end_grants(client_id)
        self._bump_generation()
        event = "client_disabled" if disabled else "client_enabled"
        audit.record(event, "success", at=now, client_id=client_id, by=by)
        return True

    def _end_grants(self, client_id: str) -> None:
        db.session.execute(update(Token).where(Token.client_id == client_id).values(revoked=True))
        db.session.execute(
            delete(AuthorizationCode).where(AuthorizationCode.client_id == client_id)
        )

    def require_habilitation(self, client_ids: Iterable[str]) -> list[str]:
        """Flag these clients as requiring a habilitation; returns those that did not."""
        wanted = sorted(set(client_ids))
        if not wanted:
            return []
        changed = list(
            db.session.scalars(
                select(Client.client_id).where(
                    Client.client_id.in_(wanted), Client.requires_habilitation.is_(False)
                )
            )
        )
        if changed:
            db.session.execute(
                update(Client)
                .where(Client.client_id.in_(changed))
                .values(requires_habilitation=True)
            )
            self._bump_generation()
        return sorted(changed)

    def all(self) -> Iterable[RegisteredClient]:
        rows = db.session.scalars(select(Client).order_by(Client.created_at, Client.id))
        return [self._view(row) for row in rows]

    def _row(self, client_id: str) -> Client:
        row = db.session.scalar(select(Client).where(Client.client_id == client_id))
        if row is None:
            raise ClientError("clients.unknown", client_id=client_id)
        return row

    def update(
        self,
        client_id: str,
        spec: ClientSpec,
        *,
        now: int,
        by: str,
        detail: dict[str, Any] | None = None,
    ) -> tuple[RegisteredClient, str | None]:
        """Replace a client's registration with `spec`, checked as a new one is.

        The client keeps its id, its secret while it still authenticates with one, and its
        tokens; a client that only now needs a secret gets one, returned (else None). Every
        worker's cache sees the change (the generation moves).
        """
        method = _check_spec(spec)
        columns = _columns(spec, method)  # may still refuse (a pairwise sector): before writing
        row = self._row(client_id)
        secret = None
        if method not in {"client_secret_basic", "client_secret_post"}:
            row.secret_hash = None
        elif row.secret_hash is None:
            secret = new_secret(32)
            row.secret_hash = self._hash_secret(secret)
        for name, value in columns.items():
            setattr(row, name, value)
        row.updated_at = now
        self._bump_generation()
        db.session.flush()
        audit.record(
            "client_updated", "success", at=now, client_id=client_id, by=by, **(detail or {})
        )
        return self._view(row), secret
