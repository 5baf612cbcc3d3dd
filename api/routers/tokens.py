"""Tokens, managed by admins (the first admin token comes from `netwerk token create`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from api.deps import Limit, SessionDep, SettingsDep, page_limit, require_roles
from api.errors import PROBLEM_RESPONSES
from api.schemas import PageOf, TokenCreate, TokenIssued, TokenRead
from netwerk.model import Role
from netwerk.store import tokens
from netwerk.store.tables import Token
from netwerk.store.tokens import Principal

router = APIRouter(prefix="/api/v1/tokens", tags=["tokens"], responses=PROBLEM_RESPONSES)

AdminOnly = Annotated[Principal, Depends(require_roles(Role.admin))]


def _read(session: SessionDep, token: Token) -> TokenRead:
    networks = None if token.all_networks else tokens.token_networks(session, token.id)
    return TokenRead(
        id=token.id,
        name=token.name,
        role=Role(token.role),
        networks=networks,
        created_at=token.created_at,
        expires_at=token.expires_at,
        revoked_at=token.revoked_at,
    )


@router.post("", response_model=TokenIssued, status_code=201, operation_id="createToken")
def create_token(
    request: Request, body: TokenCreate, session: SessionDep, admin: AdminOnly
) -> TokenIssued:
    """Make a token; its secret (and a sign-in link with it) is in this response only."""
    issued = tokens.create_token(
        session,
        role=body.role.value,
        name=body.name,
        networks=body.networks,
        expires_at=body.expires_at,
        created_by=admin.token_id,
    )
    session.commit()
    return TokenIssued(
        **_read(session, issued.token).model_dump(),
        secret=issued.secret,
        sign_in_link=f"{request.base_url}app#token={issued.secret}",
    )


@router.get("", response_model=PageOf[TokenRead], operation_id="listTokens")
def list_tokens(
    session: SessionDep,
    settings: SettingsDep,
    _: AdminOnly,
    limit: Limit | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> PageOf[TokenRead]:
    """Every token, without secrets."""
    page = tokens.list_tokens(session, limit=page_limit(settings, limit), cursor=cursor)
    return PageOf[TokenRead](
        items=[_read(session, t) for t in page.items], next_cursor=page.next_cursor
    )


@router.delete("/{tid}", response_model=TokenRead, operation_id="revokeToken")
def revoke_token(session: SessionDep, _: AdminOnly, tid: str) -> TokenRead:
    """Revoke a token at once; it answers 401 from then on."""
    token = tokens.revoke_token(session, tid)
    session.commit()
    return _read(session, token)
