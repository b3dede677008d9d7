"""Captcha images and sounds, and fresh challenges for the page script (rate-limited)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, abort, jsonify, request, url_for

from idp import browser
from idp.extensions import db, limiter
from idp.i18n import text
from idp.models import CaptchaChallenge
from idp.runtime import runtime

bp = Blueprint("captcha", __name__, url_prefix="/captcha")


@dataclass(frozen=True)
class ShownChallenge:
    """What a page needs to show a challenge (never its answer)."""

    ref: str
    kind: str
    question: str | None
    image_url: str | None
    audio_url: str | None
    length: int

    @classmethod
    def of(cls, challenge: CaptchaChallenge) -> ShownChallenge:
        return cls(
            ref=challenge.ref,
            kind=challenge.kind,
            question=challenge.question,
            image_url=url_for("captcha.image", ref=challenge.ref) if challenge.image else None,
            audio_url=url_for("captcha.audio", ref=challenge.ref) if challenge.audio else None,
            length=runtime().settings.captcha.length,
        )


def issue(kind: str, *, with_audio: bool = False) -> ShownChallenge:
    """A new challenge for this browser (committed by the caller's request)."""
    rt = runtime()
    challenge = rt.captchas.issue(
        kind, binding=browser.binding_hash(), now=rt.now(), with_audio=with_audio
    )
    db.session.flush()
    return ShownChallenge.of(challenge)


def check(ref: str | None, answer: str | None) -> bool:
    rt = runtime()
    return rt.captchas.check(ref, answer, binding=browser.binding_hash(), now=rt.now())


def _media(ref: str, attribute: str, mimetype: str) -> Response:
    rt = runtime()
    challenge = rt.captchas.find(ref, binding=browser.binding_hash(), now=rt.now())
    content = getattr(challenge, attribute, None) if challenge else None
    if not content:
        abort(404)
    response = Response(content, mimetype=mimetype)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<ref>/image")
def image(ref: str) -> Response:
    return _media(ref, "image", "image/png")


@bp.get("/<ref>/audio")
def audio(ref: str) -> Response:
    return _media(ref, "audio", "audio/wav")


@bp.post("/new")
@limiter.limit(lambda: runtime().settings.ratelimit.captcha_per_ip)
@limiter.limit(
    lambda: runtime().settings.ratelimit.captcha_audio_per_ip,
    exempt_when=lambda: request.form.get("audio") != "1",
)
def new() -> Response:
    """A fresh image challenge (with its sound when asked), for the page script."""
    shown = issue("image", with_audio=request.form.get("audio") == "1")
    db.session.commit()
    return jsonify(
        ref=shown.ref,
        image_url=shown.image_url,
        audio_url=shown.audio_url,
        announcement=text("captcha.renewed"),
    )
