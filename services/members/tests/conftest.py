"""Fixtures of the members tests: an app on each backend, a small organization tree, tokens."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from members import models, usecases
from members.bootstrap import create_app
from members.config import Settings
from members.domain import NewMember, NewOrganization
from shared.auth import issue_token
from members.bootstrap import SERVICE_DIR
from shared.db import make_engine, migrate
from shared.uow import UnitOfWork

SECRET = "members-test-secret-at-least-32-bytes-long"
NO_NATS = "nats://127.0.0.1:1"  # nothing listens: API tests must not need a broker
FROM = date(2026, 1, 1)


def members_settings(database_url: str, **overrides) -> Settings:
    values = dict(database_url=database_url, nats_url=NO_NATS, start_relay=False, start_consumers=False,
                  environment="development", jwt_secret=SECRET, log_json=True, log_level="WARNING")
    return Settings(**{**values, **overrides})


@pytest.fixture
def client(database_url):
    with TestClient(create_app(members_settings(database_url))) as c:
        yield c


@pytest.fixture
def engine(database_url):
    migrate(SERVICE_DIR, database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@dataclass
class Tree:
    province: uuid.UUID
    committee: uuid.UUID  # Đảng bộ các cơ quan Đảng
    other_committee: uuid.UUID  # Đảng bộ UBND tỉnh
    cell: uuid.UUID  # under committee
    other_cell: uuid.UUID  # under other_committee
    member: uuid.UUID  # in cell


def create_org(engine: Engine, name: str, kind: str, parent: uuid.UUID | None, sector: str = "administrative") -> uuid.UUID:
    cmd = NewOrganization(name=name, kind=kind, sector=sector, effective_from=FROM, parent_id=parent)
    return usecases.create_organization(UnitOfWork(engine, models.outbox), cmd, None).id


def build_tree(engine: Engine) -> Tree:
    province = create_org(engine, "Đảng bộ tỉnh Phú Thọ", "province", None)
    committee = create_org(engine, "Đảng bộ các cơ quan Đảng tỉnh", "committee", province)
    other = create_org(engine, "Đảng bộ Ủy ban nhân dân tỉnh", "committee", province)
    cell = create_org(engine, "Chi bộ Văn phòng Tỉnh ủy", "grassroots_cell", committee)
    other_cell = create_org(engine, "Chi bộ Công ty TNHH MTV Thủy lợi Phú Thọ", "grassroots_cell", other,
                            "state_enterprise")
    member, _ = usecases.register_member(UnitOfWork(engine, models.outbox), NewMember(
        full_name="Nguyễn Thị Lan", sex="female", date_of_birth=date(1985, 3, 8), status="official",
        organization_id=cell, effective_from=FROM, cccd="025185000001"), None)
    return Tree(province, committee, other, cell, other_cell, member.id)


@pytest.fixture
def tree(engine) -> Tree:
    return build_tree(engine)


def bearer(role: str, org_id: uuid.UUID, username: str | None = None) -> dict[str, str]:
    token = issue_token(SECRET, username=username or f"test-{role}", role=role, org_id=org_id, name="Người thử")
    return {"Authorization": f"Bearer {token}"}


def count(engine: Engine, table) -> int:
    table = getattr(table, "__table__", table)
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def counts(engine: Engine) -> dict[str, int]:
    """Rows in every table the write paths touch: a rejected request must change none."""
    tables = (models.Organization, models.OrganizationParent, models.Member, models.MemberPlacement,
              models.ChangeLog, models.UserAccount, models.outbox)
    return {getattr(t, "__tablename__", getattr(t, "name", "")): count(engine, t) for t in tables}


@pytest.fixture
def auth():
    """``auth(role, org_id)`` -> Authorization header of a signed token."""
    return bearer


@pytest.fixture
def rows():
    """``rows(engine)`` -> row counts of every written table; ``rows(engine, Model)`` -> one count."""
    return lambda engine, table=None: counts(engine) if table is None else count(engine, table)


@pytest.fixture
def settings_for(database_url):
    """``settings_for(**overrides)`` -> test Settings on this test's database."""
    return lambda **overrides: members_settings(database_url, **overrides)
