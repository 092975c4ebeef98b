"""Heard's settings, read from environment variables only (no secrets in the repo)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("HEARD_VAR_DIR", REPO_ROOT / "var"))


def _default_database_url() -> str:
    return f"sqlite:///{VAR_DIR / 'heard.db'}"


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=lambda: os.environ.get("HEARD_DATABASE_URL") or _default_database_url())
    # Rasa's conversation state; the same database as the case records unless set apart.
    tracker_database_url: str = field(
        default_factory=lambda: os.environ.get("HEARD_TRACKER_DATABASE_URL")
        or os.environ.get("HEARD_DATABASE_URL")
        or _default_database_url()
    )
    redis_url: str | None = field(default_factory=lambda: os.environ.get("HEARD_REDIS_URL") or None)
    api_token: str | None = field(default_factory=lambda: os.environ.get("HEARD_API_TOKEN") or None)
    secret_key: str = field(default_factory=lambda: os.environ.get("HEARD_SECRET_KEY") or "dev-only-not-secret")
    max_text: int = field(default_factory=lambda: int(os.environ.get("HEARD_MAX_TEXT", "2000")))
    retention_days: int = field(default_factory=lambda: int(os.environ.get("HEARD_RETENTION_DAYS", "2555")))
    referral_response_days: int = field(
        default_factory=lambda: int(os.environ.get("HEARD_REFERRAL_RESPONSE_DAYS", "5"))
    )
    notify_webhook: str | None = field(default_factory=lambda: os.environ.get("HEARD_NOTIFY_WEBHOOK") or None)
    smtp_host: str | None = field(default_factory=lambda: os.environ.get("HEARD_SMTP_HOST") or None)
    smtp_port: int = field(default_factory=lambda: int(os.environ.get("HEARD_SMTP_PORT", "25")))
    smtp_from: str | None = field(default_factory=lambda: os.environ.get("HEARD_SMTP_FROM") or None)
    smtp_to: str | None = field(default_factory=lambda: os.environ.get("HEARD_SMTP_TO") or None)


def get_settings() -> Settings:
    """Fresh settings from the environment (cheap; call where needed, do not cache across tests)."""
    return Settings()
