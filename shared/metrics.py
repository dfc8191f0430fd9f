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


def http_timer(metrics: DeliveryMetrics):
    """Starlette middleware recording latency by route template (not raw path)."""

    async def middleware(request: Request, call_next):
        start = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        metrics.http_seconds.labels(request.method, path, str(response.status_code)).observe(time.perf_counter() - start)
        return response

    return middleware
