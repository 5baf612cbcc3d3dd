"""Migrations: one head, upgrade from empty, downgrade and upgrade again, and the models match
the migrations — on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from netwerk.store.db import make_engine
from netwerk.store.migrate import current_heads, downgrade, is_current, script_heads, upgrade
from netwerk.store.tables import Base


def test_single_head() -> None:
    assert len(script_heads()) == 1


def test_upgrade_downgrade_upgrade_and_models_match(
    backend: str, empty_db_url: Callable[[str], str]
) -> None:
    engine = make_engine(empty_db_url(backend))
    try:
        assert current_heads(engine) == ()
        assert not is_current(engine)
        upgrade(engine)
        assert is_current(engine)
        tables = set(sa.inspect(engine).get_table_names())
        assert {"networks", "actors", "ties", "tokens", "token_networks"} <= tables
        downgrade(engine, "base")
        assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(engine)
        assert is_current(engine)
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, Base.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
    finally:
        engine.dispose()


def test_database_enforces_foreign_keys_and_checks(engine: sa.Engine) -> None:
    """Backs up the domain checks: the database itself refuses a cross-network tie."""
    import pytest

    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO networks (id, name, revision, small_cell_threshold, coarsen_area, "
                "created_at, updated_at) VALUES ('fknet1', 'a', 1, 5, false, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP), ('fknet2', 'b', 1, 5, false, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        for aid, nid in (("fka1", "fknet1"), ("fka2", "fknet2"), ("fka3", "fknet1")):
            conn.execute(
                sa.text(
                    "INSERT INTO actors (id, network_id, kind, name, languages, assets, needs, "
                    "attributes, created_at, updated_at) VALUES (:a, :n, 'resident', 'x', '[]', "
                    "'[]', '[]', '{}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"a": aid, "n": nid},
            )
    bad = [
        "('fkt1', 'fknet1', 'fka1', 'fka2', 'knows', 3)",  # other network's actor
        "('fkt2', 'fknet1', 'fka1', 'fka1', 'knows', 3)",  # self tie
        "('fkt3', 'fknet1', 'fka1', 'fka3', 'knows', 9)",  # strength out of range
    ]
    for values in bad:
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO ties (id, network_id, source_id, target_id, kind, strength, "
                    "support, created_at, updated_at) VALUES "
                    + values[:-1]
                    + ", '[]', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM networks WHERE id IN ('fknet1', 'fknet2')"))
        left = conn.execute(
            sa.text("SELECT count(*) FROM actors WHERE id IN ('fka1', 'fka2', 'fka3')")
        ).scalar()
    assert left == 0  # cascade
