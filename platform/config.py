"""Configuration from the environment. Every variable is documented in `.env.example`."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

OWNER_ROLE = "koepel_owner"
APP_ROLE = "koepel_app"
UMBRELLA_ROLE = "koepel_umbrella"


class ConfigError(RuntimeError):
    """The environment does not describe a runnable platform."""


def role_url(admin_url: str, role: str) -> str:
    """The admin URL with its user swapped for one of the platform's database roles.

    The password is dropped: it suits trust/peer authentication (the embedded server,
    a local socket). Production sets APP_DATABASE_URL / UMBRELLA_DATABASE_URL in full.
    """
    url = make_url(admin_url)
    # URL.set() ignores None, so the password is dropped by building the URL anew.
    role_url = URL.create(
        url.drivername, username=role, host=url.host, port=url.port, database=url.database, query=url.query
    )
    return role_url.render_as_string(hide_password=False)


def sqlalchemy_url(url: str) -> str:
    """Use the psycopg 3 driver whatever scheme the URL was written with."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _whole_number(env: dict[str, str], name: str, default: int) -> int:
    value = env.get(name, "")
    if not value:
        return default
    if not value.isdigit():
        raise ConfigError(f"{name} must be a whole number, not {value!r}")
    return int(value)


@dataclass(frozen=True)
class Settings:
    env: str
    secret_key: str
    database_url: str
    app_database_url: str
    umbrella_database_url: str
    redis_url: str
    instance_path: Path
    queue_name: str
    log_level: str
    log_format: str
    proxy_hops: int
    mail_url: str
    mail_from: str
    public_url: str
    stripe_secret_key: str = ""
    stripe_webhook_secret: str = ""

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        mode = env.get("KOEPEL_ENV", "development")
        database_url = env.get("DATABASE_URL", "")
        redis_url = env.get("REDIS_URL", "")
        app_url, umbrella_url = env.get("APP_DATABASE_URL", ""), env.get("UMBRELLA_DATABASE_URL", "")
        # Web and workers need only the app and umbrella roles' URLs; DATABASE_URL (the
        # owner or an administrator) is for `koepel db init/upgrade` and to derive them.
        if not database_url and not (app_url and umbrella_url):
            raise ConfigError("DATABASE_URL is not set (make run starts an embedded PostgreSQL)")
        if not redis_url:
            raise ConfigError("REDIS_URL is not set (make run starts an embedded Redis)")
        secret_key = env.get("SECRET_KEY", "")
        if not secret_key:
            if mode == "production":
                raise ConfigError("SECRET_KEY must be set in production")
            secret_key = secrets.token_hex(32)
        return cls(
            env=mode,
            secret_key=secret_key,
            database_url=sqlalchemy_url(database_url) if database_url else "",
            app_database_url=sqlalchemy_url(app_url or role_url(database_url, APP_ROLE)),
            umbrella_database_url=sqlalchemy_url(umbrella_url or role_url(database_url, UMBRELLA_ROLE)),
            redis_url=redis_url,
            instance_path=Path(env.get("KOEPEL_INSTANCE_PATH", "instance")).resolve(),
            queue_name=env.get("KOEPEL_QUEUE", "koepel"),
            log_level=env.get("LOG_LEVEL", "INFO"),
            log_format=env.get("LOG_FORMAT", "json" if mode == "production" else "text"),
            proxy_hops=_whole_number(env, "TRUSTED_PROXY_HOPS", 0),
            mail_url=env.get("MAIL_URL", ""),
            mail_from=env.get("MAIL_FROM", "Koepel <noreply@koepel.example.org>"),
            public_url=env.get("KOEPEL_PUBLIC_URL", "").rstrip("/"),
            # Online payment (Stripe Connect); unset = invoices offer no payment link.
            stripe_secret_key=env.get("STRIPE_SECRET_KEY", ""),
            stripe_webhook_secret=env.get("STRIPE_WEBHOOK_SECRET", ""),
        )

    def flask_config(self) -> dict:
        return {
            "ENV_NAME": self.env,
            "SECRET_KEY": self.secret_key,
            "DATABASE_URL": self.database_url,
            "SQLALCHEMY_DATABASE_URI": self.app_database_url,
            "SQLALCHEMY_BINDS": {"umbrella": self.umbrella_database_url},
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
            "REDIS_URL": self.redis_url,
            "KOEPEL_QUEUE": self.queue_name,
            "INSTANCE_PATH": str(self.instance_path),
            "LOG_LEVEL": self.log_level,
            "LOG_FORMAT": self.log_format,
            "TRUSTED_PROXY_HOPS": self.proxy_hops,
            "MAIL_URL": self.mail_url,
            "MAIL_FROM": self.mail_from,
            "PUBLIC_URL": self.public_url,
            "STRIPE_SECRET_KEY": self.stripe_secret_key,
            "STRIPE_WEBHOOK_SECRET": self.stripe_webhook_secret,
            "BABEL_DEFAULT_LOCALE": "nl",
            "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.env == "production",
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SECURE": self.env == "production",
            "WTF_CSRF_TIME_LIMIT": None,
            # The largest upload (a member file of 10 MB) with room for the form around it.
            "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        }
