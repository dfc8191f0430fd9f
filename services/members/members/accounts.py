"""User accounts: salted PBKDF2 password hashes, creation and sign-in."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from functools import cache

from sqlalchemy.engine import Engine
from sqlmodel import Session

from members import audit
from members.models import Organization, UserAccount
from shared.auth import ROLES
from shared.errors import ValidationFailed

ITERATIONS = 240_000


def hash_password(password: str, *, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return f"pbkdf2_sha256${iterations}${salt.hex()}${digest.hex()}"


@cache
def _dummy_hash() -> str:
    return hash_password("not-a-password")


def check_password(password: str, stored: str) -> bool:
    try:
        algorithm, iterations, salt, digest = stored.split("$")
    except ValueError:
        return False
    if algorithm != "pbkdf2_sha256":
        return False
    candidate = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), int(iterations))
    return hmac.compare_digest(candidate.hex(), digest)


@dataclass(frozen=True)
class NewUser:
    username: str
    password: str
    role: str
    org_id: uuid.UUID
    display_name: str = ""


def create_user(engine: Engine, cmd: NewUser, *, actor: str = "system") -> bool:
    """Create the account; False when the username exists already (idempotent loaders)."""
    if cmd.role not in ROLES:
        raise ValidationFailed.of("role", "Vai trò không hợp lệ", "Unknown role")
    if len(cmd.password) < 8:
        raise ValidationFailed.of("password", "Mật khẩu phải có ít nhất 8 ký tự", "The password needs 8+ characters")
    with Session(engine) as session:
        if session.get(UserAccount, cmd.username) is not None:
            return False
        if session.get(Organization, cmd.org_id) is None:
            raise ValidationFailed.of("org_id", "Không tìm thấy tổ chức", "Unknown organization")
        session.add(UserAccount(username=cmd.username, password_hash=hash_password(cmd.password), role=cmd.role,
                                org_id=cmd.org_id, display_name=cmd.display_name))
        audit.record(session, actor=actor, entity="user_account", entity_id=cmd.username, action="created",
                     after={"role": cmd.role, "org_id": str(cmd.org_id), "display_name": cmd.display_name})
        session.commit()
    return True


def authenticate(engine: Engine, username: str, password: str) -> UserAccount | None:
    with Session(engine, expire_on_commit=False) as session:
        user = session.get(UserAccount, username.strip())
    if user is None:
        check_password(password, _dummy_hash())  # same cost as a real check: usernames do not leak by timing
        return None
    return user if check_password(password, user.password_hash) else None
