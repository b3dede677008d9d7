"""Security headers on every response; a strict CSP with no inline script or style."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, g

from idp.runtime import runtime

HSTS = "max-age=63072000; includeSubDomains"


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
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if runtime().settings.is_https:
        headers.setdefault("Strict-Transport-Security", HSTS)
    if response.mimetype == "text/html":
        headers.setdefault("Content-Security-Policy", _csp())
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    app.after_request(_headers)
