"""Reports settings (environment prefix ``REPORTS_``)."""
from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REPORTS_", extra="ignore", populate_by_name=True)

    service_name: str = "reports"
    database_url: str = "sqlite:///var/reports.db"
    sse_heartbeat_s: float = 15.0  # comment lines keep proxies from closing an idle stream
    sse_queue_size: int = 100  # per client; the oldest update is dropped when a client lags
    report_place: str = ""  # the place on a report's date line; default: from the root organization's name
    export_chunk_size: int = 500  # organizations gathered per query (and per progress step) by an export job
    roll_base_interval_s: float = 6 * 3600  # how often the roll counters' base month is checked (0: never)
