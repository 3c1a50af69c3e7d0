"""municipality reference: all Dutch municipalities of 2024 (CBS) for peer comparison,
and a municipality tenant's CBS code

Revision ID: 20261123_0400_municipality_reference
Revises: 20261123_0335_balance_triggers
Create Date: 2026-11-23 04:00:00

A platform table (national public data, no tenant_id, no row-level security), loaded from
the CSV shipped in koepel.platform.reference (sources in the README beside it). The app
and umbrella roles only read it; `koepel reference-load` updates it as the owner.
"""

import sqlalchemy as sa
from alembic import op

from koepel.platform.config import APP_ROLE, UMBRELLA_ROLE
from koepel.platform.reference.data import SHIPPED_YEAR, shipped_municipalities

revision = "20261123_0400_municipality_reference"
down_revision = "20261123_0335_balance_triggers"
branch_labels = None
depends_on = None


def upgrade():
    # This revision's id is longer than Alembic's default varchar(32); the version row is
    # written after upgrade() in the same transaction, so widening it here is enough.
    op.execute("ALTER TABLE alembic_version ALTER COLUMN version_num TYPE varchar(64)")
    table = op.create_table(
        "reference_municipalities",
        sa.Column("cbs_code", sa.String(6), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("inhabitants", sa.Integer()),
        sa.Column("urbanity", sa.SmallInteger()),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("cbs_code", name=op.f("pk_reference_municipalities")),
        sa.CheckConstraint("cbs_code ~ '^GM[0-9]{4}$'", name=op.f("ck_reference_municipalities_code_format")),
        sa.CheckConstraint("length(btrim(name)) > 0", name=op.f("ck_reference_municipalities_name_given")),
        sa.CheckConstraint("inhabitants IS NULL OR inhabitants > 0",
                           name=op.f("ck_reference_municipalities_inhabitants_positive")),
        sa.CheckConstraint("urbanity IS NULL OR urbanity BETWEEN 1 AND 5",
                           name=op.f("ck_reference_municipalities_urbanity_class")),
        sa.CheckConstraint("year BETWEEN 1900 AND 2100", name=op.f("ck_reference_municipalities_year_range")),
    )
    op.create_index("ix_reference_municipalities_urbanity", "reference_municipalities", ["urbanity"])
    # Public reference data: the app and umbrella roles read it, only the owner changes it.
    op.execute(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON reference_municipalities FROM {APP_ROLE}, {UMBRELLA_ROLE}")
    op.execute(f"GRANT SELECT ON reference_municipalities TO {APP_ROLE}, {UMBRELLA_ROLE}")
    op.bulk_insert(table, [
        {"cbs_code": row.cbs_code, "name": row.name, "inhabitants": row.inhabitants,
         "urbanity": row.urbanity, "year": SHIPPED_YEAR}
        for row in shipped_municipalities()
    ])

    op.add_column("tenants", sa.Column("cbs_code", sa.String(6)))
    op.create_foreign_key(op.f("fk_tenants_cbs_code_reference_municipalities"), "tenants",
                          "reference_municipalities", ["cbs_code"], ["cbs_code"])
    op.create_check_constraint(op.f("ck_tenants_cbs_code_only_municipality"), "tenants",
                               "cbs_code IS NULL OR kind = 'municipality'")
    # One tenant per municipality: peer figures are keyed by the CBS code.
    op.create_unique_constraint(op.f("uq_tenants_cbs_code"), "tenants", ["cbs_code"])


def downgrade():
    op.drop_constraint(op.f("uq_tenants_cbs_code"), "tenants", type_="unique")
    op.drop_constraint(op.f("ck_tenants_cbs_code_only_municipality"), "tenants", type_="check")
    op.drop_constraint(op.f("fk_tenants_cbs_code_reference_municipalities"), "tenants", type_="foreignkey")
    op.drop_column("tenants", "cbs_code")
    op.drop_index("ix_reference_municipalities_urbanity", table_name="reference_municipalities")
    op.drop_table("reference_municipalities")
