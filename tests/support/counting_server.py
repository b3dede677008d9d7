"""gunicorn serving the IdP, with every password evaluated against an account's hash counted
in a file.

A test harness: `python -m tests.support.counting_server GUNICORN_ARGS...`, configured by
`IDP_*` variables as in production; each such verification, in any worker, appends a byte to
`IDP_TEST_VERIFICATIONS` (and is held `IDP_TEST_HOLD_SECONDS`, as production's argon2 cost).
"""

from __future__ import annotations

import os
import sys
import time

from gunicorn.app.wsgiapp import run

from idp.services.passwords import PasswordHashing


def main() -> None:
    log = os.environ["IDP_TEST_VERIFICATIONS"]
    hold = float(os.environ.get("IDP_TEST_HOLD_SECONDS", "0"))
    verify = PasswordHashing.verify

    def counted(self: PasswordHashing, password_hash: str | None, password: str) -> bool:
        if password_hash is not None:  # the dummy hash evaluates nobody's password
            fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, b".")
            finally:
                os.close(fd)
        time.sleep(hold)
        return verify(self, password_hash, password)

    PasswordHashing.verify = counted  # type: ignore[method-assign]
    sys.argv = ["gunicorn", *sys.argv[1:]]
    run()


if __name__ == "__main__":
    main()
