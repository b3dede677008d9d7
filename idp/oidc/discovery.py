"""Provider metadata (OpenID Connect Discovery 1.0, RFC 8414) and the JWKS document.

Both answers are serialised once: discovery when the app starts, the JWKS whenever the
key folder changes or a superseded key reaches retirement.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from idp.config import Settings
from idp.http_headers import COMMON, HSTS
from idp.i18n import SUPPORTED_LOCALES
from idp.oidc.claims import CLAIMS_SUPPORTED
from idp.oidc.client_auth import ALL_METHODS, ASSERTION_ALGORITHMS, CONFIDENTIAL_METHODS
from idp.oidc.keys import KeyStore
from idp.oidc.registration import PATH as REGISTRATION_PATH
from idp.services.clients import ID_TOKEN_ALGS, SUPPORTED_GRANT_TYPES, SUPPORTED_SCOPES

ACR_VALUES = ("eidas1",)


def metadata(settings: Settings) -> dict[str, Any]:
    issuer = settings.issuer
    document = {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "userinfo_endpoint": f"{issuer}/userinfo",
        "jwks_uri": f"{issuer}/jwks.json",
        "end_session_endpoint": f"{issuer}/logout",
        "revocation_endpoint": f"{issuer}/revoke",
        "introspection_endpoint": f"{issuer}/introspect",
        "scopes_supported": list(SUPPORTED_SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": list(SUPPORTED_GRANT_TYPES),
        "subject_types_supported": ["public", "pairwise"],
        "id_token_signing_alg_values_supported": list(ID_TOKEN_ALGS),
        "token_endpoint_auth_methods_supported": ALL_METHODS,
        "token_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGORITHMS,
        "revocation_endpoint_auth_methods_supported": ALL_METHODS,
        "revocation_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGORITHMS,
        "introspection_endpoint_auth_methods_supported": CONFIDENTIAL_METHODS,
        "introspection_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGORITHMS,
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": list(CLAIMS_SUPPORTED),
        "acr_values_supported": list(ACR_VALUES),
        "prompt_values_supported": ["none", "login", "consent"],
        "ui_locales_supported": list(SUPPORTED_LOCALES),
        "claims_parameter_supported": False,
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "require_request_uri_registration": False,
        "authorization_response_iss_parameter_supported": True,
        "frontchannel_logout_supported": False,
        # OpenID Connect Back-Channel Logout 1.0; logout tokens always carry `sid`.
        "backchannel_logout_supported": True,
        "backchannel_logout_session_supported": True,
    }
    # RFC 7591: named only when registration is on (otherwise the endpoint does not exist).
    if settings.client_registration.enabled:
        document["registration_endpoint"] = f"{issuer}{REGISTRATION_PATH}"
    return document


class JwksDocument:
    """The serialised JWKS, rebuilt only when the published key set can have changed."""

    def __init__(self, keys: KeyStore) -> None:
        self._keys = keys
        self._lock = threading.Lock()
        self._cached: tuple[object, int | None, bytes] | None = None

    def body(self, now: int) -> bytes:
        snapshot = self._keys.all()
        cached = self._cached
        if cached is not None and cached[0] is snapshot and (cached[1] is None or now < cached[1]):
            return cached[2]
        with self._lock:
            body = json.dumps(self._keys.jwks(now)).encode()
            self._cached = (snapshot, self._keys.next_change(now), body)
        return body


class PublishedDocuments:
    """WSGI middleware serving discovery and the JWKS before Flask.

    They are the most requested answers and the same for everyone: served from bytes built
    once (or when the keys change), they cost no routing, session, CSRF or limiter work.
    """

    DISCOVERY_PATHS = (
        "/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server",
    )
    JWKS_PATH = "/jwks.json"

    def __init__(self, wsgi_app: Any, settings: Settings, keys: KeyStore, clock: Any) -> None:
        self._wsgi_app = wsgi_app
        self._discovery = json.dumps(metadata(settings)).encode()
        self._jwks = JwksDocument(keys)
        self._clock = clock
        self._headers = [
            ("Content-Type", "application/json"),
            ("Access-Control-Allow-Origin", "*"),
            *COMMON,
        ]
        if settings.is_https:
            self._headers.append(("Strict-Transport-Security", HSTS))

    def _answer(self, path: str) -> tuple[bytes, int] | None:
        if path in self.DISCOVERY_PATHS:
            return self._discovery, 3600
        if path == self.JWKS_PATH:
            return self._jwks.body(self._clock.now()), 300
        return None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        method = environ.get("REQUEST_METHOD")
        found = self._answer(environ.get("PATH_INFO", "")) if method in ("GET", "HEAD") else None
        if found is None:
            return self._wsgi_app(environ, start_response)
        body, max_age = found
        start_response(
            "200 OK",
            [
                *self._headers,
                ("Cache-Control", f"public, max-age={max_age}"),
                ("Content-Length", str(len(body))),
            ],
        )
        return [b""] if method == "HEAD" else [body]
