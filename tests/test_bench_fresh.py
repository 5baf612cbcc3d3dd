"""Benches run on a fresh machine: they make (and remove) their own database instead of
expecting one to exist (issue 9). Only the smallest size, and without networkx."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BACKENDS, PG_URL

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


@pytest.mark.parametrize("store", BACKENDS)
def test_analysis_bench_makes_its_own_database(store: str) -> None:
    env = {**os.environ}
    args = [sys.executable, "bench/analysis.py", "--sizes", "120", "--no-networkx"]
    if store == "postgres":
        args.append("--postgres")
        env["NETWERK_BENCH_POSTGRES_URL"] = str(PG_URL)
    done = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "| 120 | **full cold analysis** |" in done.stdout
