"""Reading the municipality reference table (national data: no tenant needed)."""

from __future__ import annotations

from sqlalchemy import select

from koepel.platform.db import db

from .classes import size_class, size_class_bounds
from .models import ReferenceMunicipality


def by_code(cbs_code: str) -> ReferenceMunicipality | None:
    return db.session.get(ReferenceMunicipality, cbs_code)


def by_name(name: str) -> ReferenceMunicipality | None:
    """The municipality with exactly this CBS name (case-insensitive), if there is one."""
    return db.session.scalar(
        select(ReferenceMunicipality).where(db.func.lower(ReferenceMunicipality.name) == name.strip().lower())
    )


def all_municipalities() -> list[ReferenceMunicipality]:
    return list(db.session.scalars(select(ReferenceMunicipality).order_by(ReferenceMunicipality.name)))


def peers_of(cbs_code: str) -> list[ReferenceMunicipality]:
    """Municipalities like this one: the same CBS size class and urbanity, itself excluded.

    Empty when the municipality is unknown or its inhabitants or urbanity are: without both
    there is no peer group, and guessing one would compare the wrong municipalities.
    """
    own = by_code(cbs_code)
    if own is None or own.urbanity is None or own.inhabitants is None:
        return []
    lowest, highest = size_class_bounds(size_class(own.inhabitants))
    query = select(ReferenceMunicipality).where(
        ReferenceMunicipality.cbs_code != own.cbs_code,
        ReferenceMunicipality.urbanity == own.urbanity,
        ReferenceMunicipality.inhabitants >= lowest,
    )
    if highest is not None:
        query = query.where(ReferenceMunicipality.inhabitants < highest)
    return list(db.session.scalars(query.order_by(ReferenceMunicipality.name)))
