"""The production server: granian's WSGI interface serving `create_app()` in worker processes.

The workers build the app from the environment alone (`IDP_CONFIG`, `IDP_SERVER_*`), as
`wsgi.py` does under gunicorn; this module writes the command line's choices into that
environment before checking them, so the workers and the check read the same settings.
"""

from __future__ import annotations

import os
from pathlib import Path

from granian import Granian
from granian.constants import Interfaces

from idp.config import Settings, load_settings
from idp.malloc import one_arena

# Seconds a worker has to finish its requests after SIGTERM or SIGINT before it is killed.
STOP_SECONDS = 30


def settings_for_workers(
    config: str | None, workers: int | None = None, threads: int | None = None
) -> Settings:
    """Export the configuration file and the worker counts, then load and validate what each
    worker will load (ConfigError if the combination is refused)."""
    if config:
        os.environ["IDP_CONFIG"] = str(Path(config).resolve())
    if workers is not None:
        os.environ["IDP_SERVER_WORKERS"] = str(workers)
    if threads is not None:
        os.environ["IDP_SERVER_THREADS"] = str(threads)
    return load_settings()


def serve(settings: Settings, host: str, port: int) -> None:
    """Run granian until SIGTERM or SIGINT; it forwards them to the workers and waits for them."""
    one_arena()  # in this process, so in the workers it forks
    Granian(
        "idp:create_app",
        factory=True,
        interface=Interfaces.WSGI,
        address=host,
        port=port,
        workers=settings.server.workers,
        blocking_threads=settings.server.threads,
        workers_kill_timeout=STOP_SECONDS,
    ).serve()
