"""Row-level security for tenant tables, created by migrations through this one helper."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

TENANT_SETTING = "app.tenant_id"
USER_SETTING = "app.user_id"
POLICY_NAME = "tenant_isolation"
TENANT_PREDICATE = "tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint"


def enable_tenant_isolation(table: str) -> None:
    """ENABLE and FORCE row security on `table` and add the tenant policy.

    With no `app.tenant_id` set in the transaction the predicate is NULL: no rows.
    """
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY {POLICY_NAME} ON {table} "
        f"USING ({TENANT_PREDICATE}) WITH CHECK ({TENANT_PREDICATE})"
    )


def disable_tenant_isolation(table: str) -> None:
    op.execute(f"DROP POLICY IF EXISTS {POLICY_NAME} ON {table}")
    op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")


def tenant_keys(table: str) -> list:
    """The columns and keys every tenant table starts with: `tenant_id` (a tenant's),
    `id`, and the primary key `(tenant_id, id)`."""
    return [
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=f"pk_{table}"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=f"fk_{table}_tenant_id_tenants"),
    ]


def tenant_reference(table: str, column: str, target: str, **options) -> sa.ForeignKeyConstraint:
    """A foreign key to another tenant table through `(tenant_id, <column>)`: a row can
    only point at a row of its own tenant."""
    return sa.ForeignKeyConstraint(["tenant_id", column], [f"{target}.tenant_id", f"{target}.id"],
                                   name=f"fk_{table}_tenant_id_{column}_{target}", **options)


def user_reference(table: str, column: str) -> sa.ForeignKeyConstraint:
    """A foreign key to the person (`users.id`) who made or decided something."""
    return sa.ForeignKeyConstraint([column], ["users.id"], name=f"fk_{table}_{column}_users")
