"""The parameters in the isolation suite and the role matrix.

`parameter_values` is a platform table (national rules, no tenant_id), so there are no
rows of tenant A and B to add. The pages' `<name>` is a parameter's code, not a tenant's
object: a plain parameter, the same value in every tenant (and only the umbrella has the
pages; every other tenant gets 404 from the blueprint's kinds).
"""

from __future__ import annotations

ORDER = 5  # uses nothing of the other packages

SEEDED_NAME = "vrijlating.general.max_monthly"

PLAIN_PARAMS = {"name": SEEDED_NAME}


def rows(orgs, people, extra) -> dict:
    return {}


def matrix_objects(kind, tenant, people) -> dict:
    """Umbrella staff read, only umbrella administrators post (an empty form: 400)."""
    return {"name": SEEDED_NAME} if kind == "umbrella" else {}
