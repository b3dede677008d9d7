"""Outbox folders: one file per message, written atomically, listed newest first.

Used instead of a real channel in development and tests; several workers may write to the same
folder, so a file only appears once complete, under a name that sorts by sending time.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from idp.notify import DeliveryFailed

if TYPE_CHECKING:
    from idp.config import Settings

# What a name made by `OutboxFolder.write` looks like: nothing else is ever read back.
NAME = re.compile(r"^\d{8}T\d{6}\.\d{9}Z-[A-Za-z0-9_-]{1,64}\.[a-z]{2,8}$")


def sortable_stamp(ns: int | None = None) -> str:
    """UTC time to the nanosecond, as text that sorts like the time it names."""
    ns = time.time_ns() if ns is None else ns
    seconds, fraction = divmod(ns, 1_000_000_000)
    return f"{datetime.fromtimestamp(seconds, UTC):%Y%m%dT%H%M%S}.{fraction:09d}Z"


class OutboxFolder:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def write(self, data: bytes, *, ident: str, suffix: str) -> Path:
        """Store one message as `<time>-<ident><suffix>` (mode 0600), all or nothing."""
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", ident):
            raise ValueError(f"unsafe outbox identifier: {ident!r}")
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        name = f"{sortable_stamp()}-{ident}{suffix}"
        partial = self.folder / f".{name}.{secrets.token_hex(4)}.part"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(partial, self.folder / name)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return self.folder / name

    def deliver(self, channel: str, data: bytes, *, ident: str, suffix: str) -> Path:
        """`write` for a channel's transport: a failure is the channel's DeliveryFailed."""
        try:
            return self.write(data, ident=ident, suffix=suffix)
        except OSError as exc:
            raise DeliveryFailed(channel, f"outbox {self.folder}: {exc}") from exc

    def names(self, suffix: str, *, limit: int | None = None) -> list[str]:
        """Names of the stored messages with `suffix`, newest first."""
        if not self.folder.is_dir():
            return []
        found = sorted(
            (p.name for p in self.folder.iterdir() if p.suffix == suffix and NAME.match(p.name)),
            reverse=True,
        )
        return found[:limit] if limit is not None else found

    def path(self, name: str) -> Path | None:
        """The file of a stored message, or None: `name` comes from a URL, trust nothing."""
        if not NAME.match(name):
            return None
        candidate = self.folder / name
        return candidate if candidate.is_file() else None

    def read(self, name: str, suffix: str) -> bytes | None:
        """A stored message's bytes, or None: no such message, another kind, removed meanwhile."""
        path = self.path(name)
        if path is None or path.suffix != suffix:
            return None
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None


def channel_folder(settings: Settings, configured: str, channel: str) -> Path:
    """A channel's outbox folder: as configured, or `<instance>/outbox/<channel>` when empty."""
    if configured:
        return settings.path(configured)
    return settings.instance_path / "outbox" / channel
