"""The session cookie's signing, kept between requests, follows the configured keys."""

from __future__ import annotations

import pytest
from itsdangerous import BadSignature


def test_signing_follows_a_key_rotation(app):
    sessions = app.session_interface
    cookie = sessions.get_signing_serializer(app).dumps({"sid": "s"})
    assert sessions.get_signing_serializer(app).loads(cookie) == {"sid": "s"}
    previous = app.secret_key
    app.secret_key = "a-new-secret-key-for-this-test-only"
    app.config["SECRET_KEY_FALLBACKS"] = [previous]
    # Still accepted under the old key, now a fallback; new cookies use the new key.
    assert sessions.get_signing_serializer(app).loads(cookie) == {"sid": "s"}
    app.config["SECRET_KEY_FALLBACKS"] = []
    with pytest.raises(BadSignature):
        sessions.get_signing_serializer(app).loads(cookie)
