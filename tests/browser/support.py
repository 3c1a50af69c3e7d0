"""Where the browser is: Debian's chromium, driven by Playwright (no browser download)."""

from __future__ import annotations

import shutil

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str | None:
    for candidate in CHROMIUM_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


def new_page(browser, live_platform):
    """A page of a browser context of its own (its own cookies: one person each), in Dutch."""
    context = browser.new_context(base_url=live_platform.url, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(15000)
    return page
