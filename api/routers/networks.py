"""Networks: admins create and change them; every role lists the ones it may use."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from api.deps import (
    ALL_ROLES,
    CurrentPrincipal,
    Limit,
    Scope,
    SessionDep,
    SettingsDep,
    page_limit,
    require_roles,
    scope,
)
from api.errors import CONFLICT, PROBLEM_RESPONSES
from api.schemas import NetworkCreate, NetworkRead, NetworkUpdate, PageOf
from netwerk.model import Role
from netwerk.store import networks
from netwerk.store.tokens import Principal

router = APIRouter(prefix="/api/v1/networks", tags=["networks"], responses=PROBLEM_RESPONSES)

AdminOnly = Annotated[Principal, Depends(require_roles(Role.admin))]


@router.post(
    "",
    response_model=NetworkRead,
    status_code=201,
    operation_id="createNetwork",
    responses={409: CONFLICT},
)
def create_network(body: NetworkCreate, session: SessionDep, _: AdminOnly) -> NetworkRead:
    network = networks.create_network(session, **body.model_dump())
    session.commit()
    return NetworkRead.model_validate(network)


@router.get("", response_model=PageOf[NetworkRead], operation_id="listNetworks")
def list_networks(
    session: SessionDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
    limit: Limit | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> PageOf[NetworkRead]:
    page = networks.list_networks(
        session, allowed=principal.networks, limit=page_limit(settings, limit), cursor=cursor
    )
    return PageOf[NetworkRead](
        items=[NetworkRead.model_validate(n) for n in page.items], next_cursor=page.next_cursor
    )


@router.get("/{nid}", response_model=NetworkRead, operation_id="getNetwork")
def get_network(session: SessionDep, s: Annotated[Scope, scope(*ALL_ROLES)]) -> NetworkRead:
    return NetworkRead.model_validate(networks.get_network(session, s.network_id))


@router.patch("/{nid}", response_model=NetworkRead, operation_id="updateNetwork")
def update_network(
    body: NetworkUpdate, session: SessionDep, s: Annotated[Scope, scope(Role.admin)]
) -> NetworkRead:
    network = networks.update_network(session, s.network_id, body.model_dump(exclude_unset=True))
    session.commit()
    return NetworkRead.model_validate(network)


@router.delete("/{nid}", status_code=204, response_class=Response, operation_id="deleteNetwork")
def delete_network(session: SessionDep, s: Annotated[Scope, scope(Role.admin)]) -> Response:
    networks.delete_network(session, s.network_id)
    session.commit()
    return Response(status_code=204)
