"""Security headers every answer carries, shared by Flask's hook and the documents middleware."""

from __future__ import annotations

HSTS = "max-age=63072000; includeSubDomains"

# On every answer (HTML pages add a CSP and more, in idp.web.security).
COMMON = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
