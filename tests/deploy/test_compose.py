"""docker-compose.yml and the files it mounts, checked without a Docker engine:
every container is health-checked, each service reaches nats and only its own
database, the ingress routes the three prefixes, prometheus scrapes all three."""
from __future__ import annotations

import importlib
import importlib.util
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APPS = ("members", "meetings", "reports")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def nginx() -> str:
    return (ROOT / "deploy/nginx/nginx.conf").read_text()


def locations(conf: str) -> dict[str, str]:
    """``location`` blocks of nginx.conf: path (with its modifier) → body."""
    return {m.group(1).strip(): m.group(2) for m in re.finditer(r"location\s+([^{]+)\{([^}]*)\}", conf)}


def test_every_container_has_a_healthcheck(compose):
    missing = [name for name, svc in compose["services"].items() if not svc.get("healthcheck", {}).get("test")]
    assert missing == []


def test_every_dependency_waits_for_a_healthy_service(compose):
    for name, svc in compose["services"].items():
        for dependency, rule in (svc.get("depends_on") or {}).items():
            assert dependency in compose["services"], (name, dependency)
            assert rule["condition"] == "service_healthy", (name, dependency)


@pytest.mark.parametrize("app", APPS)
def test_each_service_talks_to_nats_and_its_own_database_only(compose, app):
    env = compose["services"][app]["environment"]
    assert urlsplit(env["NATS_URL"]).hostname == "nats" and "nats" in compose["services"]
    database_vars = [key for key in env if key.endswith("_DATABASE_URL")]
    assert database_vars == [f"{app.upper()}_DATABASE_URL"]
    url = urlsplit(env[database_vars[0]])
    assert (url.scheme, url.hostname, url.path, url.username) == ("postgresql+psycopg", "postgres", f"/{app}", app)
    assert env["CHIBO_ENV"] == "production" and env["CHIBO_JWT_SECRET"].startswith("${CHIBO_JWT_SECRET:?")
    assert set(compose["services"][app]["depends_on"]) == {"nats", "postgres"}


@pytest.mark.parametrize("app", APPS)
def test_the_database_variable_compose_sets_is_the_one_the_service_reads(app, monkeypatch):
    monkeypatch.setenv(f"{app.upper()}_DATABASE_URL", "postgresql+psycopg://x@postgres/" + app)
    settings = importlib.import_module(f"{app}.config").Settings()
    assert settings.database_url.endswith("/" + app)


def test_postgres_init_creates_one_owned_database_and_role_per_service(compose):
    sql = (ROOT / "deploy/postgres/init.sql").read_text()
    for app in APPS:
        assert re.search(rf"CREATE ROLE {app} LOGIN PASSWORD :'{app}_password';", sql)
        assert re.search(rf"CREATE DATABASE {app} OWNER {app}\b", sql)
        assert f"REVOKE ALL ON DATABASE {app} FROM PUBLIC" in sql
        assert f"{app.upper()}_DB_PASSWORD" in compose["services"]["postgres"]["environment"]
    mount = "./deploy/postgres/init.sql:/docker-entrypoint-initdb.d/init.sql:ro"
    assert mount in compose["services"]["postgres"]["volumes"]


@pytest.mark.parametrize("app", APPS)
def test_each_service_is_built_from_the_shared_dockerfile_for_its_own_code(compose, app):
    build = compose["services"][app]["build"]
    dockerfile = ROOT / build["context"] / build["dockerfile"]
    assert dockerfile.exists()
    assert build["args"]["SERVICE"] == app
    text = dockerfile.read_text()
    assert "ARG SERVICE" in text and 'uvicorn --factory "$SERVICE.bootstrap:create_app"' in text
    assert (ROOT / "services" / app / "alembic.ini").exists()
    assert importlib.util.find_spec(f"{app}.bootstrap") is not None


def test_every_mounted_config_file_exists(compose):
    for name, svc in compose["services"].items():
        for volume in svc.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).is_file(), (name, source)


def test_nats_runs_jetstream_on_its_volume_and_is_checked_on_the_monitor_port(compose):
    conf = (ROOT / "deploy/nats/nats.conf").read_text()
    assert re.search(r"jetstream\s*\{[^}]*store_dir:\s*/data", conf)
    assert "http: 0.0.0.0:8222" in conf
    nats = compose["services"]["nats"]
    assert "nats-data:/data" in nats["volumes"]
    assert any("8222/healthz" in part for part in nats["healthcheck"]["test"])


def test_ingress_routes_the_three_prefixes_unchanged_and_redirects_the_root(compose, nginx):
    blocks = locations(nginx)
    for app in APPS:
        assert blocks[f"/{app}/"].strip() == f"proxy_pass http://{app};"  # no URI part: the path is passed as is
        assert re.search(rf"upstream {app}\s*\{{\s*server {app}:8000;", nginx)
    assert "return 302 /reports/;" in blocks["= /"]
    ingress = compose["services"]["ingress"]
    assert "./deploy/nginx/nginx.conf:/etc/nginx/nginx.conf:ro" in ingress["volumes"]
    assert set(ingress["depends_on"]) == set(APPS)


def test_ingress_streams_server_sent_events_without_buffering(nginx):
    stream = locations(nginx)["/reports/api/stream"]
    assert "proxy_pass http://reports;" in stream
    assert "proxy_buffering off;" in stream and "proxy_read_timeout 1h;" in stream


def test_metrics_stay_internal(nginx):
    assert not any("metrics" in path for path in locations(nginx))


def test_prometheus_scrapes_every_service(compose):
    config = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
    targets = {target: job.get("metrics_path", "/metrics") for job in config["scrape_configs"]
               for group in job["static_configs"] for target in group["targets"]}
    for app in APPS:
        assert targets[f"{app}:8000"] == "/metrics"
    mount = "./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro"
    assert mount in compose["services"]["prometheus"]["volumes"]
