"""SQLAlchemy 2 tables of the store.

Tenant isolation is enforced by the schema as well as by the queries: every row carries its
``network_id`` and a tie references its two actors through the composite key
``(network_id, actor id)``, so the database refuses a tie between actors of two networks.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["Actor", "Base", "GroupName", "Network", "Tie", "Token", "TokenNetwork", "utcnow"]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)


class UTCDateTime(sa.TypeDecorator[dt.datetime]):
    """A timestamp that is always timezone-aware UTC, also on SQLite (which drops the zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value


Id = sa.String(24)
Stamp = UTCDateTime()


class Network(Base):
    __tablename__ = "networks"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    area_code: Mapped[str | None] = mapped_column(sa.String(10))
    description: Mapped[str | None] = mapped_column(sa.String(2000))
    revision: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    small_cell_threshold: Mapped[int] = mapped_column(sa.Integer, default=5)
    retention_days: Mapped[int | None] = mapped_column(sa.Integer)
    coarsen_area: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow, onupdate=utcnow)


class Actor(Base):
    __tablename__ = "actors"
    __table_args__ = (
        sa.UniqueConstraint("network_id", "id", name="uq_actors_network_id_id"),
        sa.UniqueConstraint("network_id", "external_ref", name="uq_actors_network_id_external_ref"),
        sa.Index("ix_actors_network_kind", "network_id", "kind"),
        sa.Index("ix_actors_network_area", "network_id", "area"),
    )

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    network_id: Mapped[str] = mapped_column(Id, sa.ForeignKey("networks.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(200))
    area: Mapped[str | None] = mapped_column(sa.String(80))
    languages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    assets: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    needs: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    consent: Mapped[str | None] = mapped_column(sa.String(12))
    consent_basis: Mapped[str | None] = mapped_column(sa.String(12))
    consent_set_by: Mapped[str | None] = mapped_column(sa.String(64))
    consent_set_at: Mapped[dt.datetime | None] = mapped_column(Stamp)
    attributes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    note: Mapped[str | None] = mapped_column(sa.String(2000))
    external_ref: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow, onupdate=utcnow)


class Tie(Base):
    """A tie belongs to its network through the composite keys to its two actors (which also
    cascade a network's deletion); a separate key to ``networks`` would only add a per-row
    check to every bulk insert."""

    __tablename__ = "ties"

    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["network_id", "source_id"],
            ["actors.network_id", "actors.id"],
            ondelete="CASCADE",
            name="fk_ties_source_actor",
        ),
        sa.ForeignKeyConstraint(
            ["network_id", "target_id"],
            ["actors.network_id", "actors.id"],
            ondelete="CASCADE",
            name="fk_ties_target_actor",
        ),
        sa.CheckConstraint("source_id <> target_id", name="not_self"),
        sa.CheckConstraint("strength BETWEEN 1 AND 5", name="strength_range"),
        sa.CheckConstraint("until IS NULL OR since IS NULL OR until >= since", name="period"),
        sa.Index("ix_ties_network_source", "network_id", "source_id"),
        sa.Index("ix_ties_network_target", "network_id", "target_id"),
    )

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    network_id: Mapped[str] = mapped_column(Id)
    source_id: Mapped[str] = mapped_column(Id)
    target_id: Mapped[str] = mapped_column(Id)
    kind: Mapped[str] = mapped_column(sa.String(20))
    strength: Mapped[int] = mapped_column(sa.SmallInteger, default=3)
    support: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    since: Mapped[dt.date | None] = mapped_column(sa.Date)
    until: Mapped[dt.date | None] = mapped_column(sa.Date)
    note: Mapped[str | None] = mapped_column(sa.String(2000))
    created_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow, onupdate=utcnow)


class Token(Base):
    """A bearer token. Only the SHA-256 of the secret is stored (tokens have 256 random bits,
    so a slow hash adds nothing); the secret is shown once when the token is made."""

    __tablename__ = "tokens"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    secret_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(12))
    all_networks: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(Stamp)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(Stamp)
    created_by: Mapped[str | None] = mapped_column(Id)


class TokenNetwork(Base):
    __tablename__ = "token_networks"

    token_id: Mapped[str] = mapped_column(
        Id, sa.ForeignKey("tokens.id", ondelete="CASCADE"), primary_key=True
    )
    network_id: Mapped[str] = mapped_column(
        Id, sa.ForeignKey("networks.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class AuditEvent(Base):
    """Append-only: who did what, when, to which objects — never the data itself."""

    __tablename__ = "audit_events"
    __table_args__ = (
        sa.Index("ix_audit_events_network_at", "network_id", "at"),
        sa.Index("ix_audit_events_token_at", "token_id", "at"),
    )

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)
    token_id: Mapped[str | None] = mapped_column(Id)
    role: Mapped[str | None] = mapped_column(sa.String(12))
    network_id: Mapped[str | None] = mapped_column(Id)
    action: Mapped[str] = mapped_column(sa.String(12))
    method: Mapped[str] = mapped_column(sa.String(8))
    route: Mapped[str] = mapped_column(sa.String(200))
    status: Mapped[int] = mapped_column(sa.SmallInteger)
    request_id: Mapped[str | None] = mapped_column(sa.String(64))


class AuditObject(Base):
    """The objects an audit event touched, one row each, so that "who looked at me" is a join
    and an erasure can replace an erased actor's id by the id of the erasure event."""

    __tablename__ = "audit_objects"

    event_id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"),
        sa.ForeignKey("audit_events.id", ondelete="CASCADE"),
        primary_key=True,
    )
    object_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True, index=True)


class Feedback(Base):
    """What a broker did with a suggestion, and later what came of it. Goes with either actor
    (ON DELETE CASCADE), so an erasure removes it."""

    __tablename__ = "feedback"
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["network_id", "source_id"],
            ["actors.network_id", "actors.id"],
            ondelete="CASCADE",
            name="fk_feedback_source_actor",
        ),
        sa.ForeignKeyConstraint(
            ["network_id", "target_id"],
            ["actors.network_id", "actors.id"],
            ondelete="CASCADE",
            name="fk_feedback_target_actor",
        ),
        sa.Index("ix_feedback_network_pair", "network_id", "source_id", "target_id"),
    )

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    network_id: Mapped[str] = mapped_column(Id, sa.ForeignKey("networks.id", ondelete="CASCADE"))
    source_id: Mapped[str] = mapped_column(Id)
    target_id: Mapped[str] = mapped_column(Id)
    introducer_id: Mapped[str | None] = mapped_column(
        Id, sa.ForeignKey("actors.id", ondelete="SET NULL")
    )
    suggestion_kind: Mapped[str] = mapped_column(sa.String(20))
    reason_codes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    score: Mapped[float | None] = mapped_column(sa.Float)
    decision: Mapped[str] = mapped_column(sa.String(12))
    outcome: Mapped[str | None] = mapped_column(sa.String(20))
    tie_id: Mapped[str | None] = mapped_column(Id, sa.ForeignKey("ties.id", ondelete="SET NULL"))
    token_id: Mapped[str | None] = mapped_column(Id)
    decided_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)
    outcome_at: Mapped[dt.datetime | None] = mapped_column(Stamp)
    suggestion_id: Mapped[str | None] = mapped_column(
        Id, sa.ForeignKey("suggestion_impressions.id", ondelete="SET NULL"), unique=True
    )
    """At most one decision per shown suggestion (the database refuses a second one, also
    when two requests race); ``None`` for the pair form on a pair never shown."""


class SuggestionImpression(Base):
    """One suggestion as it was shown: who asked, when, on which revision, ranked how and why.
    Goes with either actor (ON DELETE CASCADE), so an erasure removes it; an introducer's
    erasure clears the introducer. ``contributions`` holds the value terms at the prior
    weights and the feasibility contributions (log-odds points) by code, so outcomes can
    re-weight them (:mod:`netwerk.suggest.learning`)."""

    __tablename__ = "suggestion_impressions"
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["network_id", "source_id"],
            ["actors.network_id", "actors.id"],
            ondelete="CASCADE",
            name="fk_suggestion_impressions_source_actor",
        ),
        sa.ForeignKeyConstraint(
            ["network_id", "target_id"],
            ["actors.network_id", "actors.id"],
            ondelete="CASCADE",
            name="fk_suggestion_impressions_target_actor",
        ),
        sa.Index("ix_suggestion_impressions_network_shown", "network_id", "shown_at"),
        sa.Index("ix_suggestion_impressions_network_pair", "network_id", "source_id", "target_id"),
    )

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    network_id: Mapped[str] = mapped_column(Id, sa.ForeignKey("networks.id", ondelete="CASCADE"))
    origin: Mapped[str] = mapped_column(sa.String(12))
    source_id: Mapped[str | None] = mapped_column(Id)
    target_id: Mapped[str] = mapped_column(Id)
    introducer_id: Mapped[str | None] = mapped_column(
        Id, sa.ForeignKey("actors.id", ondelete="SET NULL")
    )
    suggestion_kind: Mapped[str] = mapped_column(sa.String(20))
    rank: Mapped[int] = mapped_column(sa.SmallInteger)
    score: Mapped[float] = mapped_column(sa.Float)
    feasibility: Mapped[float | None] = mapped_column(sa.Float)
    value: Mapped[float | None] = mapped_column(sa.Float)
    reason_codes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    contributions: Mapped[dict[str, float]] = mapped_column(sa.JSON, default=dict)
    model_version: Mapped[str] = mapped_column(sa.String(80))
    revision: Mapped[int] = mapped_column(sa.BigInteger)
    token_id: Mapped[str | None] = mapped_column(Id)
    shown_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)


class SuggestionWeights(Base):
    """The value and feasibility weights a network learned from its outcomes (one row per
    network; none: the prior weights rank). Deleting the row resets to the prior."""

    __tablename__ = "suggestion_weights"

    network_id: Mapped[str] = mapped_column(
        Id, sa.ForeignKey("networks.id", ondelete="CASCADE"), primary_key=True
    )
    multipliers: Mapped[dict[str, float]] = mapped_column(sa.JSON, default=dict)
    spread: Mapped[dict[str, list[float]]] = mapped_column(sa.JSON, default=dict)
    outcomes: Mapped[int] = mapped_column(sa.Integer)
    positives: Mapped[int] = mapped_column(sa.Integer)
    method: Mapped[str] = mapped_column(sa.String(80))
    fitted_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)


class DoNotSuggest(Base):
    """A pair the broker marked never to suggest (stored with source_id < target_id)."""

    __tablename__ = "do_not_suggest"
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["network_id", "source_id"],
            ["actors.network_id", "actors.id"],
            ondelete="CASCADE",
            name="fk_do_not_suggest_source_actor",
        ),
        sa.ForeignKeyConstraint(
            ["network_id", "target_id"],
            ["actors.network_id", "actors.id"],
            ondelete="CASCADE",
            name="fk_do_not_suggest_target_actor",
        ),
        sa.CheckConstraint("source_id < target_id", name="ordered_pair"),
    )

    network_id: Mapped[str] = mapped_column(
        Id, sa.ForeignKey("networks.id", ondelete="CASCADE"), primary_key=True
    )
    source_id: Mapped[str] = mapped_column(Id, primary_key=True)
    target_id: Mapped[str] = mapped_column(Id, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)
    token_id: Mapped[str | None] = mapped_column(Id)


class GroupName(Base):
    """A broker's name for a group (community) of the dashboard. The group is kept as the
    member actor ids it had when it was named, so that the name follows it to later
    revisions by overlap (:mod:`netwerk.dashboard.names`). Presentation only: naming a group
    does not change the network, so it does not bump the revision."""

    __tablename__ = "group_names"
    __table_args__ = (sa.Index("ix_group_names_network", "network_id"),)

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    network_id: Mapped[str] = mapped_column(Id, sa.ForeignKey("networks.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(80))
    members: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    revision: Mapped[int] = mapped_column(sa.BigInteger)
    """The network revision the group was named at."""
    token_id: Mapped[str | None] = mapped_column(Id)
    created_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)


class Change(Base):
    """The change log (issue 12): what each revision changed, appended in the transaction that
    bumps the revision (:mod:`netwerk.store.changes`). Ids and dates only, never names or
    notes. ``what`` is ``actor`` (the actor ``actor_id`` was created or changed), ``tie`` (a
    tie between ``actor_id`` and ``other_id`` was created, changed or removed; ``before`` /
    ``after`` say whether it existed and its validity period then, so that the number of
    active ties on any date follows), ``none`` (nothing a snapshot holds changed) or
    ``reload`` (too much, or an erasure: a snapshot must be loaded afresh)."""

    __tablename__ = "changes"
    __table_args__ = (sa.Index("ix_changes_network_revision", "network_id", "revision"),)

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    network_id: Mapped[str] = mapped_column(Id, sa.ForeignKey("networks.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(sa.BigInteger)
    at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)
    what: Mapped[str] = mapped_column(sa.String(8))
    actor_id: Mapped[str | None] = mapped_column(Id)
    other_id: Mapped[str | None] = mapped_column(Id)
    before: Mapped[bool | None] = mapped_column(sa.Boolean)
    before_since: Mapped[dt.date | None] = mapped_column(sa.Date)
    before_until: Mapped[dt.date | None] = mapped_column(sa.Date)
    after: Mapped[bool | None] = mapped_column(sa.Boolean)
    after_since: Mapped[dt.date | None] = mapped_column(sa.Date)
    after_until: Mapped[dt.date | None] = mapped_column(sa.Date)
