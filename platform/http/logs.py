"""Structured logs: one JSON object per line in production, readable text in development."""

from __future__ import annotations

import json
import logging
import sys
import time

from flask import Flask, g, has_request_context, request

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context():
            entry["request_id"] = g.get("request_id")
            tenant = g.get("tenant")
            entry["tenant"] = tenant.slug if tenant is not None else None
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


JsonFormatter.converter = time.gmtime


def configure(app: Flask) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if app.config["LOG_FORMAT"] == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.koepel = True
    root = logging.getLogger()
    # Replace only the handler an earlier app installed, not other handlers.
    root.handlers[:] = [h for h in root.handlers if not getattr(h, "koepel", False)] + [handler]
    root.setLevel(app.config["LOG_LEVEL"])

    @app.after_request
    def log_request(response):
        app.logger.info(
            "request",
            extra={"method": request.method, "path": request.path, "status": response.status_code},
        )
        response.headers.setdefault("X-Request-ID", g.get("request_id", ""))
        return response
