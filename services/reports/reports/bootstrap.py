"""Build the reports app: ``uvicorn --factory reports.bootstrap:create_app``."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.engine import Engine

from shared.service import ServiceSpec, build_service
from reports import api, export_api, web
from reports.config import Settings
from reports.hub import FiguresHub
from reports.jobs import ExportJobs
from reports.subscribers import consumer_specs, projector, roll_base_keeper

SERVICE_DIR = Path(__file__).resolve().parent.parent


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    settings = settings or Settings()
    hub = FiguresHub(settings.sse_queue_size)
    spec = ServiceSpec(
        name="reports", title="Chibo — Báo cáo / Reports",
        description="Số liệu sinh hoạt chi bộ theo tổ chức và kỳ / Cell-meeting figures by organization and period",
        service_dir=SERVICE_DIR, routers=[api.router, export_api.router, web.router],
        consumers=[(cspec, projector(hub)) for cspec in consumer_specs(settings)],
        background=[roll_base_keeper(settings.roll_base_interval_s)],
    )
    app = build_service(spec, settings, engine=engine)
    app.state.hub = hub
    app.state.export_jobs = ExportJobs(app.state.runtime.engine, settings.report_place,
                                        settings.export_chunk_size)
    return app
