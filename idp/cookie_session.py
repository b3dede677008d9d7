"""The signed session cookie: Flask's, with its signing serializer kept between requests."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class SignedCookieSessions(SecureCookieSessionInterface):
    """Flask builds a signing serializer each time a request opens or saves the cookie
    (~30 us, twice a request); it changes only with the keys, so it is built once for them."""

    def __init__(self) -> None:
        self._built: tuple[tuple[Any, ...], URLSafeTimedSerializer] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        built = self._built  # one read: another thread may replace it meanwhile
        if built is not None and built[0] == keys:
            return built[1]
        serializer = super().get_signing_serializer(app)
        if serializer is not None:
            self._built = (keys, serializer)
        return serializer
