"""Back-channel logout after the answer: the deliveries a request queued (a sign-out, a
disabled account, a changed password) are sent beside its response, never before it."""

from __future__ import annotations

from functools import partial

from flask import Flask, Response

from idp.oidc.backchannel import send_due
from idp.services import logout_deliveries
from idp.web.deferred import later


def _send_queued(response: Response) -> Response:
    ids = logout_deliveries.take_queued()
    if ids:
        later(partial(send_due, ids=ids))
    return response


def init_app(app: Flask) -> None:
    """Register after `deferred.init_app`: Flask runs the later hook first, so the work is
    handed over before the deferred worker picks up this request's pieces."""
    app.after_request(_send_queued)
