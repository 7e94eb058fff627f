"""Every setting, its environment variable and its default (the README lists the same)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.clock import Clock, OffsetClock, SystemClock


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    database_url: str = Field(
        "sqlite+aiosqlite:///./var/portal.db",
        description="SQLAlchemy URL. SQLite (the embedded default) or postgresql+asyncpg://...",
    )
    base_url: str = Field(
        "",
        description=(
            "Public base URL of this service; portal, invoice and login links are built from it. "
            "Unset: http://HOST:PORT."
        ),
    )
    host: str = Field("127.0.0.1", description="Address `portal serve` binds to.")
    port: int = Field(8000, description="Port `portal serve` binds to.")
    workers: int = Field(1, description="Worker processes for `portal serve`.")
    max_body_bytes: int = Field(1024 * 1024, description="Largest request body accepted (413 above).")
    max_header_bytes: int = Field(
        64 * 1024, description="Largest request line plus headers (a bare 400 above, before the app sees it)."
    )
    trusted_proxies: str = Field(
        "127.0.0.1,::1",
        description="Addresses or networks (comma-separated, `10.0.0.0/8`) whose X-Forwarded-For and "
        "X-Forwarded-Proto count: the per-address limits see the client behind such a proxy, and only there.",
    )
    header_timeout_seconds: float = Field(
        10.0, description="A request's line and headers must arrive within this (slow clients are disconnected)."
    )
    idempotency_ttl_hours: int = Field(24, description="How long Idempotency-Key responses are kept.")
    key_cache_seconds: float = Field(
        5.0, description="How long a verified API key is cached in-process (a revoked key dies within it)."
    )
    sqlite_readers: int = Field(4, description="Reader connections for SQLite (writes use one connection).")
    pool_size: int = Field(
        20, description="Connections per process to PostgreSQL (a fixed pool; requests beyond it wait)."
    )
    clock_start: date | datetime | None = Field(
        None,
        description=(
            "Pin the service clock: the server starts on this date (UTC) and runs on from there. Unset: real time."
        ),
    )
    smtp_url: str | None = Field(
        None,
        description=(
            "Where login mails go: smtp://user:pass@host:587 (STARTTLS) or smtps://host:465 (TLS). "
            "Unset: mails are written to MAIL_DIR and their links logged."
        ),
    )
    mail_from: str = Field("Billing portal <billing@localhost>", description="Sender of the login mails.")
    mail_dir: str = Field("var/mail", description="Where .eml files go when SMTP_URL is unset.")
    login_mails_per_email_per_hour: int = Field(5, description="R7 abuse limit: login mails per email and hour.")
    login_requests_per_address_per_hour: int = Field(
        20, description="R7 abuse limit: login requests per client address and hour."
    )
    store_fast_path: bool = Field(
        True,
        description="The store's fast path (app/store/fast_path.py); false runs the plain path, for comparison.",
    )
    delivery_worker: bool = Field(
        True, description="Run the webhook delivery worker inside `portal serve` (or run `portal worker` apart)."
    )
    billing_scheduler: bool = Field(
        True,
        description="Run the billing scheduler inside `portal serve` (renewals, finalizations an hour later, "
        "retries, trial ends, cancel_at, overdue invoices, for everything not on a test clock); `portal worker` "
        "runs it too.",
    )
    scheduler_seconds: float = Field(30.0, gt=0, description="How often the billing scheduler looks for what is due.")
    webhook_lease_seconds: int = Field(
        60,
        description="How long a worker holds a delivery it is attempting (an attempt is cut off at half of it); "
        "a crashed worker's deliveries are retried after it.",
    )
    webhook_concurrency: int = Field(256, description="Webhook attempts one worker keeps in flight at once.")
    webhook_per_endpoint: int = Field(
        8, description="Attempts in flight per webhook endpoint across all workers (a slow endpoint holds only these)."
    )
    dns_nameservers: str = Field(
        "",
        description="Nameservers for resolving webhook hosts, comma-separated (`1.2.3.4`, `[::1]:5353`); "
        "empty: the system's (/etc/resolv.conf).",
    )

    portal_idle_minutes: int = Field(60, description="A customer's portal visit ends after this long without activity.")
    log_level: str = Field("info", description="Log level.")

    @model_validator(mode="after")
    def _default_base_url(self) -> Settings:
        if not self.base_url:
            self.base_url = f"http://{self.host}:{self.port}"
        self.base_url = self.base_url.rstrip("/")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def make_clock(self) -> Clock:
        if self.clock_start is None:
            return SystemClock()
        start = self.clock_start
        if not isinstance(start, datetime):
            start = datetime(start.year, start.month, start.day, tzinfo=UTC)
        elif start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        return OffsetClock(start)
