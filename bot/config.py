"""Settings for every Skolebro process, read from the environment (and `.env`).

One place, so the action server, the API and the launcher agree on where data lives.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The known demo master key: accepted in demo mode only.
DEMO_SECRET_KEY = "dev-only-secret-change-me"  # nosec B105 # the known demo key; production refuses it (production_problems)
MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=PROJECT_ROOT / ".env", env_file_encoding="utf-8", extra="ignore"
    )

    # Storage. Empty DATABASE_URL means a SQLite file under data_dir.
    data_dir: Path = Field(default=PROJECT_ROOT / "var")
    database_url: str = ""
    redis_url: str = ""
    # Rasa worker processes behind one entry point on rasa_port (`make run`). More than one
    # needs PostgreSQL (shared tracker store) and Redis (lock store): see the README.
    rasa_workers: int = Field(default=1, ge=1, le=16)

    # Ports of the three processes.
    rasa_port: int = 5005
    action_port: int = 5055
    api_port: int = 8000
    public_host: str = "localhost"

    # Municipality and service wording.
    municipality_name: str = "Demo Kommune"
    # Branding of the web pages: logo URL (empty: the built-in Skolebro logo) and the main
    # colour as #rrggbb (buttons, header); the text colour on it is chosen for contrast.
    brand_logo_url: str = ""
    brand_color: str = "#00594f"

    # Web pages. The browser talks to Rasa's REST channel at this URL; empty means
    # http://<the page's host>:<rasa_port>.
    rasa_public_url: str = ""
    # Origins (comma list) allowed to call the API from a browser and to embed the chat
    # (widget.js) in an iframe. Never "*" in production: "*" is ignored.
    cors_origins: str = (
        "http://localhost:8000,http://127.0.0.1:8000,http://localhost:8080,http://127.0.0.1:8080"
    )
    retention_days: int = 365
    contact_within_working_days: int = 3

    # "demo" (a local checkout: known defaults accepted, demo logins seeded), "production"
    # (refuses to start with defaults, see production_problems), or empty: production whenever
    # DATABASE_URL names a server database, demo on SQLite.
    skolebro_mode: Literal["", "demo", "production"] = ""

    # Secrets. SECRET_KEY is the master key: every purpose gets its own key derived from it
    # with HKDF (bot/crypto.py), unless that purpose's own setting below is given.
    # The default is for local demo use only; production refuses it.
    secret_key: str = DEMO_SECRET_KEY
    encryption_key: str = ""  # Fernet key for data at rest; production must set it
    # Shared secret Rasa sends to the action server on every call (header); empty: derived.
    action_secret: str = ""
    # The action server only has to be reachable by Rasa: loopback unless set otherwise.
    action_host: str = "127.0.0.1"

    # --- Pupil path and the promises the chat makes (issue 12). The chat's texts take their
    # numbers from here at run time; tests/unit/test_promises.py holds them to these values.
    # From this age a pupil consents for themselves (databeskyttelsesloven § 6: 15).
    pupil_consent_age: int = Field(default=15, ge=10, le=18)
    # An unfinished chat (never sent to a skolekontaktperson) is deleted after this many days.
    unfinished_chat_days: int = Field(default=30, ge=1, le=365)
    # The parent page keeps an open conversation on the device for this long without use.
    chat_device_keep_hours: int = Field(default=12, ge=1, le=24 * 14)
    # /elev on shared school computers: clear the tab after this many idle minutes, with a
    # warning this many seconds before.
    pupil_idle_minutes: int = Field(default=10, ge=1, le=120)
    pupil_idle_warning_seconds: int = Field(default=60, ge=10, le=600)

    # API tokens: short-lived so a forgotten browser tab does not keep case data open.
    access_token_minutes: int = 15
    # Pupil invitation codes and parents' resume codes expire so an old note is no key.
    invitation_days: int = 14
    resume_code_days: int = 14
    public_base_url: str = ""  # base of links in invitations, e.g. https://skolebro.kommune.dk

    # Notifications to the school contact worker (outbox). Empty values disable a channel.
    webhook_url: str = ""
    # HMAC key of the webhook signature; its own secret (production needs it with WEBHOOK_URL).
    webhook_secret: str = ""
    # Token for Rasa's HTTP API (transcripts, /status, /model/parse). Browsers reach Rasa's
    # chat channel directly, so without a token anyone could read any conversation there.
    # Empty: derived from SECRET_KEY (HKDF).
    rasa_token: str = ""
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_from: str = ""
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True  # off only for a local test relay
    notify_email: str = ""  # fallback recipient when the school has no assigned worker e-mail
    # Attempt urgent notifications at once in a background thread (tests switch it off).
    outbox_immediate: bool = True
    outbox_max_attempts: int = 8
    outbox_interval_seconds: float = 10.0  # the API process's delivery loop; 0 disables it
    # Requests larger than this are refused before parsing (notes and admin data are small).
    api_max_body_bytes: int = 1_000_000

    # Login throttling (bot/throttle.py): failures per account and per client before back-off.
    login_max_failures: int = 5
    login_window_seconds: int = 900
    password_min_length: int = 12
    # Seeded demo logins must choose a new password at first login (test stacks turn it off).
    seed_password_change: bool = True
    # Chat limits at Rasa's REST channel (nlu_ext/channel.py): messages per minute.
    chat_max_per_sender: int = 30
    chat_max_per_client: int = 120
    # Resume-code guesses allowed per conversation and per client within an hour.
    code_max_attempts: int = 5
    # Retention of open cases nobody touched (days); unfinished chats: unfinished_chat_days.
    open_case_inactive_days: int = 180
    retention_interval_seconds: float = 3600.0  # the API process's purge loop; 0 disables it

    @property
    def mode(self) -> str:
        """ "demo" or "production" (see skolebro_mode)."""
        if self.skolebro_mode:
            return self.skolebro_mode
        url = self.database_url.strip()
        return "production" if url and not url.startswith("sqlite") else "demo"

    @property
    def is_production(self) -> bool:
        return self.mode == "production"

    @property
    def rasa_api_token(self) -> str:
        if self.rasa_token:
            return self.rasa_token
        from bot.crypto import derived_secret

        return derived_secret("rasa-http-api", self)

    @property
    def action_server_secret(self) -> str:
        if self.action_secret:
            return self.action_secret
        from bot.crypto import derived_secret

        return derived_secret("action-server", self)

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            url = self.database_url
            # Accept the plain postgres URL forms and use psycopg 3 in the app.
            for prefix in ("postgres://", "postgresql://"):
                if url.startswith(prefix):
                    return "postgresql+psycopg://" + url[len(prefix) :]
            return url
        return f"sqlite:///{self.data_dir / 'skolebro.db'}"


@lru_cache
def get_settings() -> Settings:
    return Settings()


def production_problems(settings: Settings, demo_users: int = 0) -> list[str]:
    """Why this configuration must not run in production (one line each); empty when fine.

    `demo_users` is the number of active workers still holding a seeded demo password.
    """
    problems: list[str] = []
    key = settings.secret_key
    if key == DEMO_SECRET_KEY or len(key) < MIN_SECRET_LENGTH or len(set(key)) < 10:
        problems.append(
            f"SECRET_KEY er standardværdien eller for kort (mindst {MIN_SECRET_LENGTH} tegn); "
            "lav en med: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    if not settings.encryption_key:
        problems.append("ENCRYPTION_KEY er tom; lav en med: python -m bot.crypto")
    else:
        try:
            from cryptography.fernet import Fernet

            Fernet(settings.encryption_key.encode())
        except ValueError:
            problems.append("ENCRYPTION_KEY er ikke en gyldig Fernet-nøgle (python -m bot.crypto)")
    if settings.webhook_url and not settings.webhook_secret:
        problems.append("WEBHOOK_URL er sat, men WEBHOOK_SECRET er tom")
    if demo_users:
        problems.append(
            f"{demo_users} demo-bruger(e) med den kendte adgangskode findes stadig; "
            "slet dem eller skift adgangskoden"
        )
    return problems
