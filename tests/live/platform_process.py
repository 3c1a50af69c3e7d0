"""`koepel dev` as a real process: what `make run` starts, driven from a test."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

BANNER = "Koepel draait op "


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RunningPlatform:
    def __init__(self, env: dict[str, str], instance: Path, startup_timeout: float = 120):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.instance = instance
        self.lines: list[str] = []
        base = {k: v for k, v in os.environ.items()
                if k not in ("DATABASE_URL", "REDIS_URL", "APP_DATABASE_URL", "UMBRELLA_DATABASE_URL", "SECRET_KEY")}
        full_env = {**base, "KOEPEL_INSTANCE_PATH": str(instance), "PYTHONUNBUFFERED": "1", **env}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "koepel.platform.cli", "dev", "--port", str(self.port)],
            env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True,  # its own process group, like a terminal's foreground job
        )
        threading.Thread(target=self._read, daemon=True).start()
        self.startup_seconds = self._wait_for_banner(startup_timeout)

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def _wait_for_banner(self, timeout: float) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if any(BANNER in line for line in self.lines):
                return time.monotonic() - started
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        self.stop()
        raise AssertionError(f"koepel dev did not start:\n{self.output[-4000:]}")

    def stop(self, timeout: float = 30) -> int:
        """Ctrl-C, as a terminal sends it: to the whole process group. Returns the exit code."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


class Browserless:
    """A cookie-keeping HTTP client for the live server, forms with their CSRF token."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def request(self, path: str, data: dict | None = None, headers: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base_url + path, data=body, headers=headers or {})
        try:
            response = self.opener.open(req, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        return response.status, dict(response.headers), response.read().decode("utf-8", "replace")

    def get(self, path: str, **kw):
        return self.request(path, **kw)

    def post_form(self, page_path: str, action_path: str, data: dict):
        _, _, page = self.get(page_path)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        return self.request(action_path, data={**data, "csrf_token": token})

    def sign_in(self, email: str, password: str, totp_secret: str | None = None):
        """Sign in as a person does; with the code step when their roles require it."""
        status, headers, body = self.post_form("/login", "/login", {"email": email, "password": password})
        if status == 302 and headers["Location"].startswith("/login/two-factor"):
            import pyotp

            assert totp_secret, f"{email} needs a two-factor code"
            status, headers, body = self.post_form(
                "/login/two-factor", "/login/two-factor", {"code": pyotp.TOTP(totp_secret).now()}
            )
        return status, headers, body


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def mail_link(instance: Path, to: str, path_part: str, timeout: float = 30) -> str:
    """The link containing `path_part` in the newest mail to `to` that has one; waits for
    the worker to deliver it (without MAIL_URL mails are .eml files in instance/mail)."""
    from email import policy
    from email.parser import BytesParser

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted((instance / "mail").glob("*.eml"), reverse=True):
            message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            if message["To"] != to:
                continue
            text = message.get_body(("plain",)).get_content()
            found = re.search(r"https?://\S*" + re.escape(path_part) + r"\S*", text)
            if found:
                return found.group(0)
        time.sleep(0.3)
    raise AssertionError(f"no mail to {to} with a {path_part} link")
