"""Reports test helpers: a memorable demo tree and event builders."""
from __future__ import annotations

import uuid
from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from shared.db import make_engine, migrate
from shared.events import Attendance, MeetingRated, MeetingRecorded, OrganizationCreated
from reports.bootstrap import SERVICE_DIR
from reports.models import STAT_COLUMNS, PeriodStat


def oid(slug: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"chibo-test/{slug}")


# Tỉnh → Đảng bộ cơ quan Đảng → Đảng bộ Sở Giáo dục → two subordinate cells; and a grassroots cell under the committee.
TREE = [
    ("tinh", None, "Đảng bộ tỉnh Phú Thọ", "province"),
    ("coquan", "tinh", "Đảng bộ các cơ quan Đảng tỉnh", "committee"),
    ("sogd", "coquan", "Đảng bộ Sở Giáo dục và Đào tạo", "grassroots_committee"),
    ("phongtc", "sogd", "Chi bộ Phòng Tổ chức cán bộ", "subordinate_cell"),
    ("vanphong", "sogd", "Chi bộ Văn phòng Sở", "subordinate_cell"),
    ("baotang", "coquan", "Chi bộ Bảo tàng tỉnh", "grassroots_cell"),
]


def org(slug: str, parent: str | None, name: str, kind: str, effective_from: date = date(2025, 7, 1)) -> OrganizationCreated:
    return OrganizationCreated(organization_id=oid(slug), parent_id=oid(parent) if parent else None, name=name,
                               kind=kind, effective_from=effective_from)


def tree_events() -> list[OrganizationCreated]:
    return [org(*row) for row in TREE]


def recorded(meeting: str, cell: str, held_on: date, *, present: int = 8, absent: int = 1, exempt: int = 1,
             spoke: int = 3, revision: int = 1) -> MeetingRecorded:
    people = ([Attendance(member_id=uuid.uuid4(), status="present", spoke=i < spoke) for i in range(present)]
              + [Attendance(member_id=uuid.uuid4(), status="absent_excused", absence_reason="Đi công tác")
                 for _ in range(absent)]
              + [Attendance(member_id=uuid.uuid4(), status="exempt") for _ in range(exempt)])
    return MeetingRecorded(meeting_id=oid(meeting), organization_id=oid(cell), held_on=held_on, kind="regular",
                           duration_minutes=95, attendance=tuple(people), revision=revision)


def rated(meeting: str, cell: str, held_on: date, level: str, *, present: int = 8, expected: int = 9,
          speakers: int = 3, revision: int = 1) -> MeetingRated:
    return MeetingRated(meeting_id=oid(meeting), organization_id=oid(cell), held_on=held_on, kind="regular",
                        rubric_code="phu-tho-2024", rubric_version=1, score=92.0, level=level, present=present,
                        expected=expected, speakers=speakers, revision=revision)


def stat_rows(engine) -> dict[tuple[str, str], tuple]:
    """The whole period_stat table, for comparing projections: its first nine counters (meetings_held, the
    levels, unrated, present, expected, speakers); test_counters.py compares the others."""
    table = PeriodStat.__table__
    with engine.connect() as conn:
        return {(r.org_id, r.period): tuple(r)[2:] for r in conn.execute(
            select(table.c.org_id, table.c.period, *(table.c[c] for c in STAT_COLUMNS[:9])))}


@pytest.fixture
def engine(database_url):
    migrate(SERVICE_DIR, database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def ev() -> SimpleNamespace:
    return SimpleNamespace(oid=oid, org=org, tree=tree_events, recorded=recorded, rated=rated, stats=stat_rows)


@pytest.fixture
def reports_settings(database_url, nats_url):
    from reports.config import Settings
    return Settings(database_url=database_url, nats_url=nats_url, start_consumers=False, log_json=True,
                    log_level="WARNING")


@pytest.fixture
def client(reports_settings):
    from fastapi.testclient import TestClient
    from reports.bootstrap import create_app
    with TestClient(create_app(reports_settings), follow_redirects=False) as test_client:
        yield test_client


def token_for(settings, slug: str, role: str, name: str = "Nguyễn Văn An") -> str:
    from shared.auth import issue_token
    return issue_token(settings.jwt_secret, username=f"{role}-{slug}", role=role, org_id=oid(slug), name=name)


@pytest.fixture
def bearer(reports_settings):
    def make(slug: str, role: str = "secretary") -> dict[str, str]:
        return {"Authorization": f"Bearer {token_for(reports_settings, slug, role)}"}
    return make


@pytest.fixture
def sign_in(client, reports_settings):
    """Put a session cookie for ``slug``/``role`` on the test client, as the login page would."""
    from shared.auth import COOKIE_NAME

    def do(slug: str, role: str = "secretary", name: str = "Nguyễn Văn An") -> None:
        client.cookies.set(COOKIE_NAME, token_for(reports_settings, slug, role, name))
    return do


@pytest.fixture
def serve():
    """``async with serve(app) as base_url``: the app under a real uvicorn on a free port (SSE needs streaming)."""
    import asyncio
    import contextlib
    import time

    import uvicorn
    from deploy.local.procs import free_port

    @contextlib.asynccontextmanager
    async def running(app):
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on",
                                               timeout_graceful_shutdown=2))
        task = asyncio.create_task(server.serve())
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline and not task.done(), "uvicorn did not start"
            await asyncio.sleep(0.02)  # polling for the condition, not a fixed wait
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            await task

    return running


async def next_event(lines, *, want: str = "figures", where=lambda data: True, timeout: float = 15.0) -> dict | str:
    """Read SSE lines until an event named ``want`` whose JSON data satisfies ``where`` (or a comment when want
    starts with ':'); fails after ``timeout`` seconds."""
    import asyncio
    import json

    async with asyncio.timeout(timeout):
        event = None
        async for line in lines:
            if want.startswith(":") and line.startswith(want):
                return line
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event == want:
                data = json.loads(line[5:])
                if where(data):
                    return data
            elif not line:
                event = None
    raise AssertionError("stream ended")


@pytest.fixture
def sse():
    return next_event


@pytest.fixture
def province():
    """The hand-built province's event builders (tests/province_events.py)."""
    import importlib.util
    from pathlib import Path
    spec = importlib.util.spec_from_file_location("reports_province_events", Path(__file__).parent / "province_events.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
