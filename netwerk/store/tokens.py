"""Bearer tokens: a role and the networks it may use. Only a hash of the secret is stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Collection
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from netwerk.errors import NotFound, Unauthorized, ValidationFailed
from netwerk.model import Role, clean_text, enum_value, new_id
from netwerk.store.paging import Page, paginate
from netwerk.store.tables import Network, Token, TokenNetwork, utcnow

__all__ = [
    "IssuedToken",
    "Principal",
    "authenticate",
    "create_token",
    "list_tokens",
    "revoke_token",
    "token_networks",
]

PREFIX = "nw_"


@dataclass(frozen=True)
class Principal:
    """Who is asking: the token's id (never its secret), role and network scope."""

    token_id: str
    role: Role
    networks: frozenset[str] | None  # None: every network (admin)

    def may_use(self, network_id: str) -> bool:
        return self.networks is None or network_id in self.networks


@dataclass(frozen=True)
class IssuedToken:
    token: Token
    secret: str
    networks: tuple[str, ...]


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(
    session: Session,
    *,
    role: str,
    name: str,
    networks: Collection[str] = (),
    expires_at: dt.datetime | None = None,
    created_by: str | None = None,
) -> IssuedToken:
    """Make a token. Admin tokens cover every network; the others need at least one network."""
    role_value = Role(enum_value(Role, role, "role"))
    label = clean_text(name, "name", 200, required=True) or role_value.value
    wanted = sorted(set(networks))
    if role_value is not Role.admin and not wanted:
        raise ValidationFailed("networks", f"a {role_value.value} token needs at least one network")
    if wanted:
        found = set(session.scalars(sa.select(Network.id).where(Network.id.in_(wanted))))
        missing = [n for n in wanted if n not in found]
        if missing:
            raise ValidationFailed("networks", f"network '{missing[0][:40]}' does not exist")
    if expires_at is not None and expires_at.tzinfo is None:
        expires_at = expires_at.replace(tzinfo=dt.UTC)
    if expires_at is not None and expires_at <= utcnow():
        raise ValidationFailed("expires_at", "must be in the future")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = Token(
        id=new_id(),
        secret_hash=_hash(secret),
        name=label,
        role=role_value.value,
        all_networks=role_value is Role.admin,
        expires_at=expires_at,
        created_by=created_by,
    )
    session.add(token)
    session.flush()
    if wanted and role_value is not Role.admin:
        session.execute(
            sa.insert(TokenNetwork), [{"token_id": token.id, "network_id": n} for n in wanted]
        )
    return IssuedToken(token=token, secret=secret, networks=tuple(wanted))


def authenticate(session: Session, secret: str | None) -> Principal:
    """The principal for a bearer secret, or :class:`Unauthorized`."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 100:
        raise Unauthorized("a valid bearer token is required")
    digest = _hash(secret)
    token = session.scalar(sa.select(Token).where(Token.secret_hash == digest))
    # The lookup is by hash; compare again in constant time for good measure.
    if token is None or not hmac.compare_digest(token.secret_hash, digest):
        raise Unauthorized("a valid bearer token is required")
    now = utcnow()
    expires = token.expires_at
    if expires is not None and expires.tzinfo is None:
        expires = expires.replace(tzinfo=dt.UTC)
    if token.revoked_at is not None or (expires is not None and expires <= now):
        raise Unauthorized("this token is revoked or expired")
    role = Role(token.role)
    if role is Role.admin:
        return Principal(token_id=token.id, role=role, networks=None)
    return Principal(
        token_id=token.id, role=role, networks=frozenset(token_networks(session, token.id))
    )


def token_networks(session: Session, token_id: str) -> list[str]:
    return list(
        session.scalars(sa.select(TokenNetwork.network_id).where(TokenNetwork.token_id == token_id))
    )


def list_tokens(session: Session, *, limit: int, cursor: str | None) -> Page[Token]:
    return paginate(session, sa.select(Token), Token.id, limit=limit, cursor=cursor)


def revoke_token(session: Session, token_id: str) -> Token:
    token = session.get(Token, token_id)
    if token is None:
        raise NotFound("token", token_id)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    session.flush()
    return token
