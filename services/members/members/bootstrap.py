"""The members app factory: ``uvicorn --factory members.bootstrap:create_app``."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine

from members import api, finance_api, models, sources_api, subscribers, ui_api, ui_web, web
from members.config import Settings
from shared.service import ServiceSpec, build_service
from shared.subjects import (BADGE_AWARDED, MEMBER_ADMITTED, MEMBER_EXEMPTED, MEMBER_EXEMPTION_ENDED,
                             MEMBER_MADE_OFFICIAL, MEMBER_PROFILE_CHANGED, MEMBER_REGISTERED,
                             MEMBER_TEMPORARILY_TRANSFERRED, MEMBER_TEMPORARY_TRANSFER_ENDED, MEMBER_TRANSFER_RECEIVED,
                             MEMBER_TRANSFERRED, MEMBERSHIP_ENDED, ORGANIZATION_CREATED, ORGANIZATION_DISSOLVED,
                             ORGANIZATION_MOVED, ORGANIZATION_RECLASSIFIED, ORGANIZATION_RENAMED, PARTY_CARD_ISSUED)

# Every subject this service publishes (the lifecycle ones since 0002).
LIFECYCLE_SUBJECTS = (ORGANIZATION_RENAMED, ORGANIZATION_RECLASSIFIED, ORGANIZATION_MOVED, ORGANIZATION_DISSOLVED,
                      MEMBER_ADMITTED, MEMBER_PROFILE_CHANGED, MEMBER_MADE_OFFICIAL, MEMBER_TRANSFERRED,
                      MEMBER_TRANSFER_RECEIVED, MEMBER_TEMPORARILY_TRANSFERRED, MEMBER_TEMPORARY_TRANSFER_ENDED,
                      MEMBER_EXEMPTED, MEMBER_EXEMPTION_ENDED, MEMBERSHIP_ENDED, PARTY_CARD_ISSUED, BADGE_AWARDED)

SERVICE_DIR = Path(__file__).resolve().parent.parent


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    settings = settings or Settings()
    spec = ServiceSpec(
        name="members", title="Chibo — Đảng viên và tổ chức (members)",
        description="Cây tổ chức đảng, hồ sơ đảng viên, tài khoản và đăng nhập / "
                    "Party organization tree, member records, accounts and sign-in",
        service_dir=SERVICE_DIR, routers=[web.router, ui_web.router, ui_api.router, api.router, finance_api.router, sources_api.router],
        outbox=models.outbox, consumers=subscribers.CONSUMERS,
        publishes=[ORGANIZATION_CREATED, MEMBER_REGISTERED, *LIFECYCLE_SUBJECTS, *finance_api.PUBLISHES],
    )
    app = build_service(spec, settings, engine=engine)
    app.add_exception_handler(ui_web.SignInNeeded, ui_web.sign_in_redirect)
    app.mount("/members/static", StaticFiles(directory=web.STATIC_DIR), name="members-static")
    return app
