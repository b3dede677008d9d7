"""Sign-in through an upstream OpenID provider: a strict relying party (FranceConnect v2 first).

No Flask here: the view keeps the `Flight` (state, nonce, PKCE verifier) in the signed
session cookie, bound to the browser, and hands it back with the callback's parameters. Every
check of OpenID Connect Core §3.1.3.7 and RFC 9207 is made; every failure is a `Refused` with
a message key, so the page says what happened and nothing is half done.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import JWKRegistry, KeySet

from idp.config import FederationProvider, Settings
from idp.services.hashing import hashes_equal

FLIGHT_SECONDS = 600
# (connect, read): FranceConnect's grant lives 30 seconds, a stuck provider must not hold us.
TIMEOUT = (3.0, 5.0)
CACHE_SECONDS = 300
LEEWAY_SECONDS = 60
ALGORITHMS = ("ES256", "RS256")
# FranceConnect's levels (eIDAS), weakest first; other providers' values compare as equal.
EIDAS_LEVELS = ("eidas1", "eidas2", "eidas3")
FRANCECONNECT_AMR = "fc"
# What is kept of UserInfo: FranceConnect's pivot identity and the e-mail address (the rest is
# not needed to link or create an account, so it is not held, even in the cookie).
PIVOT_CLAIMS = (
    "given_name",
    "family_name",
    "birthdate",
    "gender",
    "birthplace",
    "birthcountry",
    "email",
)


class Refused(Exception):
    """The upstream sign-in did not succeed; `key` names the message shown."""

    def __init__(self, key: str, detail: str = "") -> None:
        super().__init__(f"{key}: {detail}" if detail else key)
        self.key = key


@dataclass(frozen=True)
class Flight:
    """What a sign-in started here must find again at the callback (kept in the cookie)."""

    provider: str
    state: str
    nonce: str
    verifier: str | None
    expires_at: int
    ref: str | None = None

    @classmethod
    def from_dict(cls, value: object) -> Flight | None:
        try:
            return cls(**value) if isinstance(value, dict) else None
        except TypeError:
            return None


@dataclass(frozen=True)
class UpstreamIdentity:
    """Who the provider vouched for, and how they signed in there."""

    provider: str
    subject: str
    acr: str | None
    amr: tuple[str, ...]
    id_token: str
    claims: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Cached:
    value: dict[str, Any]
    until: float


_cache: dict[str, _Cached] = {}
_cache_lock = threading.Lock()


def _get_json(url: str) -> dict[str, Any]:
    """A provider's JSON document (discovery, JWKS), cached for a few minutes per worker."""
    import requests  # here and below: ~5 MiB per worker, held only by those that federate

    with _cache_lock:
        hit = _cache.get(url)
        if hit is not None and hit.until > time.monotonic():
            return hit.value
    try:
        response = requests.get(url, timeout=TIMEOUT)
        response.raise_for_status()
        value = response.json()
    except requests.Timeout:
        raise Refused("federation.timeout", url) from None
    except (requests.RequestException, ValueError) as exc:
        raise Refused("federation.provider_error", f"{url}: {exc}") from None
    if not isinstance(value, dict):
        raise Refused("federation.provider_error", f"{url}: not a JSON object")
    with _cache_lock:
        _cache[url] = _Cached(value, time.monotonic() + CACHE_SECONDS)
    return value


def forget_cache() -> None:
    """Drop cached documents (a provider rotated its keys; tests start afresh)."""
    with _cache_lock:
        _cache.clear()


def metadata(provider: FederationProvider) -> dict[str, Any]:
    document = _get_json(provider.discovery_url)
    for name in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(document.get(name), str):
            raise Refused("federation.provider_error", f"discovery lacks {name}")
    return document


ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@dataclass(frozen=True)
class ClientAuth:
    """How we authenticate at the provider's token endpoint: a secret (basic, or post when
    that is all it offers), or a private_key_jwt assertion (RFC 7523) signed with our key."""

    client_id: str
    secret: str | None = None
    private_key: Any = field(default=None, repr=False)

    def token_request(
        self, data: dict[str, str], *, token_endpoint: str, methods: list[str], now: int
    ) -> tuple[dict[str, str], tuple[str, str] | None]:
        """The form and the HTTP basic credentials of a token request."""
        if self.private_key is not None:
            alg = "ES256" if self.private_key.key_type == "EC" else "RS256"
            claims = {
                "iss": self.client_id,
                "sub": self.client_id,
                "aud": token_endpoint,
                "jti": secrets.token_urlsafe(16),
                "iat": now,
                "exp": now + 60,
            }
            header = (
                {"alg": alg, "kid": self.private_key.kid} if self.private_key.kid else {"alg": alg}
            )
            assertion = jwt.encode(header, claims, self.private_key)
            return {
                **data,
                "client_id": self.client_id,
                "client_assertion_type": ASSERTION_TYPE,
                "client_assertion": assertion,
            }, None
        assert self.secret is not None
        if "client_secret_basic" in methods:
            return data, (self.client_id, self.secret)
        return {**data, "client_id": self.client_id, "client_secret": self.secret}, None


def client_auth(settings: Settings, provider: FederationProvider) -> ClientAuth:
    if provider.private_key_file:
        text = settings.path(provider.private_key_file).read_text()
        return ClientAuth(provider.client_id, private_key=JWKRegistry.import_key(json.loads(text)))
    if provider.client_secret:
        return ClientAuth(provider.client_id, secret=provider.client_secret)
    secret = settings.path(provider.client_secret_file).read_text().strip()
    return ClientAuth(provider.client_id, secret=secret)


def begin(
    provider: FederationProvider,
    *,
    redirect_uri: str,
    now: int,
    ref: str | None,
) -> tuple[str, Flight]:
    """The provider's authorization URL and the flight to keep until the callback."""
    meta = metadata(provider)
    flight = Flight(
        provider=provider.name,
        state=secrets.token_urlsafe(32),  # 256 bits
        nonce=secrets.token_urlsafe(32),  # 43 characters (FranceConnect asks for 22 at least)
        verifier=secrets.token_urlsafe(48) if provider.pkce else None,
        expires_at=now + FLIGHT_SECONDS,
        ref=ref,
    )
    params = {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": redirect_uri,
        "scope": provider.scopes,
        "state": flight.state,
        "nonce": flight.nonce,
    }
    if provider.acr_values:
        params["acr_values"] = provider.acr_values
    if provider.claims:
        params["claims"] = json.dumps(json.loads(provider.claims), separators=(",", ":"))
    if provider.kind == "franceconnect":
        params["prompt"] = "login consent"
    if flight.verifier:
        params["code_challenge"] = create_s256_code_challenge(flight.verifier)
        params["code_challenge_method"] = "S256"
    return f"{meta['authorization_endpoint']}?{urlencode(params)}", flight


def check_flight(flight: Flight | None, params: dict[str, str], *, now: int) -> Flight:
    """The callback answers the flight this browser started (the flight lives in its signed
    cookie, so no other browser has it), once, within ten minutes."""
    if flight is None:
        raise Refused("federation.replayed")
    state = params.get("state", "")
    if not state or not hashes_equal(state, flight.state) or flight.expires_at <= now:
        raise Refused("federation.state")
    return flight


def finish(
    provider: FederationProvider,
    flight: Flight,
    params: dict[str, str],
    *,
    redirect_uri: str,
    auth: ClientAuth,
    now: int,
) -> UpstreamIdentity:
    """Check the callback, exchange the code, verify the ID token and fetch UserInfo."""
    meta = metadata(provider)
    issuer = meta["issuer"]
    if "iss" in params:
        if params["iss"] != issuer:
            raise Refused("federation.invalid_response", "iss (RFC 9207)")
    elif meta.get("authorization_response_iss_parameter_supported"):
        raise Refused("federation.invalid_response", "iss missing (RFC 9207)")
    error = params.get("error")
    if error in {"access_denied", "login_required"}:
        raise Refused(f"federation.{error}")
    if error or not params.get("code"):
        raise Refused("federation.provider_error", error or "no code")
    tokens = _exchange(meta, params["code"], flight, redirect_uri, auth, now=now)
    id_token = tokens.get("id_token")
    access_token = tokens.get("access_token")
    if not isinstance(id_token, str) or not isinstance(access_token, str):
        raise Refused("federation.provider_error", "no id_token or access_token")
    keys = _keys(meta, id_token)
    claims = _verify(id_token, keys, issuer=issuer, client_id=provider.client_id, now=now)
    if not hashes_equal(str(claims.get("nonce", "")), flight.nonce):
        raise Refused("federation.invalid_token", "nonce")
    acr = claims.get("acr")
    if not acr_satisfies(acr, provider.acr_values):
        raise Refused("federation.acr_too_low", str(acr))
    info = _userinfo(meta, access_token, keys, issuer=issuer, client_id=provider.client_id, now=now)
    if info.get("sub") != claims["sub"]:
        raise Refused("federation.invalid_token", "UserInfo sub")
    amr = [str(v) for v in claims.get("amr", []) if isinstance(v, str)]
    if provider.kind == "franceconnect":
        amr = [FRANCECONNECT_AMR, *(v for v in amr if v != FRANCECONNECT_AMR)]
    return UpstreamIdentity(
        provider=provider.name,
        subject=str(claims["sub"]),
        acr=acr if isinstance(acr, str) else None,
        amr=tuple(amr),
        id_token=id_token,
        claims={k: info[k] for k in PIVOT_CLAIMS if k in info},
    )


def acr_satisfies(acr: object, asked: str) -> bool:
    """At least the level asked: eIDAS levels are ordered; other values must be one asked."""
    wanted = asked.split()
    if not wanted:
        return True
    if not isinstance(acr, str):
        return False
    if acr in EIDAS_LEVELS and all(w in EIDAS_LEVELS for w in wanted):
        return EIDAS_LEVELS.index(acr) >= min(EIDAS_LEVELS.index(w) for w in wanted)
    return acr in wanted


def _exchange(
    meta: dict[str, Any],
    code: str,
    flight: Flight,
    redirect_uri: str,
    auth: ClientAuth,
    *,
    now: int,
) -> dict[str, Any]:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if flight.verifier:
        data["code_verifier"] = flight.verifier
    methods = meta.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    data, basic = auth.token_request(
        data, token_endpoint=meta["token_endpoint"], methods=methods, now=now
    )
    import requests

    try:
        response = requests.post(meta["token_endpoint"], data=data, auth=basic, timeout=TIMEOUT)
        body = response.json()
    except requests.Timeout:
        raise Refused("federation.timeout", "token endpoint") from None
    except (requests.RequestException, ValueError) as exc:
        raise Refused("federation.provider_error", f"token endpoint: {exc}") from None
    if response.status_code != 200 or not isinstance(body, dict):
        raise Refused("federation.provider_error", f"token endpoint: {response.status_code}")
    return body


def _keys(meta: dict[str, Any], token: str) -> KeySet:
    """The provider's keys, fetched again once when `token` names a key they lack (the
    provider rotated its keys since they were cached)."""
    url = meta["jwks_uri"]
    keys = _import_keys(_get_json(url))
    try:
        kid = jws.extract_compact(token.encode()).protected.get("kid")
    except (JoseError, ValueError, TypeError):
        return keys  # not a JWS: the verification says so
    if kid and all(key.kid != kid for key in keys.keys):
        with _cache_lock:
            _cache.pop(url, None)
        keys = _import_keys(_get_json(url))
    return keys


def _import_keys(document: dict[str, Any]) -> KeySet:
    try:
        return KeySet.import_key_set(document)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise Refused("federation.provider_error", f"JWKS: {exc}") from None


def _verify(token: str, keys: KeySet, *, issuer: str, client_id: str, now: int) -> dict[str, Any]:
    """A JWT from the provider: signature by its JWKS (ES256, RS256), `iss`, `aud`, `azp`,
    `exp`, `iat`."""
    try:
        claims = jwt.decode(token, keys, algorithms=list(ALGORITHMS)).claims
    except (JoseError, ValueError, TypeError) as exc:
        raise Refused("federation.invalid_token", f"signature: {exc}") from None
    if not _from_to(claims, issuer=issuer, client_id=client_id):
        raise Refused("federation.invalid_token", "iss or aud")
    if "azp" in claims and claims["azp"] != client_id:
        raise Refused("federation.invalid_token", "azp")
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int) or not isinstance(iat, int):
        raise Refused("federation.invalid_token", "exp or iat missing")
    if exp <= now - LEEWAY_SECONDS or iat > now + LEEWAY_SECONDS:
        raise Refused("federation.invalid_token", "expired or issued in the future")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise Refused("federation.invalid_token", "sub")
    return claims


def _from_to(claims: dict[str, Any], *, issuer: str, client_id: str) -> bool:
    """The token was issued by the provider, for us among its audiences."""
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    return claims.get("iss") == issuer and client_id in audiences


def _userinfo(
    meta: dict[str, Any], access_token: str, keys: KeySet, *, issuer: str, client_id: str, now: int
) -> dict[str, Any]:
    """UserInfo at once (FranceConnect's grant is short): a signed JWT (verified like the ID
    token) or JSON."""
    endpoint = meta.get("userinfo_endpoint")
    if not isinstance(endpoint, str):
        raise Refused("federation.provider_error", "no userinfo_endpoint")
    import requests

    try:
        response = requests.get(
            endpoint, headers={"Authorization": f"Bearer {access_token}"}, timeout=TIMEOUT
        )
    except requests.Timeout:
        raise Refused("federation.timeout", "userinfo") from None
    except requests.RequestException as exc:
        raise Refused("federation.provider_error", f"userinfo: {exc}") from None
    if response.status_code != 200:
        raise Refused("federation.provider_error", f"userinfo: {response.status_code}")
    kind = response.headers.get("Content-Type", "").split(";")[0].strip()
    if kind == "application/jwt":
        try:
            claims = jwt.decode(response.text, keys, algorithms=list(ALGORITHMS)).claims
        except (JoseError, ValueError, TypeError) as exc:
            raise Refused("federation.invalid_token", f"userinfo signature: {exc}") from None
        if claims.get("iss") != issuer or claims.get("aud") not in (client_id, [client_id]):
            raise Refused("federation.invalid_token", "userinfo iss or aud")
        return dict(claims)
    try:
        value = response.json()
    except ValueError:
        raise Refused("federation.provider_error", "userinfo: not JSON") from None
    if not isinstance(value, dict):
        raise Refused("federation.provider_error", "userinfo: not an object")
    return value


def end_session_endpoint(provider: FederationProvider) -> str | None:
    """The provider's RP-initiated logout endpoint, if it offers one."""
    try:
        endpoint = metadata(provider).get("end_session_endpoint")
    except Refused:
        return None
    return endpoint if isinstance(endpoint, str) else None


def end_session_url(
    provider: FederationProvider, id_token: str, post_logout_redirect_uri: str
) -> str | None:
    """Where to end the upstream session (None: nothing to end there)."""
    endpoint = end_session_endpoint(provider)
    if endpoint is None:
        return None
    params = {
        "id_token_hint": id_token,
        "post_logout_redirect_uri": post_logout_redirect_uri,
        "state": secrets.token_urlsafe(16),
    }
    return f"{endpoint}?{urlencode(params)}"


BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"


@dataclass(frozen=True)
class UpstreamLogout:
    """Whom the provider signed out (Back-Channel Logout 1.0 §2.4): the upstream `sub`, the
    upstream session `sid`, or both; the sessions of ours it names end."""

    subject: str | None
    sid: str | None


def verify_logout_token(provider: FederationProvider, token: str, *, now: int) -> UpstreamLogout:
    """A logout token the provider POSTed to us, validated as §2.6 asks: its signature by the
    provider's JWKS, `iss`, `aud`, `iat`, `exp` when present, `jti`, the back-channel logout
    event, never a `nonce` (so no ID token passes for one), and `sub` or `sid`. Anyone may
    POST one: an unknown `kid` does not fetch the JWKS again (the cached one expires within
    minutes, and the provider retries)."""
    meta = metadata(provider)
    keys = _import_keys(_get_json(meta["jwks_uri"]))
    try:
        claims = jwt.decode(token, keys, algorithms=list(ALGORITHMS)).claims
    except (JoseError, ValueError, TypeError) as exc:
        raise Refused("federation.logout_token", f"signature: {exc}") from None
    if not _from_to(claims, issuer=meta["issuer"], client_id=provider.client_id):
        raise Refused("federation.logout_token", "iss or aud")
    iat, exp = claims.get("iat"), claims.get("exp")
    if not isinstance(iat, int) or iat > now + LEEWAY_SECONDS:
        raise Refused("federation.logout_token", "iat")
    if exp is not None and (not isinstance(exp, int) or exp <= now - LEEWAY_SECONDS):
        raise Refused("federation.logout_token", "exp")
    events = claims.get("events")
    if not isinstance(events, dict) or not isinstance(events.get(BACKCHANNEL_LOGOUT_EVENT), dict):
        raise Refused("federation.logout_token", "events")
    if "nonce" in claims or not isinstance(claims.get("jti"), str):
        raise Refused("federation.logout_token", "nonce or jti")
    subject, sid = claims.get("sub"), claims.get("sid")
    named = [value for value in (subject, sid) if value is not None]
    if not named or not all(isinstance(value, str) and value for value in named):
        raise Refused("federation.logout_token", "sub or sid")
    return UpstreamLogout(subject=subject, sid=sid)
