"""What every service's ``create_app`` shares: lifespan (migrate, connect, relay,
consumers), correlation ids, /health, /ready, /metrics, /asyncapi and error
handlers. Each service's bootstrap passes its own pieces in; nothing is built
at import time."""
from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from faststream.nats import NatsBroker
from faststream.specification import AsyncAPI
from sqlalchemy import Table
from sqlalchemy.engine import Engine

from shared.consumer import BatchHandler, DurableConsumer
from shared.db import in_thread, make_engine, migrate, ping
from shared.errors import install_error_handlers
from shared.events import CATALOGUE
from shared.logging import CORRELATION_HEADER, bind_correlation_id, configure_logging
from shared.metrics import DeliveryMetrics, HttpTimer, build_metrics, metrics_endpoint
from shared.outbox import OutboxRelay
from shared.settings import ServiceSettings
from shared.streams import ensure_stream
from shared.subjects import ConsumerSpec, stream_for


STALL_AFTER_S = 120.0


@dataclass
class Runtime:
    """The live parts of one service instance, reachable as ``app.state.runtime``."""

    settings: ServiceSettings
    engine: Engine
    metrics: DeliveryMetrics
    logger: Any
    broker: NatsBroker
    outbox: Table | None = None
    relay: OutboxRelay | None = None
    consumers: list[DurableConsumer] = field(default_factory=list)
    tasks: list[asyncio.Task] = field(default_factory=list)
    nats_ready: asyncio.Event = field(default_factory=asyncio.Event)

    def notify_relay(self) -> None:
        if self.relay is not None:
            self.relay.notify()


@dataclass
class ServiceSpec:
    name: str  # members | meetings | reports
    title: str
    description: str
    service_dir: Path  # holds alembic.ini and migrations/
    routers: Sequence[APIRouter]
    outbox: Table | None = None
    publishes: Sequence[str] = ()  # subjects, for streams and the AsyncAPI document
    consumers: Sequence[tuple[ConsumerSpec, Callable[[Runtime], BatchHandler]]] = ()
    on_startup: Callable[[Runtime], Awaitable[None]] | None = None
    background: Sequence[Callable[[Runtime], Awaitable[None]]] = ()


def build_service(spec: ServiceSpec, settings: ServiceSettings, *, engine: Engine | None = None) -> FastAPI:
    logger = configure_logging(spec.name, json=settings.log_json, level=settings.log_level)
    metrics = build_metrics()
    engine = engine or make_engine(settings.database_url)
    broker = NatsBroker(settings.nats_url, logger=None, connect_timeout=5, max_reconnect_attempts=-1)
    runtime = Runtime(settings, engine, metrics, logger, broker, outbox=spec.outbox)
    _document_events(broker, spec)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        if settings.run_migrations:
            await in_thread(migrate, spec.service_dir, settings.database_url)
        runtime.tasks.append(asyncio.create_task(_connect_and_start(runtime, spec), name=f"{spec.name}-start"))
        logger.info("service.started", nats_url=settings.nats_url)
        try:
            yield
        finally:
            for task in runtime.tasks:
                task.cancel()
            if runtime.tasks:  # bounded: a task stuck inside a NATS connect must not hang shutdown
                await asyncio.wait(runtime.tasks, timeout=5)
            for consumer in runtime.consumers:
                await consumer.stop()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(broker.stop(), 5)
            engine.dispose()

    app = FastAPI(title=spec.title, description=spec.description, lifespan=lifespan,
                  docs_url=f"/{spec.name}/docs", openapi_url=f"/{spec.name}/openapi.json", redoc_url=None)
    app.state.settings, app.state.runtime = settings, runtime
    install_error_handlers(app)
    app.add_middleware(HttpTimer, metrics=metrics)
    app.add_middleware(CorrelationMiddleware)  # added last: outermost, every log line of the request has the id
    app.add_route("/metrics", metrics_endpoint(metrics), include_in_schema=False)
    app.add_api_route("/health", _health, include_in_schema=False)
    app.add_api_route("/ready", _ready, include_in_schema=False)
    app.add_api_route(f"/{spec.name}/asyncapi.json", _asyncapi_json(broker, spec), include_in_schema=False)
    for router in spec.routers:
        app.include_router(router)
    return app


async def _connect_and_start(runtime: Runtime, spec: ServiceSpec) -> None:
    """Connect to NATS (retrying until it is there), then start relay and consumers."""
    log = runtime.logger
    while True:
        try:
            await runtime.broker.connect()
            break
        except Exception as exc:
            log.warning("nats.connect_failed", error=repr(exc))
            await asyncio.sleep(1.0)
    js = runtime.broker.connection.jetstream()
    for stream in {stream_for(s).name: stream_for(s) for s in spec.publishes}.values():
        await ensure_stream(js, stream)
    if spec.outbox is not None and runtime.settings.start_relay:
        runtime.relay = _relay(runtime)
        runtime.tasks.append(asyncio.create_task(runtime.relay.run(), name=f"{spec.name}-relay"))
    if runtime.settings.start_consumers:
        for cspec, handler_factory in spec.consumers:
            consumer = DurableConsumer(runtime.broker.connection, cspec, handler_factory(runtime), runtime.metrics, log)
            await consumer.start()
            runtime.consumers.append(consumer)
            runtime.tasks.append(asyncio.create_task(consumer.run(), name=cspec.durable))
    if spec.on_startup:
        await spec.on_startup(runtime)
    for job in spec.background:
        runtime.tasks.append(asyncio.create_task(job(runtime)))
    runtime.nats_ready.set()
    log.info("service.connected", consumers=[c.spec.durable for c in runtime.consumers])


def _relay(runtime: Runtime) -> OutboxRelay:
    broker, metrics = runtime.broker, runtime.metrics

    async def publish(subject: str, payload: bytes, headers: dict[str, str]) -> None:
        await broker.publish(payload, subject, headers=headers, stream=stream_for(subject).name, timeout=5.0,
                             correlation_id=headers.get(CORRELATION_HEADER) or None)

    def published(subject: str) -> None:
        metrics.published.labels(subject).inc()

    relay = OutboxRelay(runtime.engine, runtime.outbox, publish, on_published=published, logger=runtime.logger)
    return relay


class CorrelationMiddleware:
    """ASGI middleware: the request's correlation id (its header, else a new one) bound for its log lines and
    sent back in the response's header."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = CORRELATION_HEADER.lower().encode("latin-1")
        sent = next((v.decode("latin-1") for k, v in scope["headers"] if k == wanted), None)
        cid = bind_correlation_id(sent)

        async def tagged(message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != wanted]
                message = {**message, "headers": [*headers, (wanted, cid.encode("latin-1"))]}
            await send(message)
        await self.app(scope, receive, tagged)


async def _health() -> dict:
    return {"status": "alive"}


async def _ready(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    checks = {"database": "ok", "nats": "ok"}
    try:
        await in_thread(ping, runtime.engine)
    except Exception as exc:
        checks["database"] = f"error: {exc.__class__.__name__}"
    conn = runtime.broker._connection
    if not runtime.nats_ready.is_set() or conn is None or not conn.is_connected:
        checks["nats"] = "not connected"
    stalled = [c.spec.durable for c in runtime.consumers if time.monotonic() - c.last_poll > STALL_AFTER_S]
    if stalled:  # LESSONS §4.5: pull loops can stop after a server restart; let the orchestrator see it
        checks["nats"] = f"consumers stalled: {', '.join(stalled)}"
    if runtime.relay is not None:
        checks["outbox_backlog"] = await in_thread(runtime.relay.backlog)
        runtime.metrics.outbox_backlog.set(checks["outbox_backlog"])
    ok = checks["database"] == "ok" and checks["nats"] == "ok"
    return JSONResponse({"status": "ready" if ok else "not ready", **checks}, status_code=200 if ok else 503)


def _document_events(broker: NatsBroker, spec: ServiceSpec) -> None:
    """Declare publishers (never started: we only ``connect``) so AsyncAPI lists the contracts."""
    for subject in spec.publishes:
        model = CATALOGUE[subject]
        broker.publisher(subject, schema=model, title=f"{subject}:publish", description=(model.__doc__ or "").strip())


def _asyncapi_json(broker: NatsBroker, spec: ServiceSpec):
    async def endpoint() -> Response:
        doc = AsyncAPI(broker, title=f"{spec.title} — events", version="1", description=spec.description)
        return Response(doc.to_specification().to_json(), media_type="application/json")

    return endpoint
