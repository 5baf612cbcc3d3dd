"""Request and response schemas of the v1 contract (DESIGN.md section 8).

A family per entity: ``Create`` / ``Update`` / ``Read``. Shapes, lengths and enums are checked
here; the rules of the domain (areas, themes, ties inside one network, ...) are checked once,
in ``netwerk.store``, and come back as the same 422 problem with the field named.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Generic, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    computed_field,
)

from netwerk.model import (
    MAX_ATTRIBUTES,
    MAX_EXTERNAL_REF,
    MAX_LIST,
    MAX_NAME,
    MAX_NOTE,
    ActorKind,
    Consent,
    ConsentBasis,
    Role,
    SupportKind,
    TieKind,
)

T = TypeVar("T")

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _iso(pattern: re.Pattern[str], what: str) -> BeforeValidator:
    """Accept only ISO 8601 text (or an already parsed value): pydantic's lax mode would
    otherwise read numbers such as ``0`` as Unix timestamps."""

    def check(value: object) -> object:
        if isinstance(value, str) and not pattern.match(value):
            raise ValueError(f"use an ISO 8601 {what}")
        if isinstance(value, int | float) and not isinstance(value, bool):
            raise ValueError(f"use an ISO 8601 {what}")
        return value

    return BeforeValidator(check)


def _integral(value: object) -> object:
    """JSON Schema counts 35.0 as an integer: accept a float without a fractional part (and
    not a bool, inf or nan); anything else goes on to the strict integer check, which
    refuses 35.5, "35" and true."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


WholeNumber = Annotated[StrictInt, BeforeValidator(_integral)]
"""An integer field of a JSON body: 35 and 35.0, never 35.5, "35" or true."""

IsoDate = Annotated[dt.date, _iso(_ISO_DATE, "date (YYYY-MM-DD)")]
IsoDateTime = Annotated[dt.datetime, _iso(_ISO_DATETIME, "date-time")]

Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME)]
Note = Annotated[str, Field(max_length=MAX_NOTE)]
Theme = Annotated[
    str,
    Field(
        min_length=1,
        max_length=40,
        pattern=r"^[A-Za-z][A-Za-z0-9_-]*$",
        description="a theme slug, e.g. taal (case-insensitive)",
    ),
]
Language = Annotated[
    str,
    Field(
        min_length=2,
        max_length=3,
        pattern=r"^[A-Za-z]+$",
        description="ISO 639 code, e.g. nl, ar, pap",
    ),
]
Themes = Annotated[list[Theme], Field(max_length=MAX_LIST)]
Languages = Annotated[list[Language], Field(max_length=MAX_LIST)]
AttrValue = Annotated[str, Field(max_length=500)] | int | float | bool | None
Attributes = Annotated[
    dict[Annotated[str, Field(max_length=64)], AttrValue], Field(max_length=MAX_ATTRIBUTES)
]
Area = Annotated[str, Field(max_length=80, description="CBS code (WK/BU) or street label")]
Ref = Annotated[str, Field(min_length=1, max_length=64)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class PageOf(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null at end")


# --- networks ---------------------------------------------------------------------------


AreaCode = Annotated[
    str, Field(max_length=10, pattern=r"^([Gg][Mm][0-9]{4}|[Ww][Kk][0-9]{6}|[Bb][Uu][0-9]{8})$")
]


class NetworkCreate(Strict):
    name: Name
    area_code: AreaCode | None = Field(
        None, description="CBS code: GM + 4, WK + 6 or BU + 8 digits", examples=["WK036300"]
    )
    description: Annotated[str, Field(max_length=2000)] | None = None
    small_cell_threshold: WholeNumber = Field(5, ge=2, le=100)
    retention_days: WholeNumber | None = Field(None, ge=30, le=36_500)
    coarsen_area: StrictBool = Field(False, description="research exports give wijk, not buurt")


class NetworkUpdate(Strict):
    name: Name | None = None
    area_code: AreaCode | None = None
    description: Annotated[str, Field(max_length=2000)] | None = None
    small_cell_threshold: WholeNumber | None = Field(None, ge=2, le=100)
    retention_days: WholeNumber | None = Field(None, ge=30, le=36_500)
    coarsen_area: StrictBool | None = None


class NetworkRead(Read):
    id: str
    name: str
    area_code: str | None
    description: str | None
    revision: int
    small_cell_threshold: int
    retention_days: int | None
    coarsen_area: bool
    created_at: dt.datetime
    updated_at: dt.datetime


# --- actors -----------------------------------------------------------------------------


class ActorCreate(Strict):
    kind: ActorKind
    name: Name
    area: Area | None = None
    languages: Languages = Field(default_factory=list)
    assets: Themes = Field(default_factory=list, description="themes this actor can offer")
    needs: Themes = Field(default_factory=list, description="themes this actor asks for")
    consent: Consent | None = Field(None, description="persons only; default unknown")
    consent_basis: ConsentBasis | None = None
    attributes: Attributes = Field(default_factory=dict)
    note: Note | None = None
    external_ref: Annotated[str, Field(max_length=MAX_EXTERNAL_REF)] | None = None


class ActorUpdate(Strict):
    kind: ActorKind | None = None
    name: Name | None = None
    area: Area | None = None
    languages: Languages | None = None
    assets: Themes | None = None
    needs: Themes | None = None
    consent: Consent | None = None
    consent_basis: ConsentBasis | None = None
    attributes: Attributes | None = None
    note: Note | None = None
    external_ref: Annotated[str, Field(max_length=MAX_EXTERNAL_REF)] | None = None


class ActorRead(Read):
    id: str
    kind: ActorKind
    name: str
    area: str | None
    languages: list[str]
    assets: list[str]
    needs: list[str]
    consent: Consent | None
    consent_basis: ConsentBasis | None
    consent_set_at: dt.datetime | None
    attributes: dict[str, str | int | float | bool | None]
    note: str | None
    external_ref: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


# --- ties -------------------------------------------------------------------------------


class TieCreate(Strict):
    source: Ref
    target: Ref
    kind: TieKind
    strength: WholeNumber = Field(3, ge=1, le=5, description="1 (weak) to 5 (strong)")
    support: Annotated[list[SupportKind], Field(max_length=4)] = Field(default_factory=list)
    since: IsoDate | None = None
    until: IsoDate | None = Field(None, description="a tie with until in the past is history")
    note: Note | None = None


class TieUpdate(Strict):
    source: Ref | None = None
    target: Ref | None = None
    kind: TieKind | None = None
    strength: WholeNumber | None = Field(None, ge=1, le=5)
    support: Annotated[list[SupportKind], Field(max_length=4)] | None = None
    since: IsoDate | None = None
    until: IsoDate | None = None
    note: Note | None = None


class TieRead(Read):
    id: str
    source: str = Field(validation_alias="source_id")
    target: str = Field(validation_alias="target_id")
    kind: TieKind
    strength: int
    support: list[SupportKind]
    since: dt.date | None
    until: dt.date | None
    note: str | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def directed(self) -> bool:
        return self.kind is TieKind.refers_to


# --- tokens -----------------------------------------------------------------------------


class TokenCreate(Strict):
    role: Role
    name: Name
    networks: Annotated[list[Ref], Field(max_length=1000)] = Field(
        default_factory=list, description="networks a non-admin token may use"
    )
    expires_at: IsoDateTime | None = None


class TokenRead(BaseModel):
    id: str
    name: str
    role: Role
    networks: list[str] | None = Field(description="null: every network (admin)")
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenIssued(TokenRead):
    secret: str = Field(description="shown once; store it safely")
    sign_in_link: str = Field(
        description="the workspace with the token in the fragment (never sent to a server); "
        "shown once, like the secret"
    )


class Health(BaseModel):
    status: str


class Ready(BaseModel):
    status: str = Field(
        description="ready; degraded (serving, but Redis is unreachable); not ready (503)"
    )
    database: bool = Field(description="reachable (a busy or locked database is reachable)")
    migrations_current: bool
    redis: str = Field(
        "off", description="off (not configured), ok, or degraded (limits counted per process)"
    )
