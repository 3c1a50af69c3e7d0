"""Panels on a tenant's home page, contributed by packages the home page may not import.

The workspace lives in `tenants`, and `tenants` never imports `services`; yet the umbrella's
network features (outcomes, benchmarks) belong on a municipality's home. A package
registers a panel here when it is imported; the workspace asks for the panels of its kind.

    register_home_panel("municipality", "outcomes/_home_panel.html", provider,
                        permission="outcomes.view")

`provider()` runs in the request, in the tenant's context, and returns the template's
`panel` variable, or None to leave the panel out (nothing to show yet).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from koepel.platform.auth import can


@dataclass(frozen=True)
class HomePanel:
    kind: str
    template: str
    provider: Callable[[], Any]
    permission: str | None = None


@dataclass(frozen=True)
class RenderedPanel:
    template: str
    panel: Any


_PANELS: dict[str, list[HomePanel]] = {}


def register_home_panel(kind: str, template: str, provider: Callable[[], Any], *,
                        permission: str | None = None) -> None:
    """Add a panel to the home of tenants of `kind` (once per template: importing twice is harmless)."""
    panels = _PANELS.setdefault(kind, [])
    panels[:] = [p for p in panels if p.template != template]
    panels.append(HomePanel(kind, template, provider, permission))


def home_panels(kind: str) -> list[RenderedPanel]:
    """The panels this person may see on the home of a tenant of `kind`, in registration order."""
    shown = []
    for panel in _PANELS.get(kind, ()):
        if panel.permission is not None and not can(panel.permission):
            continue
        data = panel.provider()
        if data is not None:
            shown.append(RenderedPanel(panel.template, data))
    return shown
