"""Fault tests: real server processes, real kills, a real Redis that is stopped mid-run.

Each test is short (seconds); the long forms with their table are in ``bench/faults.py``.
Both halves share :mod:`tests.faults.harness`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.conftest import BACKENDS
from tests.faults.harness import Prepared, prepare_database


@pytest.fixture(params=BACKENDS)
def fault_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def prepared(
    fault_backend: str, empty_db_url: Callable[[str], str]
) -> Iterator[Callable[..., Prepared]]:
    """``prepared(actors=300)``: a fresh database of the backend, migrated, with a synthetic
    network and an admin token."""

    def make(actors: int = 300, seed: int = 3) -> Prepared:
        return prepare_database(empty_db_url(fault_backend), actors=actors, seed=seed)

    yield make
