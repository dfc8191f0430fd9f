"""Settings of the members service (env prefix MEMBERS_)."""
from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MEMBERS_", extra="ignore", populate_by_name=True)

    service_name: str = "members"
    database_url: str = "sqlite:///var/members.db"
    # Admission age (Charter guidance: 18). A parameter because rules change.
    min_admission_age: int = 18
    hr_mapping_path: str | None = None  # the HR export column mapping (JSON); None = members/hr_mapping.json
