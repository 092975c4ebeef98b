"""Heard's settings: the one module that reads environment variables (no secrets in the repo).

Every other module calls `get_settings()` and reads a field; `tests/unit/test_arch_settings.py` fails on an
``os.environ``/``os.getenv`` anywhere else. README.md's Configuration table lists every variable (the same
test checks it against this file).

`Settings` holds the core fields; the settings of one part are grouped (`settings.web`, `settings.review`,
`settings.sms`, `settings.tts`, `settings.actions`, `settings.rasa`). A group is read the first time it is
used, so a mistyped review setting cannot stop the chat, exactly as when each part read its own variables.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("HEARD_VAR_DIR", REPO_ROOT / "var"))
DEFAULT_RASA_URL = "http://127.0.0.1:5005"
DEFAULT_TWILIO_API_BASE_URL = "https://api.twilio.com"
DEFAULT_SMS_OPTIONS_TTL = 24 * 3600  # seconds
MAX_SMS_SEGMENTS_PER_PART = 10


def _env(name: str, default: str = "") -> str:
    """The variable as set (an empty value stays empty); `default` when unset."""
    return os.environ.get(name, default)


def _optional(name: str) -> str | None:
    """The variable, or None when unset or empty."""
    return os.environ.get(name) or None


def _env_or(name: str, default: str) -> str:
    """The variable, or `default` when unset or empty."""
    return os.environ.get(name) or default


def _lenient_int(name: str, default: int) -> int:
    """An integer; `default` when unset or not a whole number."""
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def _lenient_float(name: str, default: float) -> float:
    """A number; `default` when unset or not a number."""
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def _default_database_url() -> str:
    return f"sqlite:///{VAR_DIR / 'heard.db'}"


def _tracker_database_url() -> str:
    return _optional("HEARD_TRACKER_DATABASE_URL") or _optional("HEARD_DATABASE_URL") or _default_database_url()


def _origins(raw: str) -> frozenset[str]:
    """A comma-separated list of origins, without trailing slashes or blanks."""
    return frozenset(origin.strip().rstrip("/") for origin in raw.split(",") if origin.strip())


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _networks(name: str, raw: str) -> tuple[IPNetwork, ...]:
    """Comma- or space-separated addresses or CIDR networks; a ValueError naming the variable for a bad one
    (a mistyped proxy list must not quietly trust, or distrust, the wrong hop)."""
    networks = []
    for item in raw.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"{name}: {item!r} is not an IP address or network") from None
    return tuple(networks)


def _flag(name: str) -> bool:
    """True when the variable is `1`, `true` or `yes`."""
    return _env(name).strip().lower() in ("1", "true", "yes")


def _segments_per_part() -> int:
    return max(1, min(_lenient_int("HEARD_SMS_SEGMENTS_PER_PART", 3), MAX_SMS_SEGMENTS_PER_PART))


@dataclass(frozen=True)
class WebSettings:
    """The web side (`bot/web/`) and links to it."""

    rasa_url: str = field(default_factory=lambda: _env_or("HEARD_RASA_URL", DEFAULT_RASA_URL).rstrip("/"))
    widget_origins: frozenset[str] = field(default_factory=lambda: _origins(_env("HEARD_WIDGET_ORIGINS")))
    # The reverse proxies (addresses or CIDR networks) whose X-Forwarded-For/-Proto Heard believes
    # (`bot/web/client_address.py`); empty = none, the connecting address is the client.
    trusted_proxies: tuple[IPNetwork, ...] = field(
        default_factory=lambda: _networks("HEARD_TRUSTED_PROXIES", _env("HEARD_TRUSTED_PROXIES"))
    )
    purge_interval_hours: float = field(
        default_factory=lambda: float(_env("HEARD_PURGE_INTERVAL_HOURS", "24") or 0)
    )
    # Heard speaks first (issue 16, bot.usecases.outreach): how often the outreach job runs; 0 = off.
    outreach_interval_minutes: int = field(
        default_factory=lambda: int(_env("HEARD_OUTREACH_INTERVAL_MINUTES", "60") or 0)
    )
    # Heard's public address, for links sent by SMS (audio); empty = no links.
    public_url: str = field(default_factory=lambda: _env("HEARD_PUBLIC_URL").rstrip("/"))


@dataclass(frozen=True)
class ReviewSettings:
    """The review app's sessions (`bot/web/review/security.py`)."""

    allow_http: bool = field(default_factory=lambda: _env("HEARD_REVIEW_ALLOW_HTTP") in ("1", "true", "yes"))
    idle_minutes: int = field(default_factory=lambda: int(_env("HEARD_REVIEW_IDLE_MINUTES", "30")))
    max_hours: int = field(default_factory=lambda: int(_env("HEARD_REVIEW_MAX_HOURS", "12")))
    # The council (its name) that sees records of children not signed in who named no council we know
    # (`bot/services/council_routing.py`); None = such records wait, "unrouted", for an admin to route.
    triage_council: str | None = field(default_factory=lambda: _optional("HEARD_TRIAGE_COUNCIL"))
    # A second factor (TOTP) at every staff sign-in; only "0", "false" or "no" turn it off.
    require_2fa: bool = field(
        default_factory=lambda: _env("HEARD_REVIEW_REQUIRE_2FA", "1").strip().lower() not in ("0", "false", "no")
    )


@dataclass(frozen=True)
class SmsSettings:
    """The SMS channel (`bot/channels/`); values in credentials.yml, when given, win over the Twilio ones."""

    twilio_account_sid: str | None = field(default_factory=lambda: _optional("TWILIO_ACCOUNT_SID"))
    twilio_auth_token: str | None = field(default_factory=lambda: _optional("TWILIO_AUTH_TOKEN"))
    twilio_number: str | None = field(default_factory=lambda: _optional("TWILIO_NUMBER"))
    twilio_messaging_service_sid: str | None = field(
        default_factory=lambda: _optional("TWILIO_MESSAGING_SERVICE_SID")
    )
    twilio_api_base_url: str = field(
        default_factory=lambda: _env_or("TWILIO_API_BASE_URL", DEFAULT_TWILIO_API_BASE_URL)
    )
    public_url: str | None = field(default_factory=lambda: _optional("HEARD_SMS_PUBLIC_URL"))
    segments_per_part: int = field(default_factory=_segments_per_part)  # 1..10
    options_ttl: int = field(default_factory=lambda: _lenient_int("HEARD_SMS_OPTIONS_TTL", DEFAULT_SMS_OPTIONS_TTL))
    # Texts a number may send in a minute before the rest are dropped (a disclosure never is): issue 19.
    rate_per_minute: int = field(default_factory=lambda: max(1, _lenient_int("HEARD_SMS_RATE_PER_MINUTE", 10)))
    # The send queue's workers per process and Twilio's client timeout in seconds (bot/channels/sms_sender.py).
    send_workers: int = field(default_factory=lambda: min(16, max(1, _lenient_int("HEARD_SMS_SEND_WORKERS", 4))))
    send_timeout: float = field(default_factory=lambda: max(1.0, _lenient_float("HEARD_SMS_SEND_TIMEOUT", 10.0)))


@dataclass(frozen=True)
class TtsSettings:
    """Text to speech (`bot/accessibility/tts.py`)."""

    # hibari: the hibari-tts wheel's own neural voice, offline (espeak when not installed, failing or not English).
    engine: str = field(default_factory=lambda: _env_or("HEARD_TTS_ENGINE", "hibari").strip().lower())
    voice: str = field(default_factory=lambda: _env_or("HEARD_TTS_VOICE", "en-gb"))
    speed: int = field(default_factory=lambda: int(_lenient_float("HEARD_TTS_SPEED", 140)))
    gtts_tld: str = field(default_factory=lambda: _env_or("HEARD_GTTS_TLD", "co.uk"))
    gtts_timeout: float = field(default_factory=lambda: _lenient_float("HEARD_GTTS_TIMEOUT", 5.0))
    retry_seconds: float = field(default_factory=lambda: _lenient_float("HEARD_TTS_RETRY_SECONDS", 300.0))
    audio_ttl_hours: float = field(default_factory=lambda: _lenient_float("HEARD_AUDIO_TTL_HOURS", 24.0))


@dataclass(frozen=True)
class ActionServerSettings:
    """The action server (`bot/action_server.py`): where it listens and the secret Rasa must send it."""

    host: str = field(default_factory=lambda: _env_or("HEARD_ACTION_HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: int(_env_or("HEARD_ACTION_PORT", "5055")))
    secret: str | None = field(default_factory=lambda: _optional("HEARD_ACTION_SECRET"), repr=False)


@dataclass(frozen=True)
class RasaServerSettings:
    """How `bot/rasa_server.py` starts Rasa: where it listens, and its HTTP API (off unless turned on)."""

    host: str = field(default_factory=lambda: _env_or("HEARD_RASA_HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: int(_env_or("HEARD_RASA_PORT", "5005")))
    enable_api: bool = field(default_factory=lambda: _flag("HEARD_ENABLE_API"))
    jwt_secret: str | None = field(default_factory=lambda: _optional("HEARD_API_JWT_SECRET"), repr=False)


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=lambda: _optional("HEARD_DATABASE_URL") or _default_database_url())
    # Rasa's conversation state; the same database as the case records unless set apart.
    tracker_database_url: str = field(default_factory=_tracker_database_url)
    redis_url: str | None = field(default_factory=lambda: _optional("HEARD_REDIS_URL"))
    # No default: bot/keys.py checks it (32+ random bytes, hex or base64) and is the only module that uses it.
    secret_key: str = field(default_factory=lambda: _env("HEARD_SECRET_KEY"), repr=False)
    max_text: int = field(default_factory=lambda: int(_env("HEARD_MAX_TEXT", "2000")))
    retention_days: int = field(default_factory=lambda: int(_env("HEARD_RETENTION_DAYS", "2555")))
    # Conversation transcripts (Rasa's events) of no council: deleted this many days after the last message.
    transcript_days: int = field(default_factory=lambda: int(_env("HEARD_TRANSCRIPT_DAYS", "30")))
    referral_response_days: int = field(default_factory=lambda: int(_env("HEARD_REFERRAL_RESPONSE_DAYS", "5")))
    # When a person reads what children send (issue 15: the greeting and the call-back say it). "HH:MM-HH:MM"
    # on working days (Monday to Friday, not England's bank holidays), unless the council set its own
    # (bot.services.council_hours).
    council_hours: str = field(default_factory=lambda: _env_or("HEARD_COUNCIL_HOURS", "09:00-17:00"))
    notify_webhook: str | None = field(default_factory=lambda: _optional("HEARD_NOTIFY_WEBHOOK"))
    smtp_host: str | None = field(default_factory=lambda: _optional("HEARD_SMTP_HOST"))
    smtp_port: int = field(default_factory=lambda: int(_env("HEARD_SMTP_PORT", "25")))
    smtp_from: str | None = field(default_factory=lambda: _optional("HEARD_SMTP_FROM"))
    smtp_to: str | None = field(default_factory=lambda: _optional("HEARD_SMTP_TO"))
    # Where Heard keeps its files (the audio cache); read each time, unlike VAR_DIR (read once, at import).
    var_dir: Path = field(default_factory=lambda: Path(_optional("HEARD_VAR_DIR") or VAR_DIR))
    # Tests of whole conversations only: the day a child's "next tuesday" or "the 14th" is read from (YYYY-MM-DD);
    # unset (always, in a deployment): today.
    dialogue_today: str | None = field(default_factory=lambda: _optional("HEARD_DIALOGUE_TODAY"))

    @cached_property
    def web(self) -> WebSettings:
        return WebSettings()

    @cached_property
    def review(self) -> ReviewSettings:
        return ReviewSettings()

    @cached_property
    def sms(self) -> SmsSettings:
        return SmsSettings()

    @cached_property
    def tts(self) -> TtsSettings:
        return TtsSettings()

    @cached_property
    def actions(self) -> ActionServerSettings:
        return ActionServerSettings()

    @cached_property
    def rasa(self) -> RasaServerSettings:
        return RasaServerSettings()


def get_settings() -> Settings:
    """Fresh settings from the environment (cheap; call where needed, do not cache across tests)."""
    return Settings()
