"""Security headers on every response; a strict CSP with no inline script or style."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, abort, g, request

from idp.http_headers import COMMON, HSTS
from idp.runtime import runtime


def allow_form_target(url: str) -> None:
    """Let this page's forms lead (through redirects) to `url`'s origin, e.g. the client."""
    parts = urlsplit(url)
    if parts.scheme in {"http", "https"} and parts.netloc:
        g.setdefault("form_targets", set()).add(f"{parts.scheme}://{parts.netloc}")


def _csp() -> str:
    form_action = " ".join(["'self'", *sorted(g.get("form_targets", ()))])
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; media-src 'self' blob:; "
        f"form-action {form_action}; frame-ancestors 'none'; base-uri 'none'"
    )


def _headers(response: Response) -> Response:
    headers = response.headers
    for name, value in COMMON:
        headers.setdefault(name, value)
    if runtime().settings.is_https:
        headers.setdefault("Strict-Transport-Security", HSTS)
    if response.mimetype == "text/html":
        headers.setdefault("Content-Security-Policy", _csp())
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cache-Control", "no-store")
    return response


def _refuse_nul_characters_and_files() -> None:
    """No legitimate input holds a NUL character, and PostgreSQL cannot store or compare one;
    no page takes a file, and Flask-WTF would hand a file part to a text field, which no
    view expects: refuse both once, here, with a 400, instead of in every query and view."""
    if (
        request.files
        or "\x00" in request.path
        or any(
            "\x00" in key or "\x00" in value
            for values in (request.args, request.form)
            for key, value in values.items(multi=True)
        )
    ):
        abort(400)


def init_app(app: Flask) -> None:
    app.before_request(_refuse_nul_characters_and_files)
    app.after_request(_headers)
