"""One malloc arena per server process, where the C library is glibc.

glibc gives a thread that allocates while another holds the main arena an arena of its own,
and keeps it, partly resident, for the life of the process: in a worker, granian's or
gunicorn's threads take ~1.3 MiB that way (bench/memory.py). The request threads run Python
one at a time (the GIL) and small allocations go through each thread's cache first, so they
gain nothing measurable from separate arenas (bench/README.md, "Memory").
"""

from __future__ import annotations

import contextlib
import ctypes

M_ARENA_MAX = -8  # glibc's <malloc.h>


def one_arena() -> None:
    """Before the worker's threads start; forked workers inherit it. Elsewhere, nothing."""
    with contextlib.suppress(AttributeError):  # no mallopt: not glibc
        ctypes.CDLL(None).mallopt(M_ARENA_MAX, 1)
