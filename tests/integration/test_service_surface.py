"""Every service exposes the same operational surface: health, readiness,
metrics in its own registry, OpenAPI, AsyncAPI, and refuses anonymous callers."""
from __future__ import annotations

import importlib
import time

import pytest
from fastapi.testclient import TestClient

PUBLISHES = {"members": ["members.organization.created", "members.member.registered"],
             "meetings": ["meetings.meeting.recorded", "meetings.meeting.rated"], "reports": []}
PROTECTED = {"members": "/members/api/organizations", "meetings": "/meetings/api/rubrics",
             "reports": "/reports/api/figures?org_id=00000000-0000-0000-0000-000000000000&period=2026"}
METRICS = ["chibo_events_published_total", "chibo_events_consumed_total", "chibo_events_failed_total",
           "chibo_events_dead_lettered_total", "chibo_event_handler_seconds", "chibo_outbox_backlog",
           "chibo_http_request_seconds"]


def make_app(service: str, database_url: str, nats_url: str):
    settings = importlib.import_module(f"{service}.config").Settings(database_url=database_url, nats_url=nats_url)
    return importlib.import_module(f"{service}.bootstrap").create_app(settings)


@pytest.mark.parametrize("service", ["members", "meetings", "reports"])
def test_a_service_reports_health_readiness_metrics_and_its_contracts(service, database_url, nats_url):
    with TestClient(make_app(service, database_url, nats_url)) as client:
        assert client.get("/health").json() == {"status": "alive"}
        deadline = time.monotonic() + 20
        while (ready := client.get("/ready")).status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert ready.status_code == 200, ready.text
        assert ready.json()["database"] == ready.json()["nats"] == "ok"
        metrics = client.get("/metrics").text
        for name in METRICS:
            assert f"# TYPE {name}" in metrics, name
        assert client.get(f"/{service}/openapi.json").json()["info"]["title"]
        asyncapi = client.get(f"/{service}/asyncapi.json").text
        for subject in PUBLISHES[service]:
            assert subject in asyncapi
        anonymous = client.get(PROTECTED[service])
        assert anonymous.status_code == 401
        assert anonymous.json()["detail"][0]["msg_vi"] and anonymous.json()["detail"][0]["msg_en"]
        assert client.get("/health", headers={"X-Correlation-ID": "abc123"}).headers["X-Correlation-ID"] == "abc123"


def test_two_apps_in_one_process_keep_separate_metric_registries(tmp_path, nats_url):
    a = make_app("reports", f"sqlite:///{tmp_path / 'a.db'}", nats_url)
    b = make_app("reports", f"sqlite:///{tmp_path / 'b.db'}", nats_url)
    assert a.state.runtime.metrics.registry is not b.state.runtime.metrics.registry


def test_a_service_is_alive_but_not_ready_while_nats_is_unreachable(tmp_path):
    with TestClient(make_app("reports", f"sqlite:///{tmp_path / 'r.db'}", "nats://127.0.0.1:9")) as client:
        assert client.get("/health").status_code == 200
        ready = client.get("/ready")
        assert ready.status_code == 503 and ready.json()["nats"] == "not connected"
