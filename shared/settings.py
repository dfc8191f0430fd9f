"""Settings base: every service subclasses it with its own env prefix."""
from __future__ import annotations

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "chibo-development-secret-change-me"


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHIBO_", extra="ignore", populate_by_name=True)

    service_name: str = "chibo"
    # Shared by every service, so read without the service prefix.
    environment: str = Field("development", validation_alias=AliasChoices("CHIBO_ENV", "CHIBO_ENVIRONMENT"))
    nats_url: str = Field("nats://127.0.0.1:4222", validation_alias=AliasChoices("NATS_URL", "CHIBO_NATS_URL"))
    jwt_secret: str = Field(DEV_SECRET, validation_alias=AliasChoices("CHIBO_JWT_SECRET", "JWT_SECRET"))
    # Per service: MEMBERS_DATABASE_URL, MEETINGS_DATABASE_URL, REPORTS_DATABASE_URL …
    database_url: str = "sqlite:///var/chibo.db"
    jwt_ttl_minutes: int = 12 * 60
    log_json: bool | None = None  # None: JSON unless stdout is a terminal
    log_level: str = "INFO"
    root_path: str = ""  # the path the ingress serves this service under
    run_migrations: bool = True
    start_consumers: bool = True
    start_relay: bool = True
    consumer_max_deliver: int = 5
    consumer_backoff_s: tuple[float, ...] = (0.5, 2.0, 5.0, 15.0)
    consumer_ack_wait_s: float = 30.0

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> "ServiceSettings":
        if self.environment == "production" and self.jwt_secret == DEV_SECRET:
            raise ValueError("CHIBO_JWT_SECRET must be set outside development")
        return self
