"""HR import previews and commits as background jobs, so a large file does not run inside the upload
request and its progress can be shown. The job row (hr_import_job) keeps the state and the result; the row
counter of a running job is kept in memory by the process running it (writing it to the database from
inside the commit's transaction would contend with that transaction on SQLite) and written with the result."""
from __future__ import annotations

import json
import logging
import threading
import uuid
from datetime import date, datetime, timezone

from sqlalchemy.engine import Engine

from members import hr_usecases, queries, xlsx_stream
from members.hr import Mapping
from members.models import HrImportJob
from members.rights import require_role
from shared import clock
from shared.auth import Principal
from shared.errors import ChiboError, Forbidden, NotFound
from shared.uow import UnitOfWork

log = logging.getLogger(__name__)
_LIVE: dict[uuid.UUID, int] = {}  # job id -> rows done so far, while it runs in this process
_LOCK = threading.Lock()


def estimate_rows(filename: str, content: bytes) -> int | None:
    """Data rows expected (for the bar): CSV lines, or the XLSX sheet's dimension; None when unknown."""
    name = filename.lower()
    if name.endswith(".csv"):
        return max(0, content.count(b"\n") - 1 + (0 if content.endswith(b"\n") else 1))
    if name.endswith(".xlsx"):
        last = xlsx_stream.row_count(content)
        return None if last is None else max(0, last - 1)
    return None


def _new_job(engine: Engine, outbox, kind: str, principal: Principal, filename: str, total: int | None,
             import_id: uuid.UUID | None = None) -> uuid.UUID:
    job = HrImportJob(id=uuid.uuid4(), kind=kind, status="running", phase="reading" if kind == "preview" else
                      "matching", total_rows=total, filename=filename[:300], import_id=import_id,
                      created_by=principal.username, scope_org_id=principal.org_id)
    with UnitOfWork(engine, outbox) as uow:
        uow.session.add(job)
        uow.commit()
    with _LOCK:
        _LIVE[job.id] = 0
    return job.id


def _progress(job_id: uuid.UUID):
    def tick(n: int) -> None:
        with _LOCK:
            _LIVE[job_id] = _LIVE.get(job_id, 0) + n
    return tick


def _finish(engine: Engine, outbox, job_id: uuid.UUID, *, import_id: uuid.UUID | None = None, done: int | None = None,
            error: ChiboError | None = None) -> None:
    with _LOCK:
        counted = _LIVE.pop(job_id, 0)
    with UnitOfWork(engine, outbox) as uow:
        job = uow.session.get(HrImportJob, job_id)
        job.status, job.phase = ("failed" if error else "done"), ""
        job.done_rows = done if done is not None else counted
        if import_id is not None:
            job.import_id = import_id
        if error is not None:
            job.error_vi, job.error_en = error.vi[:500], error.en[:500]
        job.finished_at = datetime.now(timezone.utc)
        uow.session.add(job)
        uow.commit()


def _run(engine: Engine, outbox, job_id: uuid.UUID, work) -> None:
    try:
        import_id, done = work()
        _finish(engine, outbox, job_id, import_id=import_id, done=done)
    except ChiboError as exc:
        _finish(engine, outbox, job_id, error=exc)
    except Exception as exc:  # noqa: BLE001 — the job must end as failed, with the cause in the log
        log.exception("HR import job %s failed", job_id)
        _finish(engine, outbox, job_id, error=ChiboError("Lỗi hệ thống khi nhập tệp, hãy thử lại",
                                                         f"System error during the import ({exc.__class__.__name__})"))


def start_preview(engine: Engine, outbox, principal: Principal, filename: str, content: bytes, *, mapping: Mapping,
                  effective_from: date, wait: bool = False) -> uuid.UUID:
    """A job that previews the file in a background thread; returns its id at once (``wait``: in this thread)."""
    require_role(principal, hr_usecases.IMPORTERS)
    job_id = _new_job(engine, outbox, "preview", principal, filename, estimate_rows(filename, content))

    def work():
        record = hr_usecases.preview_import(UnitOfWork(engine, outbox), filename, content, principal, mapping=mapping,
                                            effective_from=effective_from, progress=_progress(job_id))
        return record.id, json.loads(record.summary)["total"]

    return _launch(engine, outbox, job_id, work, wait)


def start_commit(engine: Engine, outbox, principal: Principal, import_id: uuid.UUID, wait: bool = False) -> uuid.UUID:
    """A job that commits a preview (checked for rights and state first, so refusals answer at once)."""
    record = hr_usecases.get_import(UnitOfWork(engine, outbox), import_id, principal)
    total = json.loads(record.summary)["total"]
    job_id = _new_job(engine, outbox, "commit", principal, record.filename, total, import_id)

    def work():
        summary = hr_usecases.commit_import(UnitOfWork(engine, outbox), import_id, principal,
                                            progress=_progress(job_id))
        return import_id, summary["total"]

    return _launch(engine, outbox, job_id, work, wait)


def _launch(engine, outbox, job_id, work, wait: bool) -> uuid.UUID:
    if wait:
        _run(engine, outbox, job_id, work)
    else:
        threading.Thread(target=_run, args=(engine, outbox, job_id, work), name=f"hr-job-{job_id}",
                         daemon=True).start()
    return job_id


def job_status(engine: Engine, outbox, job_id: uuid.UUID, principal: Principal) -> dict:
    """The job as the page shows it: state, phase, rows done of total, percent, the preview it made."""
    require_role(principal, hr_usecases.IMPORTERS)
    with UnitOfWork(engine, outbox) as uow:
        job = uow.session.get(HrImportJob, job_id)
        if job is None:
            raise NotFound("Không tìm thấy công việc nhập này", "No such import job")
        if job.scope_org_id is None or principal.org_id not in queries.lineage(uow.session, job.scope_org_id,
                                                                               clock.today()):
            raise Forbidden()
        uow.session.expunge(job)
    with _LOCK:
        live = _LIVE.get(job.id)
    done = live if live is not None and job.status == "running" else job.done_rows
    total = job.total_rows
    if total is not None and done > total:
        total = done
    phase = job.phase
    if job.status == "running" and job.kind == "preview" and total is not None and done >= total:
        phase = "matching"  # every row read: matching and storing the preview
    percent = 100 if job.status == "done" else (min(99, int(done * 100 / total)) if total else None)
    return {"id": str(job.id), "kind": job.kind, "status": job.status, "phase": phase, "done_rows": done,
            "total_rows": total, "percent": percent, "filename": job.filename,
            "import_id": str(job.import_id) if job.import_id else None,
            "error_vi": job.error_vi, "error_en": job.error_en}
