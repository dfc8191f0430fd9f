"""JSON routes behind the web pages (issue 3 items 7–8): member search, HR import jobs with progress."""
from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from pydantic import BaseModel

from members import hr_jobs, search
from members.api import get_uow
from members.finance_api import MAX_UPLOAD_BYTES
from members.hr import load_mapping
from shared import clock
from shared.auth import CurrentPrincipal
from shared.db import in_thread
from shared.errors import ValidationFailed
from shared.uow import UnitOfWork

router = APIRouter(prefix="/members/api", tags=["members search and import jobs"])


class MemberHitPublic(BaseModel):
    id: uuid.UUID
    full_name: str
    status: str
    date_of_birth: date
    cccd: str | None
    party_card_number: str | None
    organization_id: uuid.UUID
    organization_name: str
    sector: str


class MemberSearchPublic(BaseModel):
    items: list[MemberHitPublic]
    total: int
    offset: int
    limit: int


class ImportJobPublic(BaseModel):
    id: uuid.UUID
    kind: str
    status: str
    phase: str
    done_rows: int
    total_rows: int | None
    percent: int | None
    filename: str
    import_id: uuid.UUID | None
    error_vi: str | None
    error_en: str | None


async def filters_of(q: str = "", status: str | None = None, sector: str | None = None,
                     cell_id: uuid.UUID | None = None, age_band: str | None = None, offset: int = 0,
                     limit: int = 50) -> search.MemberFilters:
    """The query string as filters (pure: async so FastAPI does not send it to the thread pool)."""
    return search.MemberFilters(q=q or "", status=status or None, sector=sector or None, cell_id=cell_id,
                                age_band=age_band or None, offset=offset, limit=limit)


@router.get("/members/search", response_model=MemberSearchPublic)
async def search_members(request: Request, principal: CurrentPrincipal,
                         f: search.MemberFilters = Depends(filters_of)) -> MemberSearchPublic:
    """Members of your subtree by name (without diacritics: "nguyen van an"), CCCD or party card number,
    filtered by status, sector, cell and age band; one page in name order, with the total."""
    # One trip to the thread pool for the whole query (a sync route and sync dependencies take one each).
    hits, total = await in_thread(search.search_members, get_uow(request), principal, f)
    return MemberSearchPublic(items=[MemberHitPublic(**vars(h)) for h in hits], total=total, offset=f.offset,
                              limit=f.limit)


@router.post("/hr/import-jobs", status_code=202, response_model=ImportJobPublic)
async def start_import_preview(request: Request, principal: CurrentPrincipal, file: UploadFile = File(...),
                               effective_from: date | None = Query(None)) -> ImportJobPublic:
    """Upload an HR export and preview it in the background; poll the job for its progress."""
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise ValidationFailed.of("file", "Tệp quá lớn (tối đa 64 MB)", "The file is too large (64 MB at most)")
    return await in_thread(lambda: _preview_job(request, principal, file.filename or "upload.csv", content,
                                                effective_from or clock.today()))


def _runtime(request: Request):
    runtime = request.app.state.runtime
    return runtime.engine, runtime.outbox


def _preview_job(request: Request, principal, filename: str, content: bytes, effective_from: date) -> ImportJobPublic:
    engine, outbox = _runtime(request)
    mapping = load_mapping(getattr(request.app.state.settings, "hr_mapping_path", None))
    job_id = hr_jobs.start_preview(engine, outbox, principal, filename, content, mapping=mapping,
                                   effective_from=effective_from)
    return ImportJobPublic(**hr_jobs.job_status(engine, outbox, job_id, principal))


@router.post("/hr/imports/{import_id}/commit-job", status_code=202, response_model=ImportJobPublic)
def start_import_commit(import_id: uuid.UUID, request: Request, principal: CurrentPrincipal) -> ImportJobPublic:
    """Commit a preview in the background; poll the job for its progress."""
    engine, outbox = _runtime(request)
    job_id = hr_jobs.start_commit(engine, outbox, principal, import_id)
    return ImportJobPublic(**hr_jobs.job_status(engine, outbox, job_id, principal))


@router.get("/hr/import-jobs/{job_id}", response_model=ImportJobPublic)
def import_job(job_id: uuid.UUID, request: Request, principal: CurrentPrincipal) -> ImportJobPublic:
    """A preview or commit job: running / done / failed, rows done of the total, the preview it made."""
    engine, outbox = _runtime(request)
    return ImportJobPublic(**hr_jobs.job_status(engine, outbox, job_id, principal))
