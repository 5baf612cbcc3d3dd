"""The C allocator of a serving process, set for snapshots replaced at every revision
(issue 12: the first suggestions after a write).

A write makes the next read advance the snapshot and its suggestion context by the change
log (:mod:`netwerk.store.delta`): a handful of new arrays of the size of the ties (16 MB
each at 100,000 actors), while the previous revision's stay cached a while. With glibc's
defaults those arrays land in a different *arena* for each of the worker's threads (one per
thread, up to eight per core), and memory freed in one arena is not reused by another; an
array of over 32 MB, or one freed at the top of a heap, goes back to the operating system
at once. Either way the next revision's arrays are written to pages never touched before,
and every such page costs a page fault. Measured at 100,000 actors, served by 4 workers
(``bench/write_read.py``): about half the first suggestions reads after a write took 5,000
to 13,000 page faults and then 140 to 310 ms of the worker's CPU, against 55 to 100 ms for
the reads without; on the 2-core virtual machine of the benches a fault cost 15 to 20 µs.
With these settings no read took more than 25 faults.

:func:`tune` asks glibc (``mallopt``) for one arena, arrays up to 32 MB (the most it allows)
from that arena rather than from their own mappings, and freed memory kept up to 512 MB
instead of returned: the pages of one revision's arrays serve the next. The cost is memory
the process keeps once it has needed it; the snapshots kept are the bound
(``NETWERK_SNAPSHOT_CACHE_SIZE``). Python's own small objects (pymalloc) do not go through
this, and the interpreter lock already serialises most allocation, so one arena costs the
threads no waiting worth measuring.

Elsewhere than glibc (musl, macOS) nothing is changed.

Reference: glibc manual, "Memory Allocation Tunables" and mallopt(3).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import sys

__all__ = ["tune"]

log = logging.getLogger(__name__)

# mallopt(3) parameters
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8

ARENAS = 1
MMAP_THRESHOLD = 32 * 1024 * 1024
"""Arrays up to this size come from the arena (glibc's maximum: HEAP_MAX_SIZE / 2)."""
TRIM_THRESHOLD = 512 * 1024 * 1024
"""Free memory at the top of the heap kept up to this much rather than returned."""

_tuned = False


ENVIRONMENT = {
    "MALLOC_ARENA_MAX": str(ARENAS),
    "MALLOC_MMAP_THRESHOLD_": str(MMAP_THRESHOLD),
    "MALLOC_TRIM_THRESHOLD_": str(TRIM_THRESHOLD),
}
"""The same settings as glibc reads them from the environment when a process starts."""


def tune(*, children: bool = False) -> bool:
    """Set glibc's allocator as the module doc says, once per process; whether it was set
    (False where the C library is not glibc). ``children``: also for the processes this one
    starts from now on (their environment; a setting an operator gave is kept).

    The number of arenas is fixed when a second thread first allocates: called later (a
    process with threads running), only the two thresholds take effect here. ``netwerk
    serve`` therefore calls it first thing, with ``children``, for the workers it starts;
    the app and the analysis process call it again, which costs nothing."""
    global _tuned
    if children:
        for name, value in ENVIRONMENT.items():
            os.environ.setdefault(name, value)
    if _tuned:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    done = all(
        mallopt(param, value) == 1
        for param, value in (
            (M_ARENA_MAX, ARENAS),
            (M_MMAP_THRESHOLD, MMAP_THRESHOLD),
            (M_TRIM_THRESHOLD, TRIM_THRESHOLD),
        )
    )
    if not done:  # pragma: no cover - a C library with a mallopt that refuses these
        log.warning("the allocator settings were not all accepted")
    _tuned = done
    return done
