"""Files that hold secrets, made readable by the service account only and checked at start.

The instance folder (secret_key, hash_key, the outboxes, the SQLite database) and the signing
keys folder would give another local user the accounts and the power to sign ID tokens. What
the IdP creates it creates private (folders 0700, files 0600); what it finds wider, made by
hand or by an older version, it does not change behind the operator's back but names in a
warning at every start, with the command that fixes it.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from sqlalchemy.engine import make_url

from idp.config import Settings

log = logging.getLogger(__name__)

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
# The database and the files SQLite keeps beside it (given the database file's mode).
_SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def make_private_dir(path: Path) -> None:
    """Create `path` 0700 (missing parents get the default mode); an existing one is kept."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)


def sqlite_file(database_url: str) -> Path | None:
    """The database file of a SQLite URL; None for other databases and in-memory ones."""
    url = make_url(database_url)
    name = url.database
    if url.get_backend_name() != "sqlite" or not name or name == ":memory:":
        return None
    if name.startswith("file:"):  # URI filenames: SQLite opens them itself
        return None
    return Path(name)


def create_database_file(database_url: str) -> None:
    """Create an empty SQLite database 0600 before SQLite would create it 0644 (umask 022).

    SQLite takes an empty file for a new database, and gives its journal and write-ahead log
    the database file's mode.
    """
    path = sqlite_file(database_url)
    if path is None:
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except (FileExistsError, FileNotFoundError):
        # Already there, or a folder SQLite will report missing in its own words.
        return


def too_open(settings: Settings) -> list[tuple[Path, int, int]]:
    """(path, its mode, the mode it should have) of every secret-holding path others can read."""
    keys_dir = settings.path(settings.keys.dir)
    expected: list[tuple[Path, int]] = [
        (settings.instance_path, PRIVATE_DIR),
        (keys_dir, PRIVATE_DIR),
    ]
    expected += [(key_file, PRIVATE_FILE) for key_file in sorted(keys_dir.glob("*.json"))]
    database = sqlite_file(settings.database_url)
    if database is not None:
        expected += [(Path(f"{database}{suffix}"), PRIVATE_FILE) for suffix in _SQLITE_COMPANIONS]
    found = []
    for path, wanted in expected:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & ~wanted & 0o077:
            found.append((path, mode, wanted))
    return found


def warn_if_too_open(settings: Settings) -> None:
    """Log one warning per secret-holding path that group or others can use."""
    for path, mode, wanted in too_open(settings):
        log.warning(
            "%s holds secrets but is open to other local users (mode %o): run `chmod %o %s`",
            path,
            mode,
            wanted,
            path,
        )
