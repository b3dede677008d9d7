"""Back-channel logout after the answer: the deliveries a request queued (a sign-out, a
disabled account, a changed password) are sent beside its response, never before it.

They have their own worker threads, apart from the e-mails' (`idp.web.deferred`): an
application that hangs until the timeout delays other logout deliveries at worst, never a
recovery code.
"""

from __future__ import annotations

from functools import partial

from flask import Flask, Response, current_app

from idp.oidc.backchannel import send_due
from idp.services import logout_deliveries
from idp.web.deferred import Deferred

WORKERS = 4


def _send_queued(response: Response) -> Response:
    ids = logout_deliveries.take_queued()
    if ids:
        current_app.extensions["idp.backchannel"].submit([partial(send_due, ids=ids)])
    return response


def init_app(app: Flask) -> None:
    app.extensions["idp.backchannel"] = Deferred(app, workers=WORKERS, name="idp-backchannel")
    app.after_request(_send_queued)
