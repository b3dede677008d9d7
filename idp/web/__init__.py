"""The hosted pages: blueprints, error pages and the security headers every answer carries."""

from __future__ import annotations

from flask import Flask

from idp.notify import worker
from idp.web import (
    account,
    admin,
    backchannel,
    captcha,
    consent,
    contacts,
    deferred,
    dev,
    errors,
    federation,
    health,
    home,
    invitation,
    journey,
    login,
    metrics,
    organisation,
    organisation_tabs,
    password,
    recovery,
    registration,
    security,
)


def init_app(app: Flask) -> None:
    for blueprint in (
        login.bp,
        captcha.bp,
        password.bp,
        contacts.bp,
        account.bp,
        organisation.bp,
        invitation.bp,
        recovery.bp,
        consent.bp,
        home.bp,
        organisation_tabs.bp,
        federation.bp,
    ):
        app.register_blueprint(blueprint)
    # "S'inscrire" exists only when enabled: otherwise its addresses answer 404.
    if app.extensions["idp"].settings.registration.enabled:
        app.register_blueprint(registration.bp)
    # The outbox pages exist only in development (refused on an https issuer).
    if app.extensions["idp"].settings.server.development:
        app.register_blueprint(dev.bp)
    admin.init_app(app)
    errors.init_app(app)
    deferred.init_app(app)
    worker.init_app(app)
    backchannel.init_app(app)
    security.init_app(app)
    journey.init_app(app)
    federation.init_app(app)
    health.init_app(app)
    metrics.init_app(app)
