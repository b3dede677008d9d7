"""PKCE (RFC 7636), S256 only (RFC 9700 §2.1.1); required from public clients."""

from __future__ import annotations

import pytest

from tests.support.factories import ISSUER, REDIRECT_URI
from tests.support.oidc import RelyingParty, pkce_pair, query


@pytest.fixture
def public_rp(client, factories, user, clock) -> RelyingParty:
    registered, secret = factories.client(public=True)
    assert secret is None
    return RelyingParty(client, registered.client_id, None, clock=clock)


def _refused(response, error: str) -> None:
    assert response.status_code == 400, (response.status_code, response.get_json())
    assert response.get_json()["error"] == error
    assert "access_token" not in response.get_json()


def _authorize_error(rp: RelyingParty, response, error: str) -> None:
    assert response.status_code == 302
    assert response.location.startswith(REDIRECT_URI + "?")
    params = query(response.location)
    assert params["error"] == error
    assert params["state"] == rp.state and params["iss"] == ISSUER


@pytest.mark.parametrize("which", ["confidential", "public"])
def test_wrong_verifier_is_invalid_grant(rp, public_rp, which):
    party = rp if which == "confidential" else public_rp
    code = party.obtain_code()
    other_verifier, _ = pkce_pair()
    _refused(party.exchange(code, code_verifier=other_verifier), "invalid_grant")


def test_failed_verifier_does_not_burn_the_code(public_rp):
    code = public_rp.obtain_code()
    wrong, _ = pkce_pair()
    _refused(public_rp.exchange(code, code_verifier=wrong), "invalid_grant")
    # Guessing cannot lock the legitimate client out of its own code.
    assert public_rp.exchange(code).status_code == 200


@pytest.mark.parametrize("which", ["confidential", "public"])
def test_missing_verifier_when_a_challenge_was_sent(rp, public_rp, which):
    party = rp if which == "confidential" else public_rp
    code = party.obtain_code()
    _refused(party.exchange(code, code_verifier=None), "invalid_request")


def test_verifier_without_a_challenge_is_refused(rp):
    code = rp.obtain_code(code_challenge=None, code_challenge_method=None)
    verifier, _ = pkce_pair()
    _refused(rp.exchange(code, code_verifier=verifier), "invalid_request")


def test_malformed_verifier_is_refused(rp):
    code = rp.obtain_code()
    _refused(rp.exchange(code, code_verifier="short"), "invalid_request")


def test_confidential_client_without_pkce_works(rp):
    code = rp.obtain_code(code_challenge=None, code_challenge_method=None)
    response = rp.exchange(code, code_verifier=None)
    assert response.status_code == 200
    assert response.get_json()["id_token"]


def test_public_client_without_pkce_is_refused_at_authorize(public_rp):
    response = public_rp.authorize(code_challenge=None, code_challenge_method=None)
    _authorize_error(public_rp, response, "invalid_request")


def test_public_client_with_pkce_works_without_secret(public_rp):
    body = public_rp.tokens()
    assert body["access_token"] and body["id_token"]


def test_plain_method_is_refused(rp):
    verifier, _ = pkce_pair()
    response = rp.authorize(code_challenge=verifier, code_challenge_method="plain")
    _authorize_error(rp, response, "invalid_request")


def test_missing_method_is_not_taken_as_plain(rp):
    response = rp.authorize(code_challenge_method=None)
    _authorize_error(rp, response, "invalid_request")


def test_method_without_challenge_is_refused(rp):
    response = rp.authorize(code_challenge=None)
    _authorize_error(rp, response, "invalid_request")


def test_malformed_challenge_is_refused(rp):
    response = rp.authorize(code_challenge="too-short")
    _authorize_error(rp, response, "invalid_request")


def test_unknown_method_is_refused(rp):
    response = rp.authorize(code_challenge_method="S512")
    _authorize_error(rp, response, "invalid_request")
