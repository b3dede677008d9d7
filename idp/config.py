"""Configuration: one validated settings object built from TOML, environment and defaults.

Every key has its default here, with the unit in its name. A misspelt key, a wrong type or a
placeholder secret on a public issuer is an error at start, never a surprise at run time.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import os
import re
import secrets
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import Any, get_type_hints
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

RECOVERY_PATHS = ("channels", "secret_question", "organisation_data", "postal_code")
PASSWORD_POLICIES = ("cnil-2022-case2", "cnil-2022-case1", "msa", "nist-800-63b", "pin-6")
# Six digits are 20 bits: "pin-6" only under a lockout this strict (see validate).
PIN_MAX_ATTEMPTS = 3
PIN_DAILY_MAX_FAILURES = 25
LOG_FORMATS = ("json", "plain")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "secret", "dev"}
LOOPBACK_HOSTS = ("127.0.0.1", "localhost")
# A host name or IPv4 address (letters, digits, hyphens, dots; ".name" for its subdomains).
HOST_NAME = re.compile(r"\.?[a-z0-9]([a-z0-9.-]*[a-z0-9])?", re.IGNORECASE)


class ConfigError(ValueError):
    """The configuration cannot be used; the message names the key."""


@dataclass(frozen=True)
class ServerSettings:
    issuer: str = "http://127.0.0.1:5000"
    # Signs cookies, CSRF tokens and one-time links; may be rotated (users sign in again).
    # Empty: a random key is generated once and kept in `instance/secret_key`.
    secret_key: str = ""
    # Keys the hashes of client secrets, codes and recovery data, and pairwise subjects.
    # Never rotate it: stored hashes and pairwise `sub` values depend on it.
    # Empty: a random key is generated once and kept in `instance/hash_key`.
    hash_key: str = ""
    instance_dir: str = "instance"
    # Trust X-Forwarded-* from this many proxies (0 when the app faces clients directly).
    proxy_count: int = 0
    # Host names answered besides the issuer's (space-separated; ".example.org" accepts its
    # subdomains); any other Host is refused with 400. Loopback names are added when the
    # issuer is on this machine or in development.
    trusted_hosts: str = ""
    # Enables the development pages (outbox). Never on in production.
    development: bool = False
    # A change to clients (CLI, another worker) reaches each worker within this many seconds;
    # 0 checks on every request (one more query on the token endpoint).
    client_cache_seconds: int = 1
    # Processes and threads per process of the production server (`idp serve --production`,
    # granian). A worker is a process: it runs Python on one core at a time (the GIL), so one
    # worker per core. Its threads let it go on serving while a request waits on the database
    # or on argon2id (which releases the GIL); each concurrent sign-in costs the hash's memory.
    workers: int = 1
    threads: int = 2


@dataclass(frozen=True)
class DatabaseSettings:
    # Empty: SQLite in the instance folder.
    url: str = ""
    echo: bool = False
    # A pooled connection unused for this long is checked before use (0: before every use).
    ping_after_idle_seconds: int = 1


@dataclass(frozen=True)
class KeysSettings:
    dir: str = "keys"
    # Algorithm of ID tokens for clients that do not choose one.
    default_alg: str = "RS256"
    rsa_bits: int = 2048


@dataclass(frozen=True)
class TokensSettings:
    authorization_code_ttl_seconds: int = 60
    access_token_ttl_seconds: int = 600
    id_token_ttl_seconds: int = 600
    refresh_token_ttl_seconds: int = 30 * 24 * 3600
    client_credentials_ttl_seconds: int = 600
    # How long an unfinished sign-in (pending authorization request) stays usable.
    pending_request_ttl_seconds: int = 1800


@dataclass(frozen=True)
class SessionSettings:
    idle_minutes: int = 30
    absolute_hours: int = 12
    cookie_name: str = "idp_session"


@dataclass(frozen=True)
class AdminSettings:
    """The operators' console (/admin): its own session, shorter than the hosted pages'."""

    # Minutes without a request before the console session ends.
    idle_minutes: int = 15
    # Minutes after the password and second factor were given during which sensitive actions
    # need no re-authentication.
    reauth_minutes: int = 15
    absolute_hours: int = 10
    cookie_name: str = "idp_admin"
    # Name the authenticator app shows beside the codes (defaults to the branding's name).
    totp_issuer: str = ""


@dataclass(frozen=True)
class RatelimitSettings:
    storage_uri: str = "memory://"
    strategy: str = "moving-window"
    # Sign-in form submissions per client IP and per identifier typed.
    login_per_ip: str = "30/minute"
    login_per_identifier: str = "10/minute"
    # Captcha images and sounds generated per client IP (sounds cost ~0.5 s of CPU each).
    captcha_per_ip: str = "60/minute"
    captcha_audio_per_ip: str = "10/minute"
    # Steps of "J'ai oublié mon mot de passe" / "Obtenir son identifiant" per client IP.
    recovery_per_ip: str = "20/minute"
    # "Obtenir son identifiant" per social-security number typed, whatever the address.
    recovery_per_nir: str = "10/hour"
    # Steps of "S'inscrire" (self-registration) per client IP, and registrations per
    # address typed (each sends that address a message), whatever the IP.
    registration_per_ip: str = "10/minute"
    registration_per_address: str = "5/hour"


LOGIN_IDENTIFIERS = ("identifier", "email", "either")


@dataclass(frozen=True)
class LoginSettings:
    # What the sign-in and the forgotten-password pages take: the account's "identifier",
    # its "email" address (impots.gouv), or "either".
    identifier: str = "identifier"


@dataclass(frozen=True)
class CaptchaSettings:
    # "always", "after_failures" (from `after` failures) or "never".
    mode: str = "always"
    after: int = 1
    # Challenge of the sign-in page: "image" (with an audio alternative) or "arithmetic".
    kind: str = "image"
    length: int = 6
    ttl_seconds: int = 300


@dataclass(frozen=True)
class LockoutSettings:
    max_attempts: int = 5
    lock_minutes: int = 20
    # "fixed": every lock lasts lock_minutes; "double": each further lock twice as long.
    growth: str = "fixed"
    # CNIL délibération 2022-100 (case 2): at most this many failures in 24 hours.
    daily_max_failures: int = 25


@dataclass(frozen=True)
class InviteSettings:
    # An invitation link (first connection) works this long, once.
    link_hours: int = 72


@dataclass(frozen=True)
class ContactsSettings:
    # Phone numbers without a country code are read in this region.
    default_region: str = "FR"
    # The code that confirms an e-mail address.
    email_code_digits: int = 4
    email_code_minutes: int = 30
    email_code_max_attempts: int = 5
    resend_wait_seconds: int = 60
    # False lets an account with no e-mail (ASSU2000's holders who have none) confirm its
    # contacts without one; an address it has verified can never be emptied this way.
    email_required: bool = True


@dataclass(frozen=True)
class RegistrationSettings:
    # "S'inscrire": people create their own account (e-mail proven by a code, the code
    # rules of [contacts]). Off: the pages do not exist (404).
    enabled: bool = False
    # "chosen" (typed on the form) or "given" (generated, shown at the end and e-mailed).
    identifier: str = "chosen"
    # An unfinished registration (code, then password) stays usable this long; the code
    # itself expires sooner ([contacts] email_code_minutes).
    pending_minutes: int = 60


@dataclass(frozen=True)
class OrganisationsSettings:
    # The organisation types a form offers ("Type" in "Gestion des comptes"), comma-separated.
    types: str = "Entreprise, OGA, Expert-comptable, Association, Administration"
    # Changing the quota, the services or a secondary account's rights asks for the password
    # again when the sign-in is older than this.
    reauthenticate_minutes: int = 15
    # Secondary accounts listed per page.
    page_size: int = 20

    @property
    def type_list(self) -> tuple[str, ...]:
        return tuple(t.strip() for t in self.types.split(",") if t.strip())


@dataclass(frozen=True)
class RecoverySettings:
    # The path of a known account: the first of these that applies to it.
    # secret_question first: an account that set one (BonusEco, at activation) is asked it,
    # even once it has signed in.
    order: str = "secret_question channels organisation_data postal_code"
    # After the e-mail or SMS code: "temporary_password" (sent over the same channel),
    # "set_password" (the new-password page at once) or "link" (a single-use link to choose
    # the new password).
    after_code: str = "temporary_password"
    # Show "s****@c****.fr" / "06 ** ** ** 12" on the channel choice (reveals the account).
    show_masked_channels: bool = False
    code_digits: int = 6
    code_minutes: int = 30
    code_max_attempts: int = 5
    resend_wait_seconds: int = 60
    link_minutes: int = 60
    postal_code_days: int = 15
    # A recovery in progress stays usable this long.
    attempt_minutes: int = 30
    # Codes and links go out once a recovery step has answered (a temporary password is queued
    # with the answer: keep this above one argon2 hash), and every step answers after at
    # least this long: known and unknown identifiers take the same time.
    response_floor_ms: int = 300
    # Wrong answers to the secret question in a row before that path is refused for a while.
    max_answer_failures: int = 5
    # "Obtenir son identifiant": more different NIRs than this from one IP address within
    # identifier_alert_minutes writes an alert in the audit.
    identifier_alert_nirs: int = 5
    identifier_alert_minutes: int = 60


@dataclass(frozen=True)
class BrandingSettings:
    name: str = "Mon espace"
    organisation: str = "Organisme de démonstration"
    logo: str = ""
    support_phone: str = "0 800 74 74 00"
    support_email: str = "assistance@example.org"
    support_hours: str = "du lundi au vendredi, de 8 h 30 à 18 h"
    # BonusEco: "Consultez le Manuel utilisateur" beside "Contactez l'Assistance" ("": none).
    manual_url: str = ""


@dataclass(frozen=True)
class PasswordSettings:
    # "cnil-2022-case2", "cnil-2022-case1", "msa", "nist-800-63b" or "pin-6" (exactly six
    # digits, ASSU2000's; only with a strict lockout) (see password_policy).
    policy: str = "cnil-2022-case2"
    # Raises the preset's minimum length (never lowers it; "pin-6" is six digits, always).
    min_length: int = 8
    max_length: int = 128
    # impots.gouv's rule: no spaces and no accented characters.
    forbid_spaces_and_accents: bool = False
    # A new password may not be one of the last `history` ones.
    history: int = 5
    # A password older than this must be changed at the next sign-in (0: never expires).
    expiry_days: int = 90
    # argon2id cost (OWASP: m=19 MiB, t=2, p=1 is the floor; these are above it).
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 1


@dataclass(frozen=True)
class MailSettings:
    # "outbox": one .eml file per message in `outbox` (development, tests); "smtp": a relay.
    backend: str = "outbox"
    # Empty: <instance_dir>/outbox/mail.
    outbox: str = ""
    host: str = ""
    port: int = 587
    # "starttls" (port 587), "tls" (implicit TLS, port 465) or "none" (a local relay only).
    security: str = "starttls"
    # Empty username: no authentication.
    username: str = ""
    password: str = ""
    sender: str = "Mon espace <no-reply@example.org>"
    timeout_seconds: int = 10


# What `[sms] body` may name: the recipient (E.164), the text, `[sms] sender`, the message id.
SMS_BODY_PLACEHOLDERS = ("to", "text", "sender", "id")


@dataclass(frozen=True)
class SmsSettings:
    # "outbox": one JSON file per message in `outbox` (development, tests); "http": a provider.
    backend: str = "outbox"
    # Empty: <instance_dir>/outbox/sms.
    outbox: str = ""
    # The provider's endpoint: https (http only to a loopback address).
    url: str = ""
    # "none", "bearer" (`token`) or "basic" (`username`, `password`).
    auth: str = "none"
    token: str = ""
    username: str = ""
    password: str = ""
    # The JSON posted; {to}, {text}, {sender} and {id} in its strings are replaced by the values,
    # JSON-escaped.
    body: str = '{"to": "{to}", "text": "{text}"}'
    # The sender shown on the phone (at most 11 letters and digits, or a number); empty: the
    # provider's default.
    sender: str = ""
    timeout_seconds: int = 10


@dataclass(frozen=True)
class PostalSettings:
    # Letters (PDF and a JSON status file each) wait here for the print room.
    # Empty: <instance_dir>/outbox/letters.
    outbox: str = ""
    # The organisation's address block, top left of every letter: at most 6 lines of 38
    # characters (NF Z10-011).
    sender_address: str = (
        "Organisme de démonstration\nService des comptes\n10 rue de la Paix\n75002 Paris"
    )
    # The place in "Paris, le 22 novembre 2026". Empty: the town of the address's last line.
    place: str = ""
    # Under the closing formula. Empty: the first line of sender_address.
    signature: str = ""
    # The letter's date is the day in this time zone.
    timezone: str = "Europe/Paris"


FEDERATION_KINDS = ("franceconnect", "oidc")
LINK_POLICIES = ("confirm", "pivot_identity")
PROVIDER_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")


@dataclass(frozen=True)
class FederationProvider:
    """One upstream OpenID provider (`[[federation.providers]]`)."""

    name: str
    label: str
    discovery_url: str
    client_id: str
    kind: str = "oidc"
    client_secret: str = ""
    # A file holding the secret, read at start (keeps it out of the configuration file).
    client_secret_file: str = ""
    # Or private_key_jwt (RFC 7523): our private key (a JWK, RSA or EC P-256, in a file); the
    # provider holds its public half.
    private_key_file: str = ""
    scopes: str = "openid"
    acr_values: str = ""
    # The `claims` request parameter (OIDC Core 5.5), a JSON object, e.g. FranceConnect's
    # '{"id_token": {"amr": {"essential": true}}}' to learn how the person authenticated.
    claims: str = ""
    # On by default; FranceConnect refuses `code_challenge`, so it is forced off there.
    pkce: bool = True
    # Account categories that may sign in this way (space-separated; empty: any).
    categories: str = ""
    link_policy: str = "confirm"
    create_accounts: bool = False
    # "franceconnect" (the official button and "Qu'est-ce que FranceConnect ?", as its partner
    # guidelines ask) or "plain" (a labelled button); empty: by `kind`.
    button: str = ""

    @property
    def button_style(self) -> str:
        if self.button:
            return self.button
        return "franceconnect" if self.kind == "franceconnect" else "plain"


@dataclass(frozen=True)
class DeliveriesSettings:
    """The outbox worker (`idp deliveries run`): e-mails, SMS and letters, the back-channel
    logout tokens that are due, and the purge."""

    # Also send from a thread of each web process (the embedded default, a single-process
    # deployment). Production: false, and `idp deliveries run` as a service of its own.
    in_process: bool = True
    # How often the worker looks for due messages (a page that queues one wakes it at once).
    poll_seconds: int = 5
    # Attempts before a message is marked failed (`idp deliveries list --failed`).
    max_attempts: int = 6
    # The wait after the first failed attempt; it doubles after each, up to the maximum.
    backoff_seconds: int = 30
    backoff_max_seconds: int = 3600
    # How often the worker purges expired rows (`idp db purge`); 0: never (a cron job does).
    purge_minutes: int = 60
    # Sent messages, ended sessions and finished logout deliveries are kept this long.
    retention_days: int = 7


@dataclass(frozen=True)
class FederationSettings:
    providers: tuple[FederationProvider, ...] = ()

    def provider(self, name: str) -> FederationProvider | None:
        return next((p for p in self.providers if p.name == name), None)


@dataclass(frozen=True)
class ClientRegistrationSettings:
    # OAuth 2.0 Dynamic Client Registration (RFC 7591) and management (RFC 7592) at
    # /connect/register, behind an initial access token (`idp clients registration-token`).
    # Off: the endpoints do not exist (404) and discovery does not name them.
    enabled: bool = False
    # Registered clients sign in only the accounts granted to them (`idp users grant`).
    requires_habilitation: bool = True
    # The scopes a registered client may ask for (all of them when it names none).
    allowed_scopes: str = "openid profile email phone"
    # Lifetime of an initial access token when `--expires-in` is not given.
    token_ttl_hours: int = 24
    # Requests to the registration endpoints per client IP.
    requests_per_ip: str = "30/minute"


@dataclass(frozen=True)
class MetricsSettings:
    """`/metrics`, for Prometheus."""

    enabled: bool = True
    # When set, a scrape must send `Authorization: Bearer <token>` (401 without, 403 wrong).
    # Empty: anyone who reaches /metrics reads it (keep it off the public network then).
    token: str = ""


@dataclass(frozen=True)
class LoggingSettings:
    # "json": one JSON object a line (production); "plain": text for a terminal (development).
    format: str = "json"
    level: str = "INFO"
    # One line per request (method, route, status, duration, request id, client IP).
    access: bool = True
    # Also a line for each successful fetch of discovery and the JWKS: public documents, the
    # same for everyone and fetched over and over, so counted in the metrics but not logged.
    access_documents: bool = False


@dataclass(frozen=True)
class Settings:
    server: ServerSettings = field(default_factory=ServerSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    keys: KeysSettings = field(default_factory=KeysSettings)
    tokens: TokensSettings = field(default_factory=TokensSettings)
    session: SessionSettings = field(default_factory=SessionSettings)
    admin: AdminSettings = field(default_factory=AdminSettings)
    ratelimit: RatelimitSettings = field(default_factory=RatelimitSettings)
    login: LoginSettings = field(default_factory=LoginSettings)
    captcha: CaptchaSettings = field(default_factory=CaptchaSettings)
    lockout: LockoutSettings = field(default_factory=LockoutSettings)
    invite: InviteSettings = field(default_factory=InviteSettings)
    contacts: ContactsSettings = field(default_factory=ContactsSettings)
    recovery: RecoverySettings = field(default_factory=RecoverySettings)
    registration: RegistrationSettings = field(default_factory=RegistrationSettings)
    organisations: OrganisationsSettings = field(default_factory=OrganisationsSettings)
    branding: BrandingSettings = field(default_factory=BrandingSettings)
    password: PasswordSettings = field(default_factory=PasswordSettings)
    mail: MailSettings = field(default_factory=MailSettings)
    sms: SmsSettings = field(default_factory=SmsSettings)
    postal: PostalSettings = field(default_factory=PostalSettings)
    deliveries: DeliveriesSettings = field(default_factory=DeliveriesSettings)
    federation: FederationSettings = field(default_factory=FederationSettings)
    client_registration: ClientRegistrationSettings = field(
        default_factory=ClientRegistrationSettings
    )
    metrics: MetricsSettings = field(default_factory=MetricsSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    # Folder the relative paths above are resolved against (the config file's folder).
    base_dir: Path = field(default_factory=Path.cwd)

    @property
    def issuer(self) -> str:
        return self.server.issuer.rstrip("/")

    @property
    def is_https(self) -> bool:
        return self.issuer.startswith("https://")

    @property
    def trusted_hosts(self) -> tuple[str, ...]:
        """The Host values answered (ports aside): absolute URLs never come from the request,
        and a Host outside this list is refused before it reaches any URL or cookie."""
        issuer_host = urlsplit(self.issuer).hostname or ""
        hosts = [issuer_host, *self.server.trusted_hosts.split()]
        if self.server.development or is_loopback(issuer_host):
            hosts += LOOPBACK_HOSTS
        return tuple(dict.fromkeys(host.lower() for host in hosts))

    def path(self, value: str) -> Path:
        """Resolve a configured path against the configuration's folder."""
        candidate = Path(value)
        return candidate if candidate.is_absolute() else self.base_dir / candidate

    @property
    def instance_path(self) -> Path:
        return self.path(self.server.instance_dir)

    @property
    def database_url(self) -> str:
        if self.database.url:
            return self.database.url
        return f"sqlite:///{self.instance_path / 'idp.sqlite3'}"

    @property
    def longest_token_ttl_seconds(self) -> int:
        """Lifetime of the longest-lived signed artefact (ID tokens, service tokens), for key
        retirement; user access tokens are opaque, but count too: they travel with an ID token."""
        t = self.tokens
        return max(
            t.id_token_ttl_seconds, t.access_token_ttl_seconds, t.client_credentials_ttl_seconds
        )


SECTIONS: dict[str, type] = {
    f.name: f.type if isinstance(f.type, type) else get_type_hints(Settings)[f.name]
    for f in dataclasses.fields(Settings)
    if f.name not in {"base_dir", "federation"}
}


def _coerce(section: str, key: str, value: Any, target: type) -> Any:
    name = f"[{section}] {key}"
    if target is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {"1", "true", "yes", "on"}:
            return True
        if isinstance(value, str) and value.lower() in {"0", "false", "no", "off", ""}:
            return False
        raise ConfigError(f"{name} must be true or false, not {value!r}")
    if target is int:
        if isinstance(value, bool):
            raise ConfigError(f"{name} must be an integer, not {value!r}")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{name} must be an integer, not {value!r}") from None
    if target is str:
        if not isinstance(value, str | int | float):
            raise ConfigError(f"{name} must be a string, not {value!r}")
        return str(value)
    raise ConfigError(f"{name}: unsupported type {target!r}")  # pragma: no cover


def _build_section(section: str, cls: type, values: Mapping[str, Any]) -> Any:
    hints = get_type_hints(cls)
    unknown = set(values) - set(hints)
    if unknown:
        raise ConfigError(f"unknown key(s) in [{section}]: {', '.join(sorted(unknown))}")
    return cls(**{k: _coerce(section, k, v, hints[k]) for k, v in values.items()})


def _env_overrides(environ: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """Read `IDP_<SECTION>_<KEY>` variables; an unknown section or key is an error."""
    overrides: dict[str, dict[str, str]] = {}
    for name, value in environ.items():
        if not name.startswith("IDP_") or name in {"IDP_CONFIG"} or name.startswith("IDP_TEST_"):
            continue
        rest = name[4:].lower()
        section = next((s for s in SECTIONS if rest.startswith(s + "_")), None)
        if section is None:
            raise ConfigError(f"environment variable {name} names no configuration section")
        overrides.setdefault(section, {})[rest[len(section) + 1 :]] = value
    return overrides


def _build_federation(values: Mapping[str, Any]) -> FederationSettings:
    """`[[federation.providers]]`: an array of tables, each checked like a section."""
    unknown = set(values) - {"providers"}
    if unknown:
        raise ConfigError(f"unknown key(s) in [federation]: {', '.join(sorted(unknown))}")
    tables = values.get("providers", [])
    if not isinstance(tables, list) or not all(isinstance(t, Mapping) for t in tables):
        raise ConfigError(
            "[federation] providers must be an array of tables ([[federation.providers]])"
        )
    hints = get_type_hints(FederationProvider)
    providers = []
    for index, table in enumerate(tables):
        section = f"federation.providers #{index + 1}"
        unknown = set(table) - set(hints)
        if unknown:
            raise ConfigError(f"unknown key(s) in [{section}]: {', '.join(sorted(unknown))}")
        for required in ("name", "label", "discovery_url", "client_id"):
            if not table.get(required):
                raise ConfigError(f"[{section}] {required} is required")
        table = dict(table)
        if isinstance(table.get("scopes"), list):
            table["scopes"] = " ".join(str(scope) for scope in table["scopes"])
        kwargs = {k: _coerce(section, k, v, hints[k]) for k, v in table.items()}
        if kwargs.get("kind") == "franceconnect":
            if kwargs.get("pkce"):
                raise ConfigError(
                    f"[{section}] pkce must be false: FranceConnect refuses code_challenge"
                )
            kwargs["pkce"] = False
        providers.append(FederationProvider(**kwargs))
    return FederationSettings(tuple(providers))


def load_settings(
    path: str | os.PathLike[str] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Build settings from a TOML file (or `IDP_CONFIG`), then env, then explicit overrides."""
    environ = os.environ if environ is None else environ
    path = path or environ.get("IDP_CONFIG") or None
    data: dict[str, dict[str, Any]] = {}
    base_dir = Path.cwd()
    if path:
        file = Path(path)
        try:
            with file.open("rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError:
            raise ConfigError(f"configuration file not found: {file}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{file}: {exc}") from None
        base_dir = file.resolve().parent
    unknown = set(data) - set(SECTIONS) - {"federation"}
    if unknown:
        raise ConfigError(f"unknown section(s): {', '.join(sorted(unknown))}")
    merged: dict[str, dict[str, Any]] = {s: dict(data.get(s, {})) for s in SECTIONS}
    federation = dict(data.get("federation", {}))
    for layer in (_env_overrides(environ), overrides or {}):
        for section, values in layer.items():
            if section == "federation":
                federation.update(values)
                continue
            if section not in SECTIONS:
                raise ConfigError(f"unknown section: {section}")
            merged[section].update(values)
    sections = {s: _build_section(s, SECTIONS[s], merged[s]) for s in SECTIONS}
    settings = Settings(**sections, federation=_build_federation(federation), base_dir=base_dir)
    validate(settings)
    return settings


def validate(settings: Settings) -> None:
    """Refuse settings that would run insecurely or not at all."""
    issuer = settings.issuer
    if not issuer.startswith(("https://", "http://")):
        raise ConfigError("[server] issuer must be an http(s) URL")
    if "?" in issuer or "#" in issuer:
        raise ConfigError("[server] issuer must not have a query or fragment")
    for host in (urlsplit(issuer).hostname or "", *settings.server.trusted_hosts.split()):
        if not _valid_host(host):
            raise ConfigError(f"[server] {host!r} is not a host name (issuer, trusted_hosts)")
    for name in ("secret_key", "hash_key"):
        value = getattr(settings.server, name)
        if settings.is_https and value in PLACEHOLDER_SECRETS - {""}:
            raise ConfigError(f"[server] {name} is a placeholder: set a random value")
    if settings.is_https and settings.server.development:
        raise ConfigError("[server] development pages cannot be enabled on an https issuer")
    manual = settings.branding.manual_url
    site_path = manual.startswith("/") and not manual.startswith("//")
    if manual and not manual.startswith(("https://", "http://")) and not site_path:
        raise ConfigError("[branding] manual_url must be an http(s) URL or a path of this site")
    if settings.database.ping_after_idle_seconds < 0:
        raise ConfigError("[database] ping_after_idle_seconds must not be negative")
    if settings.keys.default_alg not in {"RS256", "ES256"}:
        raise ConfigError("[keys] default_alg must be RS256 or ES256")
    if settings.keys.rsa_bits < 2048:
        raise ConfigError("[keys] rsa_bits must be at least 2048")
    for name, value in dataclasses.asdict(settings.tokens).items():
        if value <= 0:
            raise ConfigError(f"[tokens] {name} must be positive")
    if settings.login.identifier not in LOGIN_IDENTIFIERS:
        raise ConfigError(f"[login] identifier must be one of {', '.join(LOGIN_IDENTIFIERS)}")
    if settings.captcha.mode not in {"always", "after_failures", "never"}:
        raise ConfigError('[captcha] mode must be "always", "after_failures" or "never"')
    if settings.captcha.kind not in {"image", "arithmetic"}:
        raise ConfigError('[captcha] kind must be "image" or "arithmetic"')
    if not 4 <= settings.captcha.length <= 10:
        raise ConfigError("[captcha] length must be between 4 and 10")
    if settings.password.policy not in PASSWORD_POLICIES:
        raise ConfigError(f"[password] policy must be one of {', '.join(PASSWORD_POLICIES)}")
    if settings.password.policy == "pin-6" and (
        settings.lockout.max_attempts > PIN_MAX_ATTEMPTS
        or settings.lockout.daily_max_failures > PIN_DAILY_MAX_FAILURES
    ):
        raise ConfigError(
            f'[password] policy "pin-6" needs [lockout] max_attempts <= {PIN_MAX_ATTEMPTS} and '
            f"daily_max_failures <= {PIN_DAILY_MAX_FAILURES}: six digits are 20 bits (a million "
            "combinations), which only a strict lockout keeps from being guessed"
        )
    if settings.password.max_length < 64:
        raise ConfigError("[password] max_length must be at least 64 (NIST 800-63B)")
    if not 1 <= settings.password.min_length <= settings.password.max_length:
        raise ConfigError("[password] min_length must be between 1 and max_length")
    if not 4 <= settings.contacts.email_code_digits <= 8:
        raise ConfigError("[contacts] email_code_digits must be between 4 and 8")
    unknown_paths = set(settings.recovery.order.split()) - set(RECOVERY_PATHS)
    if unknown_paths or not settings.recovery.order.split():
        raise ConfigError(f"[recovery] order: choose among {', '.join(RECOVERY_PATHS)}")
    if settings.recovery.after_code not in {"temporary_password", "set_password", "link"}:
        raise ConfigError(
            '[recovery] after_code must be "temporary_password", "set_password" or "link"'
        )
    if not 4 <= settings.recovery.code_digits <= 8:
        raise ConfigError("[recovery] code_digits must be between 4 and 8")
    _validate_rate_limits(settings)
    _validate_workers(settings)
    recovery = settings.recovery
    if recovery.identifier_alert_nirs < 1 or recovery.identifier_alert_minutes < 1:
        raise ConfigError(
            "[recovery] identifier_alert_nirs and identifier_alert_minutes must be positive"
        )
    if settings.registration.identifier not in {"chosen", "given"}:
        raise ConfigError('[registration] identifier must be "chosen" or "given"')
    if settings.registration.pending_minutes < 1:
        raise ConfigError("[registration] pending_minutes must be positive")
    if settings.invite.link_hours < 1:
        raise ConfigError("[invite] link_hours must be positive")
    admin = settings.admin
    if min(admin.idle_minutes, admin.reauth_minutes, admin.absolute_hours) < 1:
        raise ConfigError(
            "[admin] idle_minutes, reauth_minutes and absolute_hours must be positive"
        )
    if admin.cookie_name == settings.session.cookie_name:
        raise ConfigError("[admin] cookie_name must differ from [session] cookie_name")
    organisations = settings.organisations
    if not organisations.type_list:
        raise ConfigError("[organisations] types must name at least one organisation type")
    if organisations.reauthenticate_minutes < 1 or organisations.page_size < 1:
        raise ConfigError("[organisations] reauthenticate_minutes and page_size must be positive")
    if settings.lockout.growth not in {"fixed", "double"}:
        raise ConfigError('[lockout] growth must be "fixed" or "double"')
    if settings.lockout.max_attempts < 1 or settings.lockout.lock_minutes < 1:
        raise ConfigError("[lockout] max_attempts and lock_minutes must be positive")
    if settings.tokens.authorization_code_ttl_seconds > 600:
        raise ConfigError("[tokens] authorization_code_ttl_seconds must be at most 600")
    d = settings.deliveries
    if min(d.poll_seconds, d.max_attempts, d.backoff_seconds, d.retention_days) < 1:
        raise ConfigError(
            "[deliveries] poll_seconds, max_attempts, backoff_seconds and retention_days "
            "must be positive"
        )
    if d.backoff_max_seconds < d.backoff_seconds or d.purge_minutes < 0:
        raise ConfigError(
            "[deliveries] backoff_max_seconds must be at least backoff_seconds, "
            "purge_minutes 0 or more"
        )
    _validate_mail(settings)
    _validate_sms(settings)
    _validate_postal(settings)
    _validate_federation(settings)
    _validate_client_registration(settings)
    _validate_observability(settings)


def _validate_observability(settings: Settings) -> None:
    if settings.logging.format not in LOG_FORMATS:
        raise ConfigError('[logging] format must be "json" or "plain"')
    if settings.logging.level.upper() not in LOG_LEVELS:
        raise ConfigError(f"[logging] level must be one of {', '.join(LOG_LEVELS)}")
    if settings.is_https and settings.metrics.token in PLACEHOLDER_SECRETS - {""}:
        raise ConfigError("[metrics] token is a placeholder: set a random value")


def _validate_rate_limits(settings: Settings) -> None:
    """Every `*_per_*` limit parses ("20/minute", "10 per hour"): a typo fails at start."""
    from limits import parse_many

    for name, value in dataclasses.asdict(settings.ratelimit).items():
        if "_per_" not in name:
            continue
        try:
            parse_many(value)
        except ValueError:
            raise ConfigError(f'[ratelimit] {name} must be a limit such as "20/minute"') from None


def _validate_workers(settings: Settings) -> None:
    """In-memory rate limits are per process: with several workers each would count alone and
    an attacker would get `workers` times the sign-in attempts. Tolerated on http (development)."""
    server = settings.server
    if server.workers < 1 or server.threads < 1:
        raise ConfigError("[server] workers and threads must be at least 1")
    if (
        server.workers > 1
        and settings.is_https
        and settings.ratelimit.storage_uri.startswith("memory://")
    ):
        raise ConfigError(
            f'[ratelimit] storage_uri = "memory://" with [server] workers = {server.workers}: '
            "each worker would keep its own counts, so the limits would not be shared; "
            'use a shared storage such as "redis://HOST:6379" or one worker'
        )


def _validate_mail(settings: Settings) -> None:
    mail = settings.mail
    if mail.backend not in {"outbox", "smtp"}:
        raise ConfigError('[mail] backend must be "outbox" or "smtp"')
    if mail.security not in {"starttls", "tls", "none"}:
        raise ConfigError('[mail] security must be "starttls", "tls" or "none"')
    if mail.backend == "smtp" and not mail.host:
        raise ConfigError('[mail] host is required with backend = "smtp"')
    if not 1 <= mail.port <= 65535:
        raise ConfigError("[mail] port must be between 1 and 65535")
    if mail.timeout_seconds <= 0:
        raise ConfigError("[mail] timeout_seconds must be positive")
    if "@" not in parseaddr(mail.sender)[1] or any(c in mail.sender for c in "\r\n"):
        raise ConfigError('[mail] sender must be an address, e.g. "Name <no-reply@example.org>"')
    if mail.security == "none" and (mail.username or mail.password) and settings.is_https:
        raise ConfigError('[mail] security = "none" would send the credentials in clear')


def _valid_host(host: str) -> bool:
    """A name that can be a Host header: each label 1 to 63 characters (IDNA)."""
    if not HOST_NAME.fullmatch(host):
        return False
    try:
        host.lstrip(".").encode("idna")
    except UnicodeError:
        return False
    return True


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine (localhost, 127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def sms_body_placeholders(body: str) -> set[str]:
    """The `{name}` placeholders in the strings of `[sms] body`; ConfigError if it is not JSON."""
    try:
        document = json.loads(body)
    except ValueError:
        raise ConfigError(
            '[sms] body must be JSON, e.g. \'{"to": "{to}", "text": "{text}"}\''
        ) from None
    if not isinstance(document, dict | list):
        raise ConfigError("[sms] body must be a JSON object or array")
    found: set[str] = set()
    stack: list[Any] = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            found.update(re.findall(r"\{([A-Za-z_]+)\}", node))
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            stack.extend(node.values())
    return found


def _validate_sms(settings: Settings) -> None:
    sms = settings.sms
    if sms.backend not in {"outbox", "http"}:
        raise ConfigError('[sms] backend must be "outbox" or "http"')
    if sms.auth not in {"none", "bearer", "basic"}:
        raise ConfigError('[sms] auth must be "none", "bearer" or "basic"')
    if sms.auth == "bearer" and not sms.token:
        raise ConfigError('[sms] token is required with auth = "bearer"')
    if sms.auth == "basic" and not (sms.username and sms.password):
        raise ConfigError('[sms] username and password are required with auth = "basic"')
    if sms.timeout_seconds <= 0:
        raise ConfigError("[sms] timeout_seconds must be positive")
    if sms.sender and not re.fullmatch(
        r"(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}|\+?[0-9]{3,15}", sms.sender
    ):
        raise ConfigError("[sms] sender must be at most 11 letters and digits, or a number")
    placeholders = sms_body_placeholders(sms.body)
    if unknown := placeholders - set(SMS_BODY_PLACEHOLDERS):
        raise ConfigError(f"[sms] body: unknown placeholder(s) {', '.join(sorted(unknown))}")
    if not {"to", "text"} <= placeholders:
        raise ConfigError("[sms] body must hold the {to} and {text} placeholders")
    if sms.backend == "http":
        if not sms.url:
            raise ConfigError('[sms] url is required with backend = "http"')
        parts = urlsplit(sms.url)
        try:
            parts.port  # noqa: B018 (raises on a port that is not a number)
        except ValueError:
            raise ConfigError("[sms] url must be an https URL") from None
        if parts.scheme not in {"https", "http"} or not parts.hostname:
            raise ConfigError("[sms] url must be an https URL")
        if parts.username is not None or parts.password is not None:
            raise ConfigError("[sms] url must not hold credentials: use auth")
        if parts.scheme == "http" and not is_loopback(parts.hostname):
            if sms.auth != "none":
                raise ConfigError("[sms] refusing to send credentials over plain http")
            raise ConfigError("[sms] url must be https (http only to a loopback address)")


def postal_place(settings: Settings) -> str:
    """`[postal] place`, or the town of the sender address's last line ("75002 Paris")."""
    if settings.postal.place:
        return settings.postal.place
    last = settings.postal.sender_address.strip().splitlines()[-1]
    town = re.sub(r"^\s*(?:F-)?\d{4,5}\s+", "", last)
    return re.sub(r"\s+CEDEX(?:\s+\d+)?\s*$", "", town, flags=re.IGNORECASE).strip()


def _validate_postal(settings: Settings) -> None:
    postal = settings.postal
    lines = postal.sender_address.strip().splitlines()
    if not 2 <= len(lines) <= 6 or any(not 1 <= len(line.strip()) <= 38 for line in lines):
        raise ConfigError(
            "[postal] sender_address must be 2 to 6 lines of at most 38 characters (NF Z10-011)"
        )
    place = postal_place(settings)
    if not any(c.isalpha() for c in place) or any(c in place for c in "\r\n"):
        raise ConfigError('[postal] place: one line naming the town, e.g. "Paris"')
    if len(postal.signature.splitlines()) > 3:
        raise ConfigError("[postal] signature must be at most 3 lines")
    try:
        ZoneInfo(postal.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"[postal] timezone: unknown time zone {postal.timezone!r}") from None


def _validate_federation(settings: Settings) -> None:
    seen: set[str] = set()
    for provider in settings.federation.providers:
        section = f"[federation.providers {provider.name!r}]"
        if not PROVIDER_NAME.fullmatch(provider.name):
            raise ConfigError(
                f"{section} name must be 1 to 32 lower-case letters, digits, '-' or '_'"
            )
        if provider.name in seen:
            raise ConfigError(f"{section} name is used by another provider")
        seen.add(provider.name)
        if provider.kind not in FEDERATION_KINDS:
            raise ConfigError(f'{section} kind must be "franceconnect" or "oidc"')
        if provider.button not in ("", "franceconnect", "plain"):
            raise ConfigError(f'{section} button must be "franceconnect" or "plain"')
        if provider.link_policy not in LINK_POLICIES:
            raise ConfigError(f'{section} link_policy must be "confirm" or "pivot_identity"')
        url = urlsplit(provider.discovery_url)
        if url.scheme != "https" and not (url.scheme == "http" and is_loopback(url.hostname or "")):
            raise ConfigError(f"{section} discovery_url must be https (http only on loopback)")
        ways = [provider.client_secret, provider.client_secret_file, provider.private_key_file]
        if sum(bool(way) for way in ways) != 1:
            raise ConfigError(
                f"{section} set one of client_secret, client_secret_file and private_key_file"
            )
        for name in ("client_secret_file", "private_key_file"):
            value = getattr(provider, name)
            if value and not settings.path(value).is_file():
                raise ConfigError(f"{section} {name} not found")
        if provider.claims and not _is_claims_request(provider.claims):
            raise ConfigError(
                f'{section} claims must be a JSON object with "id_token" and/or "userinfo"'
            )
        if "openid" not in provider.scopes.split():
            raise ConfigError(f'{section} scopes must include "openid"')


def _validate_client_registration(settings: Settings) -> None:
    """Registered clients get at most ordinary scopes, and `openid` to sign anyone in."""
    from limits import parse_many

    # Imported here: the scope list belongs to the client rules, which need the app's models.
    from idp.services.clients import SUPPORTED_SCOPES

    registration = settings.client_registration
    scopes = registration.allowed_scopes.split()
    if "openid" not in scopes or not set(scopes) <= set(SUPPORTED_SCOPES):
        raise ConfigError(
            f"[client_registration] allowed_scopes must hold openid and only supported scopes "
            f"({', '.join(SUPPORTED_SCOPES)})"
        )
    if registration.token_ttl_hours < 1:
        raise ConfigError("[client_registration] token_ttl_hours must be positive")
    try:
        parse_many(registration.requests_per_ip)
    except ValueError:
        raise ConfigError(
            '[client_registration] requests_per_ip must be a limit such as "30/minute"'
        ) from None


def _is_claims_request(text: str) -> bool:
    try:
        value = json.loads(text)
    except ValueError:
        return False
    return (
        isinstance(value, dict)
        and bool(value)
        and set(value) <= {"id_token", "userinfo"}
        and all(isinstance(v, dict) for v in value.values())
    )


def resolve_secret(settings: Settings, name: str) -> str:
    """Return `[server] <name>`, or the value kept in the instance folder (made once)."""
    configured = getattr(settings.server, name)
    if configured:
        return configured
    file = settings.instance_path / name
    if not file.exists():
        file.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker made it first
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
    value = file.read_text().strip()
    if not value:
        raise ConfigError(f"{file} is empty: remove it and run `idp init` again")
    return value
