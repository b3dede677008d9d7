"""The hosted pages: blueprints, error pages and the security headers every answer carries."""

from __future__ import annotations

from flask import Flask

from idp.web import captcha, consent, errors, home, login, password, security


def init_app(app: Flask) -> None:
    for blueprint in (login.bp, captcha.bp, password.bp, consent.bp, home.bp):
        app.register_blueprint(blueprint)
    errors.init_app(app)
    security.init_app(app)
