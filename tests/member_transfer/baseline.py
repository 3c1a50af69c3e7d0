"""The member imports of the baseline: a finished import in cooperative A and one in B.

`fmt` and `what` in the template and export URLs name no object (every cooperative has
the same files): they are PLAIN_PARAMS, the same value in both tenants' URLs."""

from __future__ import annotations

ORDER = 30

OBJECT_IDS = {
    "import_id": lambda b: (b.extra["member_import_a"], b.extra["member_import_b"]),
}
PLAIN_PARAMS = {"fmt": "csv", "what": "members"}


def _import(file_name: str, created_by: int, **values):
    from koepel.platform.db import db, utcnow
    from koepel.tenants.member_transfer import MemberImport

    item = MemberImport(file_name=file_name, file_format="csv", sha256="0" * 64, size_bytes=120,
                        created_by=created_by, finished_at=utcnow(), **values)
    db.session.add(item)
    db.session.flush()
    return item


def rows(orgs, people, extra) -> dict:
    from koepel.platform.tenancy import tenant_context

    made = {}
    for key, suffix in (("coop_a", "a"), ("coop_b", "b")):
        with tenant_context(orgs[key].id):
            item = _import(f"baseline-{suffix}.csv", people[f"coordinator_{suffix}"].id, status="imported",
                           line_count=1, created_count=0, present_count=1, error_count=0, errors=[])
        made[f"member_import_{suffix}"] = item.id
    return made


def matrix_objects(kind, tenant, people) -> dict:
    """A refused import of the tenant (with its report), and real file names."""
    if kind != "cooperative":
        return {}
    from koepel.platform.tenancy import tenant_context

    with tenant_context(tenant.id):
        item = _import("matrix.csv", people["coordinator"].id, status="rejected", line_count=1, created_count=0,
                       present_count=0, error_count=1,
                       errors=[{"line": 2, "column": "e-mail", "value": "x", "code": "email_invalid", "params": {}}])
    return {"import_id": item.id, "fmt": "csv", "what": "members"}
