"""Exports: a report as XLSX or PDF at once, and background export jobs for a whole subtree."""
from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field
from sqlmodel import Session

from shared.auth import Principal, require_roles
from shared.db import in_thread
from shared.errors import ChiboError, NotFound
from reports import exports, generation, jobs
from reports.access import authorized_org, check_org, valid_period

router = APIRouter(prefix="/reports/api", tags=["exports"])
# Members read their cell's dashboard; reports are issued by secretaries and committees.
Exporter = Annotated[Principal, Depends(require_roles("province", "committee", "secretary"))]


class JobRequest(BaseModel):
    org_id: uuid.UUID | None = Field(None, description="Organization (default: the caller's own)")
    period: str | None = Field(None, examples=["2026-03", "2026-Q1", "2026"])
    format: str = Field("xlsx", description="xlsx or pdf")


class NotReady(ChiboError):
    status_code = 409

    def __init__(self) -> None:
        super().__init__("Tệp xuất chưa sẵn sàng", "The export file is not ready yet")


@router.get("/export", response_class=Response, responses={200: {"content": {m: {} for m in exports.FORMATS.values()}}})
def export(request: Request, principal: Exporter,
           org: Annotated[uuid.UUID | None, Query(description="Organization (default: the caller's own)")] = None,
           org_id: Annotated[uuid.UUID | None, Query(include_in_schema=False)] = None,
           period: Annotated[str | None, Query(description="2026-03, 2026-Q1 or 2026")] = None,
           format: Annotated[str | None, Query(description="xlsx or pdf")] = None) -> Response:
    """The report of an organization (and its direct children) for a period, as XLSX or PDF."""
    fmt, period = exports.valid_format(format), valid_period(period)
    with Session(generation.current(request.app.state.runtime.engine)) as session:  # the projection in force
        target = authorized_org(session, principal, org or org_id)
        rendered = exports.build(session, target, period, fmt, place=request.app.state.settings.report_place)
    return Response(rendered.content, media_type=rendered.media_type,
                    headers={"Content-Disposition": rendered.disposition()})


@router.post("/export-jobs", status_code=202)
async def create_job(request: Request, principal: Exporter, body: JobRequest) -> JSONResponse:
    """Start a background export of every organization in a subtree; answers 202 with the job to follow."""
    fmt, period = exports.valid_format(body.format), valid_period(body.period)
    engine = request.app.state.runtime.engine  # export jobs live in the home database, figures in the projection
    target = await in_thread(lambda: check_org(generation.current(engine), principal, body.org_id))
    job_id = await in_thread(lambda: jobs.create(engine, creator=principal.username,
                                                 creator_org_id=str(principal.org_id), org_id=target, period=period,
                                                 fmt=fmt))
    request.app.state.export_jobs.start(job_id)
    job = await in_thread(jobs.read, engine, job_id)
    return JSONResponse(jobs.public(job), status_code=202,
                        headers={"Location": f"/reports/api/export-jobs/{job_id}"})


def _readable_job(request: Request, principal: Principal, job_id: uuid.UUID) -> dict:
    """The job (without its file) if the caller may read it: its organization lies in the caller's subtree."""
    engine = request.app.state.runtime.engine
    job = jobs.read(engine, str(job_id))
    if job is None:
        raise NotFound("Không tìm thấy yêu cầu xuất báo cáo", "No such export job")
    check_org(generation.current(engine), principal, uuid.UUID(job["org_id"]))
    return job


@router.get("/export-jobs/{job_id}")
def read_job(request: Request, principal: Exporter, job_id: uuid.UUID) -> dict:
    """Progress of an export job: rows (organizations) and tables done, percent, and the file link when done."""
    return jobs.public(_readable_job(request, principal, job_id))


@router.get("/export-jobs/{job_id}/file", response_class=Response)
def download_job(request: Request, principal: Exporter, job_id: uuid.UUID) -> Response:
    """The finished export (409 while it is still running)."""
    if _readable_job(request, principal, job_id)["status"] != "done":
        raise NotReady()
    job = jobs.read(request.app.state.runtime.engine, str(job_id), with_content=True)
    rendered = exports.Rendered(job["content"], exports.FORMATS[job["format"]], job["filename"])
    return Response(rendered.content, media_type=rendered.media_type,
                    headers={"Content-Disposition": rendered.disposition()})


@router.get("/export-jobs/{job_id}/stream", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}}, "description": "`event: progress` messages"}})
async def stream_job(request: Request, principal: Exporter, job_id: uuid.UUID) -> StreamingResponse:
    """Server-Sent Events: `event: progress` at each step of the job, the last one when it is done or failed."""
    await in_thread(_readable_job, request, principal, job_id)
    return StreamingResponse(_progress(request, str(job_id)), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


async def _progress(request: Request, job_id: str) -> AsyncIterator[str]:
    registry: jobs.ExportJobs = request.app.state.export_jobs
    engine, heartbeat = request.app.state.runtime.engine, request.app.state.settings.sse_heartbeat_s
    watch = registry.watch(job_id)
    try:
        yield "retry: 3000\n: connected\n\n"
        while True:
            watch.changed.clear()
            job = jobs.public(await in_thread(jobs.read, engine, job_id))
            yield f"event: progress\ndata: {json.dumps(job, ensure_ascii=False)}\n\n"
            if job["status"] in jobs.FINISHED:
                return
            while not watch.changed.is_set():
                try:
                    await asyncio.wait_for(watch.changed.wait(), heartbeat)
                except TimeoutError:
                    yield ": heartbeat\n\n"
    finally:
        registry.unwatch(watch)
