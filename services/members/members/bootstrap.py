"""The members app factory: ``uvicorn --factory members.bootstrap:create_app``."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine

from members import api, models, sources_api, subscribers, web
from members.config import Settings
from shared.service import ServiceSpec, build_service
from shared.subjects import MEMBER_REGISTERED, ORGANIZATION_CREATED

SERVICE_DIR = Path(__file__).resolve().parent.parent


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    settings = settings or Settings()
    spec = ServiceSpec(
        name="members", title="Chibo — Đảng viên và tổ chức (members)",
        description="Cây tổ chức đảng, hồ sơ đảng viên, tài khoản và đăng nhập / "
                    "Party organization tree, member records, accounts and sign-in",
        service_dir=SERVICE_DIR, routers=[web.router, api.router, sources_api.router], outbox=models.outbox,
        publishes=[ORGANIZATION_CREATED, MEMBER_REGISTERED], consumers=subscribers.CONSUMERS,
    )
    app = build_service(spec, settings, engine=engine)
    app.mount("/members/static", StaticFiles(directory=web.STATIC_DIR), name="members-static")
    return app
