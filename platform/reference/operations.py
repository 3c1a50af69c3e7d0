"""(Re)loading the reference table from a CSV file, as the owner role.

The app role may only read `reference_municipalities`, so the load connects with the
owner's URL (DATABASE_URL, as migrations do). One transaction: a file that fails its
checks changes nothing, and loading the same file twice changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from koepel.platform.config import OWNER_ROLE

from .data import MunicipalityRow, parse_municipalities

UPSERT = text(
    "INSERT INTO reference_municipalities (cbs_code, name, inhabitants, urbanity, year) "
    "VALUES (:cbs_code, :name, :inhabitants, :urbanity, :year) "
    "ON CONFLICT (cbs_code) DO UPDATE SET name = EXCLUDED.name, inhabitants = EXCLUDED.inhabitants, "
    "urbanity = EXCLUDED.urbanity, year = EXCLUDED.year "
    "WHERE (reference_municipalities.name, reference_municipalities.inhabitants, "
    "reference_municipalities.urbanity, reference_municipalities.year) IS DISTINCT FROM "
    "(EXCLUDED.name, EXCLUDED.inhabitants, EXCLUDED.urbanity, EXCLUDED.year) "
    "RETURNING (xmax = 0) AS inserted"
)


@dataclass(frozen=True)
class LoadResult:
    added: int
    updated: int
    unchanged: int
    not_in_file: int  # rows kept in the table that the file did not mention


def load_rows(connection, rows: list[MunicipalityRow], year: int) -> LoadResult:
    """Upsert `rows` on an open connection that may write the table (the caller commits)."""
    added = updated = 0
    for row in rows:
        outcome = connection.execute(UPSERT, {
            "cbs_code": row.cbs_code, "name": row.name, "inhabitants": row.inhabitants,
            "urbanity": row.urbanity, "year": year,
        }).scalar()
        if outcome is True:
            added += 1
        elif outcome is False:
            updated += 1
    codes = [row.cbs_code for row in rows]
    # Rows the file leaves out stay: a tenant may point at them (tenants.cbs_code).
    not_in_file = connection.execute(
        text("SELECT count(*) FROM reference_municipalities WHERE NOT (cbs_code = ANY(:codes))"),
        {"codes": codes},
    ).scalar()
    return LoadResult(added, updated, len(rows) - added - updated, not_in_file)


def do_load_reference(database_url: str, csv_text: str, year: int) -> LoadResult:
    """Check the whole file, then load it in one transaction as the owner role.

    Raises ReferenceDataError (with every faulty line) before touching the database.
    """
    rows = parse_municipalities(csv_text)
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            connection.execute(text(f"SET LOCAL ROLE {OWNER_ROLE}"))
            return load_rows(connection, rows, year)
    finally:
        engine.dispose()
