"""`[client_registration]`: off by default, and registered clients never get more than
ordinary scopes; a bad value fails at start."""

from __future__ import annotations

import pytest

from idp.config import ConfigError, load_settings


def test_off_by_default_with_least_privilege():
    settings = load_settings(None, environ={}).client_registration
    assert not settings.enabled
    assert settings.requires_habilitation
    assert settings.allowed_scopes.split() == ["openid", "profile", "email", "phone"]


def test_turned_on_from_the_environment():
    settings = load_settings(None, environ={"IDP_CLIENT_REGISTRATION_ENABLED": "true"})
    assert settings.client_registration.enabled


@pytest.mark.parametrize(
    "values, key",
    [
        ({"allowed_scopes": "profile email"}, "allowed_scopes"),
        ({"allowed_scopes": "openid admin"}, "allowed_scopes"),
        ({"token_ttl_hours": 0}, "token_ttl_hours"),
        ({"requests_per_ip": "often"}, "requests_per_ip"),
        ({"enabled": "maybe"}, "enabled"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_bad_values_fail_at_start(values, key):
    with pytest.raises(ConfigError, match=key):
        load_settings(None, overrides={"client_registration": values}, environ={})
