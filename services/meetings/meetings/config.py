"""Settings of the meetings service (env prefix MEETINGS_)."""
from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MEETINGS_", extra="ignore", populate_by_name=True)

    service_name: str = "meetings"
    database_url: str = "sqlite:///var/meetings.db"
    # Closing obligation periods (meetings.subscribers.obligation_sweeper): every this many seconds; 0 turns the sweep off
    obligation_sweep_interval_s: float = 3600.0
    # HD 42/2025: members are notified at least one day before a meeting (extraordinary meetings excepted)
    notice_min_hours: float = 24.0
    notice_senders: list[str] = ["log"]  # besides the in-app list: "log" (e-mail and SMS adapters later)
