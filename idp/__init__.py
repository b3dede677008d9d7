"""An OpenID Connect identity provider for organisations serving the public."""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from flask import Flask, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from idp import logs, private_files
from idp.clock import SystemClock
from idp.config import Settings, load_settings, resolve_secret
from idp.cookie_session import SignedCookieSessions
from idp.hosts import IdentityProvider, TrustedHostsFirst
from idp.idle_ping import ping_when_idle

if TYPE_CHECKING:
    from idp.services.captcha import PuzzleSource


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """SQLite: write-ahead log (readers never wait), foreign keys on, wait for locks."""
    # Only SQLAlchemy's SQLite driver imports sqlite3, so a PostgreSQL worker never loads it
    # (~0.9 MiB); until it is loaded, no connection can be a SQLite one.
    sqlite3 = sys.modules.get("sqlite3")
    if sqlite3 is not None and isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


def _limit_only_decorated_views(app: Flask) -> None:
    """Flask-Limiter also checks every request in a before_request hook, for default and
    application-wide limits; there are none here, and each limited view checks its own limits
    in its decorator. Dropping the hook saves its cost on every other request (the token
    endpoint's included). Flask-Limiter is pinned: tests/http/test_rate_limits.py guards this.
    """
    from idp.extensions import limiter

    hooks = app.before_request_funcs.get(None, [])
    app.before_request_funcs[None] = [h for h in hooks if h != limiter._check_request_limit]


def _flask_config(settings: Settings) -> dict[str, Any]:
    # A server database's connections are checked before use when they sat idle
    # (idp.idle_ping, installed by create_app), not on every checkout (pool_pre_ping).
    engine_options: dict[str, Any] = {}
    if settings.database_url.startswith("sqlite"):
        engine_options = {"connect_args": {"timeout": 10}}
    return {
        "SECRET_KEY": resolve_secret(settings, "secret_key"),
        "SQLALCHEMY_DATABASE_URI": settings.database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        "SQLALCHEMY_ECHO": settings.database.echo,
        "SESSION_COOKIE_NAME": settings.session.cookie_name,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": settings.is_https,
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=settings.session.absolute_hours),
        # Only a response that changed the session writes its cookie. Otherwise a background
        # request (the password gauge) answering after a form's redirect would put back the
        # cookie it read, without the confirmation that redirect flashed. The server-side
        # session record, not the cookie, enforces the idle and absolute limits.
        "SESSION_REFRESH_EACH_REQUEST": False,
        "WTF_CSRF_TIME_LIMIT": settings.tokens.pending_request_ttl_seconds,
        "WTF_CSRF_SSL_STRICT": settings.is_https,
        "RATELIMIT_STORAGE_URI": settings.ratelimit.storage_uri,
        "RATELIMIT_STRATEGY": settings.ratelimit.strategy,
        "RATELIMIT_HEADERS_ENABLED": True,
        # Redis unreachable: count in memory meanwhile (idp.extensions.Limiter logs it). The
        # requests already waiting on Redis when another thread switches fail in Flask-Limiter
        # without retrying; swallowed, they go through uncounted instead of answering 500.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        "TRUSTED_HOSTS": list(settings.trusted_hosts),
        "BABEL_DEFAULT_LOCALE": "fr",
        "MAX_CONTENT_LENGTH": 64 * 1024,
    }


def _template_helpers(app: Flask, settings: Settings) -> None:
    from idp.i18n import current_locale, markup, text
    from idp.services.password_policy import minimum_length

    def language_query(code: str) -> str:
        args = {k: v for k, v in request.args.items() if k != "ui_locales"}
        return urlencode({**args, "ui_locales": code})

    # Globals, not context: macros imported without context (`_notices.html`) use them too.
    app.jinja_env.globals.update(t=text, markup=markup)

    @app.context_processor
    def helpers() -> dict[str, Any]:
        return {
            "locale": current_locale(),
            "branding": settings.branding,
            "development": settings.server.development,
            "password_policy": settings.password.policy,
            "password_min_length": minimum_length(settings.password),
            "password_forbid_spaces_and_accents": settings.password.forbid_spaces_and_accents,
            # The label of the sign-in and recovery field, per `[login] identifier`.
            "identifier_label": {
                "identifier": "login.identifier",
                "email": "login.identifier_email",
                "either": "login.identifier_either",
            }[settings.login.identifier],
            "password_max_length": settings.password.max_length,
            "language_query": language_query,
        }


def create_app(
    config: Settings | str | os.PathLike[str] | None = None,
    *,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    clock: SystemClock | None = None,
    puzzles: PuzzleSource | None = None,
) -> Flask:
    """Build the IdP from a settings object, a TOML path, or `IDP_CONFIG` and defaults.

    `clock` and `puzzles` (captcha answers) are for tests; configuration cannot set them.
    """
    from idp import web
    from idp.access_log import RequestLog
    from idp.extensions import babel, csrf, db, limiter
    from idp.i18n import select_locale
    from idp.notify.mail import build_mailer
    from idp.notify.postal import build_letters
    from idp.notify.sms import build_sms
    from idp.oidc import registration as oidc_registration
    from idp.oidc import server as oidc_server
    from idp.oidc import views as oidc_views
    from idp.oidc.discovery import PublishedDocuments
    from idp.oidc.fast_token import FastTokenEndpoint
    from idp.oidc.keys import KeyStore
    from idp.request_scope import first_in_request
    from idp.resources import templates_dir
    from idp.runtime import Runtime
    from idp.services.captcha import Captchas, RandomPuzzles
    from idp.services.clients import ClientRegistry
    from idp.services.codes import OneTimeCodes
    from idp.services.deliveries import Deliveries
    from idp.services.links import OneTimeLinks
    from idp.services.lockout import FailureCount, Lockout
    from idp.services.passwords import PasswordHashing

    settings = config if isinstance(config, Settings) else load_settings(config, overrides)
    logs.configure(settings.logging)
    private_files.make_private_dir(settings.instance_path)
    private_files.create_database_file(settings.database_url)
    private_files.warn_if_too_open(settings)
    app = IdentityProvider(
        __name__,
        instance_path=str(settings.instance_path),
        template_folder=str(templates_dir()),
    )
    app.config.update(_flask_config(settings))
    app.session_interface = SignedCookieSessions()

    db.init_app(app)
    if not settings.database_url.startswith("sqlite"):
        with app.app_context():
            ping_when_idle(db.engine, settings.database.ping_after_idle_seconds)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    _limit_only_decorated_views(app)

    clock = clock or SystemClock()
    hash_key = resolve_secret(settings, "hash_key")
    app.extensions["idp.clock"] = clock
    invitations = OneTimeLinks(
        "invitation", app.config["SECRET_KEY"], hash_key, clock, settings.invite.link_hours * 3600
    )
    app.extensions["idp"] = Runtime(
        settings=settings,
        clock=clock,
        keys=KeyStore(
            settings.path(settings.keys.dir),
            grace_seconds=settings.longest_token_ttl_seconds,
            rsa_bits=settings.keys.rsa_bits,
        ),
        clients=ClientRegistry(
            hash_key,
            refresh_seconds=settings.server.client_cache_seconds,
            first_check=first_in_request("clients_generation"),
        ),
        passwords=PasswordHashing(settings.password),
        captchas=Captchas(settings.captcha, hash_key, puzzles or RandomPuzzles()),
        lockout=Lockout(settings.lockout, hash_key),
        captcha_failures=FailureCount(hash_key, "captcha"),
        codes=OneTimeCodes(hash_key),
        invitations=invitations,
        reset_links=OneTimeLinks(
            "reset", app.config["SECRET_KEY"], hash_key, clock, settings.recovery.link_minutes * 60
        ),
        answer_lockout=Lockout(
            dataclasses.replace(
                settings.lockout, max_attempts=settings.recovery.max_answer_failures
            ),
            hash_key,
            purpose="recovery-answer",
        ),
        second_factor_lockout=Lockout(settings.lockout, hash_key, purpose="second-factor"),
        hash_key=hash_key,
        mailer=build_mailer(settings, clock),
        sms=build_sms(settings, clock),
        letters=build_letters(settings, clock),
        deliveries=Deliveries(settings, clock, hash_key, invitations),
    )
    oidc_server.init_app(app)
    # The everyday token requests, discovery and the JWKS are answered before Flask: they are
    # the most frequent, and Flask's per-request work would cost more than theirs. They are
    # answered only for our hosts, and every layer sees the Host the proxies forwarded.
    flask_wsgi = app.wsgi_app
    answers = PublishedDocuments(
        FastTokenEndpoint(flask_wsgi, app), settings, app.extensions["idp"].keys, clock
    )
    app.wsgi_app = TrustedHostsFirst(answers, flask_wsgi, settings.trusted_hosts)  # type: ignore[method-assign]
    if settings.server.proxy_count:
        count = settings.server.proxy_count
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]
    app.register_blueprint(oidc_views.bp)
    oidc_registration.init_app(app)
    web.init_app(app)
    _template_helpers(app, settings)
    # Outermost: every request, whichever layer answers it, is counted and logged.
    app.wsgi_app = RequestLog(  # type: ignore[method-assign]
        app,
        app.wsgi_app,
        documents=[*PublishedDocuments.DISCOVERY_PATHS, PublishedDocuments.JWKS_PATH],
        log_requests=settings.logging.access,
        log_documents=settings.logging.access_documents,
        count=settings.metrics.enabled,
    )
    return app
