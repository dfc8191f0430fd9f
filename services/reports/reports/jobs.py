"""Background exports of a whole subtree: a job row with its progress and, when done, the file.

The work runs in a worker thread of the instance that accepted the job; after every chunk of organizations
it commits the progress and wakes the job's progress streams. A job left ``running`` by an instance that
stopped is not resumed (create a new one).
"""
from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Column, DateTime, Integer, LargeBinary, MetaData, String, Table, Text, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from shared.db import in_thread
from reports import exports, generation

metadata = MetaData()  # not the projection's: a rebuild of the projection leaves jobs alone
JOB = Table(
    "export_job", metadata,
    Column("id", String(36), primary_key=True), Column("creator", String(100), nullable=False),
    Column("creator_org_id", String(36), nullable=False), Column("org_id", String(36), nullable=False),
    Column("period", String(7), nullable=False), Column("format", String(8), nullable=False),
    Column("status", String(12), nullable=False), Column("rows_done", Integer, nullable=False, default=0),
    Column("rows_total", Integer, nullable=False, default=0), Column("tables_done", Integer, nullable=False, default=0),
    Column("tables_total", Integer, nullable=False, default=0), Column("percent", Integer, nullable=False, default=0),
    Column("error", Text), Column("filename", String(200)), Column("content", LargeBinary),
    Column("created_at", DateTime(timezone=True), nullable=False), Column("finished_at", DateTime(timezone=True)),
)
FINISHED = ("done", "failed")
STATUS_VI = {"queued": "Đang chờ", "running": "Đang xuất", "done": "Hoàn thành", "failed": "Lỗi"}


def percent(rows_done: int, rows_total: int, tables_done: int, tables_total: int) -> int:
    """Gathering the rows is most of the work (90 %), writing the tables the rest; at most 99 while running:
    100 is set with the stored file."""
    gathered = rows_done / rows_total if rows_total else 1.0
    written = tables_done / tables_total if tables_total else 0.0
    return min(99, int(90 * gathered + 10 * written))


def create(engine: Engine, *, creator: str, creator_org_id: str, org_id: str, period: str, fmt: str) -> str:
    job_id = str(uuid.uuid4())
    with Session(engine) as session:
        session.execute(JOB.insert().values(
            id=job_id, creator=creator, creator_org_id=creator_org_id, org_id=org_id, period=period, format=fmt,
            status="queued", rows_done=0, rows_total=0, tables_done=0, tables_total=0, percent=0,
            created_at=datetime.now(timezone.utc)))
        session.commit()
    return job_id


def read(engine: Engine, job_id: str, with_content: bool = False) -> dict | None:
    columns = [c for c in JOB.c if with_content or c.name != "content"]
    with Session(engine) as session:
        row = session.execute(select(*columns).where(JOB.c.id == job_id)).mappings().first()
    return dict(row) if row else None


def public(job: dict) -> dict:
    """The job as the API shows it (never the file itself)."""
    keys = ("id", "org_id", "period", "format", "status", "rows_done", "rows_total", "tables_done", "tables_total",
            "percent", "error", "filename", "created_at", "finished_at")
    out = {k: job.get(k) for k in keys}
    out["status_vi"] = STATUS_VI.get(job["status"], job["status"])
    out["file_url"] = f"/reports/api/export-jobs/{job['id']}/file" if job["status"] == "done" else None
    for key in ("created_at", "finished_at"):
        out[key] = out[key].isoformat() if out[key] else None
    return out


def _set(engine: Engine, job_id: str, **values) -> None:
    with Session(engine) as session:
        session.execute(update(JOB).where(JOB.c.id == job_id).values(**values))
        session.commit()


def run(engine: Engine, job_id: str, place: str, notify=lambda: None, chunk: int = 500) -> None:
    """Do one job (in a worker thread): progress committed after each chunk, the file at the end."""
    job = read(engine, job_id)
    _set(engine, job_id, status="running")
    notify()

    def progress(rows_done: int, rows_total: int, tables_done: int, tables_total: int) -> None:
        _set(engine, job_id, rows_done=rows_done, rows_total=rows_total, tables_done=tables_done,
             tables_total=tables_total, percent=percent(rows_done, rows_total, tables_done, tables_total))
        notify()

    try:
        with Session(generation.current(engine)) as session:  # the projection in force (the job row: home)
            rendered = exports.build(session, job["org_id"], job["period"], job["format"], subtree=True, place=place,
                                     progress=progress, chunk=chunk)
    except Exception as exc:  # the job shows the failure; the service keeps serving
        _set(engine, job_id, status="failed", error=f"{exc.__class__.__name__}: {exc}",
             finished_at=datetime.now(timezone.utc))
        notify()
        raise
    _set(engine, job_id, status="done", percent=100, filename=rendered.filename, content=rendered.content,
         finished_at=datetime.now(timezone.utc))
    notify()


@dataclass(eq=False)  # hashed by identity: two streams may watch the same job
class Watch:
    job_id: str
    changed: asyncio.Event


class ExportJobs:
    """Starts jobs on this instance and wakes the progress streams watching them."""

    def __init__(self, engine: Engine, place: str = "", chunk: int = 500) -> None:
        self.engine, self.place, self.chunk = engine, place, chunk
        self._tasks: set[asyncio.Task] = set()
        self._watches: set[Watch] = set()

    def __len__(self) -> int:
        """Open progress streams (0 once every client has gone)."""
        return len(self._watches)

    def start(self, job_id: str) -> asyncio.Task:
        loop = asyncio.get_running_loop()

        def notify() -> None:
            loop.call_soon_threadsafe(self._wake, job_id)

        work = in_thread(run, self.engine, job_id, self.place, notify, self.chunk)
        task = asyncio.create_task(work, name=f"export-{job_id}")
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled():
            task.exception()  # already recorded on the job row; retrieved so asyncio does not warn

    def _wake(self, job_id: str) -> None:
        for watch in self._watches:
            if watch.job_id == job_id:
                watch.changed.set()

    def watch(self, job_id: str) -> Watch:
        watch = Watch(job_id, asyncio.Event())
        self._watches.add(watch)
        return watch

    def unwatch(self, watch: Watch) -> None:
        self._watches.discard(watch)
