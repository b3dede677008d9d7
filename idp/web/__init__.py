"""The hosted pages: blueprints, error pages and the security headers every answer carries."""

from __future__ import annotations

from flask import Flask

from idp.web import consent, errors, home, login, security


def init_app(app: Flask) -> None:
    for blueprint in (login.bp, consent.bp, home.bp):
        app.register_blueprint(blueprint)
    errors.init_app(app)
    security.init_app(app)
