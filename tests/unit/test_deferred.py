"""Work run beside the response: a failure is logged by name, never with its arguments."""

from __future__ import annotations

import logging
from functools import partial

from idp.runtime import Runtime

CODE = "481516"


def _send_code(user_id: int, code: str, rt: Runtime) -> None:
    raise OSError("the relay did not answer")


def test_failed_work_is_logged_without_its_secrets(app, caplog):
    deferred = app.extensions["idp.deferred"]
    with caplog.at_level(logging.ERROR, logger="idp.web.deferred"):
        deferred.submit([partial(_send_code, 7, CODE)])
        deferred.wait()
    records = [r for r in caplog.records if r.name == "idp.web.deferred"]
    assert [r.getMessage() for r in records] == ["deferred work failed: _send_code"]
    assert CODE not in caplog.text
