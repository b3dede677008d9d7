"""Any JSON at the registration endpoints gets a JSON answer: a client registered within
least privilege, or a 400 saying why that writes nothing; never a 500, never more than was
allowed."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.client_registration import ENDPOINT, METADATA, bearer, initial_token
from tests.support.rows import RefusalsWriteNothing, watch_refusals

FIELDS = [
    "client_name",
    "redirect_uris",
    "post_logout_redirect_uris",
    "token_endpoint_auth_method",
    "grant_types",
    "response_types",
    "scope",
    "subject_type",
    "id_token_signed_response_alg",
    "jwks",
    "backchannel_logout_uri",
    "backchannel_logout_session_required",
    "client_id",
    "client_secret",
]
TEXT = st.text(max_size=40) | st.sampled_from(["none", "code", "openid", "https://a.example/x"])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
BODIES = JSON | st.dictionaries(st.sampled_from(FIELDS), JSON).map(lambda d: {**METADATA, **d})
EXAMPLES = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def settings_overrides() -> dict[str, dict[str, object]]:
    return {"client_registration": {"enabled": True, "requests_per_ip": "1000/minute"}}


@pytest.fixture(autouse=True)
def refusals_write_nothing(app, client, monkeypatch) -> RefusalsWriteNothing:
    """A body refused with a 400 registers nothing, not even in part."""
    return watch_refusals(app, client, monkeypatch)


@EXAMPLES
@given(body=BODIES)
def test_any_body_gets_a_json_answer_within_least_privilege(app, client, body: Any):
    response = client.post(ENDPOINT, json=body, headers=bearer(initial_token(app)))
    assert response.status_code in (201, 400), response.get_data(as_text=True)
    answer = response.get_json()
    if response.status_code == 400:
        assert answer["error"] in ("invalid_client_metadata", "invalid_redirect_uri")
        return
    assert set(answer["grant_types"]) <= {"authorization_code", "refresh_token"}
    assert set(answer["scope"].split()) <= {"openid", "profile", "email", "phone"}


@pytest.fixture
def registered(app, client) -> dict[str, Any]:
    return client.post(ENDPOINT, json=METADATA, headers=bearer(initial_token(app))).get_json()


@EXAMPLES
@given(body=BODIES)
def test_any_update_gets_a_json_answer(client, registered, body: Any):
    response = client.put(
        registered["registration_client_uri"],
        json=body,
        headers=bearer(registered["registration_access_token"]),
    )
    assert response.status_code in (200, 400), response.get_data(as_text=True)
    assert response.is_json
