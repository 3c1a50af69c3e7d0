"""Pages about one member kept by other packages (coaching, the ladder, referrals).

They register here when imported, so the member's page links to them without the
members package knowing them: the arrows keep pointing at members.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import LazyString

from koepel.platform.auth import can


@dataclass(frozen=True)
class MemberPage:
    label: LazyString
    endpoint: str  # takes member_id
    permission: str


_PAGES: list[MemberPage] = []


def register_member_page(label: LazyString, endpoint: str, *, permission: str) -> None:
    if all(page.endpoint != endpoint for page in _PAGES):
        _PAGES.append(MemberPage(label, endpoint, permission))


def member_page_links(member_id: int) -> list[tuple[str, str]]:
    """(label, url) of the registered pages this person may open."""
    return [(str(page.label), url_for(page.endpoint, member_id=member_id))
            for page in _PAGES if can(page.permission)]
