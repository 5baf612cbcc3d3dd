"""The store's handle and error types, for the modules above the store that pass a database
handle through or answer a database failure without querying anything themselves (the
layering test, ``tests/test_layers.py``, keeps SQLAlchemy imports inside ``netwerk/store/``)."""

from __future__ import annotations

from typing import TypeAlias

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import SQLAlchemyError as DatabaseError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

__all__ = [
    "Conn",
    "Connection",
    "DBAPIError",
    "DatabaseError",
    "Engine",
    "IntegrityError",
    "OperationalError",
    "PoolTimeout",
    "Session",
    "SessionFactory",
]

Conn: TypeAlias = Connection | Session
"""A SQLAlchemy ``Connection`` or ORM ``Session``: what store reads accept."""
SessionFactory: TypeAlias = sessionmaker[Session]
