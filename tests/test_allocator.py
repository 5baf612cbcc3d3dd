"""The allocator settings of a serving process (netwerk/allocator.py): the pages of one
revision's arrays serve the next, instead of each revision faulting in fresh ones."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from netwerk import allocator

ROOT = Path(__file__).resolve().parents[1]

glibc = pytest.mark.skipif(
    not sys.platform.startswith("linux") or os.confstr("CS_GNU_LIBC_VERSION") is None,
    reason="the settings are glibc's",
)

# Each revision: six arrays of the size of a 100,000-actor network's ties (16 MB), made in a
# new thread (requests land on different threads), the revision three back dropped. Prints
# the page faults of revisions 10 to 40: 30 revisions of 24,000 fresh pages each.
REVISIONS = textwrap.dedent(
    """
    import resource, sys, threading
    import numpy as np
    if sys.argv[1] == "tune":
        from netwerk import allocator
        assert allocator.tune()
    kept = []
    def revision(k):
        kept.append([np.ones(2_000_000) + k for _ in range(6)])
        if len(kept) > 3:
            kept.pop(0)
    for k in range(40):
        t = threading.Thread(target=revision, args=(k,))
        t.start()
        t.join()
        if k == 9:
            start = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - start)
    """
)


def _faults(mode: str, env: dict[str, str]) -> int:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    out = subprocess.run(
        [sys.executable, "-c", REVISIONS, mode],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return int(out.stdout.strip())


@glibc
def test_a_tuned_process_reuses_the_pages_of_earlier_revisions() -> None:
    # without the settings glibc gives each thread its own arena and returns freed arrays:
    # about 59,000 faults here, two in three of the 72,000 pages the revisions asked for
    assert _faults("tune", {}) < 3_000


@glibc
def test_the_workers_a_server_starts_get_the_settings_from_their_environment() -> None:
    assert _faults("plain", allocator.ENVIRONMENT) < 3_000


def test_serve_sets_the_allocator_first_and_for_its_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import uvicorn

    from netwerk.cli import admin

    for name in allocator.ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")  # an operator's own choice is kept
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    seen: dict[str, Any] = {}

    def run(*args: Any, **kw: Any) -> None:
        seen.update({name: os.environ.get(name) for name in allocator.ENVIRONMENT})
        seen["workers"] = kw["workers"]

    monkeypatch.setattr(uvicorn, "run", run)
    admin._serve("127.0.0.1", 8000, workers=3)
    assert seen == {
        "MALLOC_ARENA_MAX": "4",
        "MALLOC_MMAP_THRESHOLD_": str(allocator.MMAP_THRESHOLD),
        "MALLOC_TRIM_THRESHOLD_": str(allocator.TRIM_THRESHOLD),
        "workers": 3,
    }
