"""The store's connection types, for the modules above the store that pass a database
handle through without querying it themselves (the layering test keeps SQLAlchemy imports
inside ``netwerk/store/``)."""

from __future__ import annotations

from typing import TypeAlias

import sqlalchemy as sa
from sqlalchemy.orm import Session

__all__ = ["Conn", "Session"]

Conn: TypeAlias = sa.Connection | Session
"""A SQLAlchemy ``Connection`` or ORM ``Session``: what store reads accept."""
