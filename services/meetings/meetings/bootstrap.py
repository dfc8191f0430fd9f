"""The meetings app factory: ``uvicorn --factory meetings.bootstrap:create_app``."""
from __future__ import annotations

from dataclasses import replace
from functools import partial
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine

from shared.service import ServiceSpec, build_service
from shared.subjects import (
    ABSENCE_LIMIT_REACHED, MEETING_OBLIGATION_CLOSED, MEETING_RATED, MEETING_RATING_ENDORSED, MEETING_RECORDED,
    MEETING_SCHEDULED, ConsumerSpec,
)

from meetings import api, api_ratings, notices, record_api, sources_api, subscribers, web, web_notices, web_rubrics
from meetings.config import Settings
from meetings.models import outbox

SERVICE_DIR = Path(__file__).resolve().parent.parent


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    settings = settings or Settings()
    roster, rating = (_tuned(spec, settings) for spec in (subscribers.ROSTER, subscribers.RATING))
    spec = ServiceSpec(
        name="meetings", title="Chibo — Sinh hoạt chi bộ / Cell meetings",
        description="Ghi nhận buổi sinh hoạt chi bộ và xếp loại theo thang điểm / "
                    "Records cell meetings and rates them under versioned rubrics",
        service_dir=SERVICE_DIR, outbox=outbox,
        routers=[web.router, api.router, api_ratings.router, record_api.router, web_rubrics.router,
                 web_notices.router, sources_api.router],
        publishes=[MEETING_RECORDED, MEETING_RATED, MEETING_RATING_ENDORSED, ABSENCE_LIMIT_REACHED, MEETING_SCHEDULED,
                   MEETING_OBLIGATION_CLOSED],
        consumers=[(roster, partial(subscribers.roster_handler, spec=roster)),
                   (rating, partial(subscribers.rating_handler, spec=rating))],
        background=[subscribers.obligation_sweeper(settings.obligation_sweep_interval_s),
                    *([subscribers.rerate_worker] if settings.start_consumers else [])],
    )
    app = build_service(spec, settings, engine=engine)
    app.state.notice_senders = notices.external_senders(settings.notice_senders, app.state.runtime.logger)
    app.mount("/meetings/static", StaticFiles(directory=web.STATIC_DIR), name="meetings-static")
    return app


def _tuned(spec: ConsumerSpec, settings: Settings) -> ConsumerSpec:
    return replace(spec, max_deliver=settings.consumer_max_deliver, backoff_s=tuple(settings.consumer_backoff_s),
                   ack_wait_s=settings.consumer_ack_wait_s)
