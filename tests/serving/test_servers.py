"""Both production servers serve the same app: a smoke subset over HTTP under each.

granian as `idp serve --production` runs it and gunicorn as the README runs it, each from a
configuration file alone, on SQLite with one worker and, where CI provides them, on
PostgreSQL + Redis with two workers (the production shape). The full relying-party life cycle
under each server is `tests/interop/test_openid_client.py`; the command's own behaviour
(workers, signals, refused settings) is `test_production_command.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from tests.support.factories import REDIRECT_URI, Factories
from tests.support.servers import SERVERS, serving

# RFC 7636 appendix B.
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


@pytest.mark.parametrize("kind", SERVERS)
def test_smoke_under_each_server(
    kind: str,
    backend: str,
    factories: Factories,
    config_for_port: Callable[[int], Path],
    tmp_path: Path,
) -> None:
    service, secret = factories.client(grant_types=("client_credentials",), redirect_uris=())
    application, _ = factories.client()
    auth = (service.client_id, secret)
    workers = 2 if backend == "postgresql" else 1
    with serving(kind, config_for_port, tmp_path / "server.log", workers=workers) as live:
        discovery = requests.get(f"{live.url}/.well-known/openid-configuration", timeout=10)
        meta = discovery.json()
        assert meta["issuer"] == live.url
        assert requests.get(meta["jwks_uri"], timeout=10).json()["keys"]

        # A service token, then its introspection (another request, maybe another worker).
        token_endpoint = meta["token_endpoint"]
        data = {"grant_type": "client_credentials"}
        token = requests.post(token_endpoint, data=data, auth=auth, timeout=10)
        assert token.status_code == 200, f"{kind}: {token.text}\n{live.log_tail()}"
        introspection = requests.post(
            meta["introspection_endpoint"],
            data={"token": token.json()["access_token"]},
            auth=auth,
            timeout=10,
        )
        assert introspection.json()["active"] is True

        # A malformed request is the client's error, in the protocol's form.
        data = {"grant_type": "no\x00such"}
        wrong = requests.post(token_endpoint, data=data, auth=auth, timeout=10)
        assert wrong.status_code == 400, f"{kind}: {wrong.text}\n{live.log_tail()}"
        assert "error" in wrong.json()

        # Through /authorize to the sign-in page, in French by default, with its form.
        authorize = requests.get(
            meta["authorization_endpoint"],
            params={
                "client_id": application.client_id,
                "response_type": "code",
                "scope": "openid",
                "redirect_uri": REDIRECT_URI,
                "state": "s",
                "nonce": "n",
                "code_challenge": CHALLENGE,
                "code_challenge_method": "S256",
            },
            timeout=10,
        )
        assert authorize.status_code == 200, f"{kind}: {authorize.text[:2000]}"
        assert authorize.history and authorize.history[0].status_code in {302, 303}
        assert 'lang="fr"' in authorize.text
        assert 'name="csrf_token"' in authorize.text

        missing = requests.get(f"{live.url}/no-such-page", timeout=10)
        assert missing.status_code == 404
        assert 'lang="fr"' in missing.text
        assert requests.get(f"{live.url}/healthz", timeout=10).status_code == 200
        assert requests.get(f"{live.url}/readyz", timeout=10).status_code == 200
