"""Prometheus metrics: one registry per app, never the global default."""
from __future__ import annotations

import time
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import Response


@dataclass
class DeliveryMetrics:
    registry: CollectorRegistry
    published: Counter
    consumed: Counter
    failed: Counter
    dead_lettered: Counter
    handler_seconds: Histogram
    outbox_backlog: Gauge
    http_seconds: Histogram


def build_metrics(registry: CollectorRegistry | None = None) -> DeliveryMetrics:
    registry = registry or CollectorRegistry()
    return DeliveryMetrics(
        registry=registry,
        published=Counter("chibo_events_published_total", "Events published from the outbox", ["subject"], registry=registry),
        consumed=Counter("chibo_events_consumed_total", "Events handled and acknowledged", ["subject", "consumer"], registry=registry),
        failed=Counter("chibo_events_failed_total", "Handler failures (each will be retried)", ["subject", "consumer"], registry=registry),
        dead_lettered=Counter("chibo_events_dead_lettered_total", "Events moved to the dead-letter stream", ["subject", "consumer"], registry=registry),
        handler_seconds=Histogram("chibo_event_handler_seconds", "Handler latency per batch", ["consumer"], registry=registry),
        outbox_backlog=Gauge("chibo_outbox_backlog", "Events committed but not yet published", registry=registry),
        http_seconds=Histogram("chibo_http_request_seconds", "HTTP latency", ["method", "route", "status"], registry=registry),
    )


def metrics_endpoint(metrics: DeliveryMetrics):
    async def endpoint(request: Request) -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return endpoint


class HttpTimer:
    """ASGI middleware recording latency by route template (not raw path) until the response starts (a stream's
    open time is not its latency); a request that raised counts as 500. Plain ASGI, not Starlette's
    BaseHTTPMiddleware, which runs the app in another task behind memory streams (~1 ms a request)."""

    def __init__(self, app, metrics: DeliveryMetrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start, started = time.perf_counter(), False

        def observe(status: int) -> None:
            path = getattr(scope.get("route"), "path", "unmatched")
            self.metrics.http_seconds.labels(scope["method"], path, str(status)).observe(time.perf_counter() - start)

        async def timed(message) -> None:
            nonlocal started
            if message["type"] == "http.response.start" and not started:
                started = True
                observe(message["status"])
            await send(message)
        try:
            await self.app(scope, receive, timed)
        except BaseException:
            if not started:
                observe(500)
            raise
