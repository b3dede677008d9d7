"""The console's "Envois": the e-mails, SMS and letters to account holders as the outbox
holds them, and a failed one put back in the queue.

What a message said (a code, a temporary password, a link) is sealed in the outbox and never
shown here: an agent sees to whom, over which channel, which message, and its fate. The
rules are `idp.services.outbox`'s, which `idp deliveries list|retry` use too.
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from idp.extensions import db
from idp.runtime import runtime
from idp.services import outbox, staff
from idp.web.admin import access
from idp.web.admin.access import console_blueprint, requires
from idp.web.admin.dates import when
from idp.web.flashes import flash

bp = console_blueprint("admin_deliveries", __name__, "/deliveries")

# The newest messages shown; the counts above the table say how many there are in all.
SHOWN = 100


def _state(value: str | None) -> str | None:
    """The state asked for, or None (all) for anything else."""
    return value if value in outbox.STATES else None


@bp.get("")
@requires(staff.DELIVERIES)
def index() -> str:
    state = _state(request.args.get("state"))
    messages = outbox.listing(state=state, limit=SHOWN)
    counts = outbox.counts()
    db.session.commit()
    return render_template(
        "admin/deliveries/index.html",
        messages=messages,
        counts=counts,
        state=state,
        shown=SHOWN,
        states=outbox.STATES,
        failed=outbox.FAILED,
        when=when,
    )


@bp.post("/<int:message_id>/retry")
@requires(staff.DELIVERIES)
def retry(message_id: int) -> Response:
    if outbox.retry(message_id, now=runtime().now(), by=access.actor()):
        flash(("deliveries.retried", {"id": message_id}), "status")
    else:
        flash(("deliveries.not_failed", {"id": message_id}), "error")
    db.session.commit()
    back = url_for(".index", state=_state(request.form.get("state")))
    return redirect(back + "#notices", 303)
