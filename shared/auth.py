"""Signed bearer tokens (JWT, HS256) carrying a role and an organization id.

Members issues them at login; every service verifies them and checks that the
organization a request touches lies in the caller's subtree (LESSONS §3.2: an
allow if the caller's organization is the target or any of its ancestors).
"""
from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Annotated

import jwt
from fastapi import Depends, Request

from shared.errors import Forbidden, NotAuthenticated

COOKIE_NAME = "chibo_token"
# Broadest first. What each may write is decided by each service's routes.
ROLES = ("province", "committee", "secretary", "member")
ROLE_LABELS_VI = {"province": "Cán bộ Tỉnh ủy", "committee": "Cán bộ Đảng ủy", "secretary": "Bí thư chi bộ",
                  "member": "Đảng viên"}


@dataclass(frozen=True)
class Principal:
    username: str
    role: str
    org_id: uuid.UUID
    name: str = ""

    def may(self, *roles: str) -> bool:
        return self.role in roles


def issue_token(secret: str, *, username: str, role: str, org_id: uuid.UUID, name: str = "", ttl_minutes: int = 720) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    now = datetime.now(timezone.utc)
    claims = {"sub": username, "role": role, "org": str(org_id), "name": name, "iat": now,
              "exp": now + timedelta(minutes=ttl_minutes), "iss": "chibo"}
    return jwt.encode(claims, secret, algorithm="HS256")


def verify_token(secret: str, token: str) -> Principal:
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], issuer="chibo", options={"require": ["exp", "sub"]})
        principal = Principal(claims["sub"], claims["role"], uuid.UUID(claims["org"]), claims.get("name", ""))
    except (jwt.PyJWTError, KeyError, ValueError):
        raise NotAuthenticated() from None
    if principal.role not in ROLES:
        raise NotAuthenticated()
    return principal


def token_from_request(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(COOKIE_NAME)


def principal_of(request: Request) -> Principal:
    """The verified caller (secret from app.state.settings); NotAuthenticated without a token."""
    token = token_from_request(request)
    if not token:
        raise NotAuthenticated()
    return verify_token(request.app.state.settings.jwt_secret, token)


async def current_principal(request: Request) -> Principal:
    """FastAPI dependency: ``principal_of`` (async: a signature check, no trip to the thread pool)."""
    return principal_of(request)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: str) -> Callable[[Principal], Principal]:
    def dependency(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise Forbidden("Vai trò của bạn không được làm việc này", "Your role may not do this")
        return principal

    return dependency


def ensure_in_subtree(principal: Principal, lineage: Iterable[uuid.UUID]) -> None:
    """``lineage`` is the target organization and all its ancestors; 403 unless it contains the caller's."""
    if principal.org_id not in set(lineage):
        raise Forbidden()
