"""Security headers, a content security policy and the abuse limits (Flask-Limiter on Redis)."""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",  # data: for the two-factor QR code, made on the server
        "object-src 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
    ]
)
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
)
HSTS = "max-age=31536000; includeSubDomains"

# Limits are declared on the views (`@limiter.limit(...)`) and counted in Redis, so every
# web process shares them. The key prefix includes the queue name: two platforms (or
# two test runs) on one Redis never count each other's attempts.
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", limits_storage_uri(app.config["REDIS_URL"]))
    prefix = f"{app.config['KOEPEL_QUEUE']}-limits"
    app.config.setdefault("RATELIMIT_KEY_PREFIX", prefix)
    # The storage's own prefix too, so `limiter.reset()` clears only this platform's counts.
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {"key_prefix": prefix})
    app.config.setdefault("RATELIMIT_STRATEGY", "moving-window")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
    development = app.config.get("ENV_NAME") == "development"

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if not development:
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response

    # After the tenancy's before_request (the user loader needs the request's tenant):
    # a person whose role requires two-factor and who has none may only enrol.
    from koepel.platform.auth.login import require_two_factor_enrolment
    from koepel.platform.mail.views import init_app as init_mail_views

    app.before_request(require_two_factor_enrolment)
    init_mail_views(app)


def limits_storage_uri(redis_url: str) -> str:
    """The `limits` library spells a Redis socket `redis+unix://` (redis-py: `unix://`)."""
    if redis_url.startswith("unix://"):
        return "redis+unix://" + redis_url[len("unix://"):]
    return redis_url


def failed(response) -> bool:
    """For `deduct_when`: only refused attempts count against a limit."""
    return response.status_code >= 400


def email_key() -> str:
    """For per-account limits: the address typed in the form (else the client's address)."""
    from flask import request

    typed = (request.form.get("email") or "").strip().lower()[:254]
    return f"email:{typed}" if typed else f"ip:{get_remote_address()}"
