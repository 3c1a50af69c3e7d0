"""outcomes: monthly outcome figures per municipality and provider, and a member's household

Revision ID: 20261123_0500_outcomes
Revises: 20261123_0420_placements
Create Date: 2026-11-23 05:00:00

`outcome_figures` is a platform table (no tenant_id, no row-level security): it holds only
counts and sums per month, municipality and provider, never a person. The umbrella role
computes it (`outcomes.aggregate` job); the app role only reads it for the dashboards,
which apply disclosure control on top.
"""

import sqlalchemy as sa
from alembic import op

from koepel.platform.config import APP_ROLE

revision = "20261123_0500_outcomes"
down_revision = "20261123_0420_placements"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "outcome_figures",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("municipality_id", sa.BigInteger(), nullable=False),
        sa.Column("provider_id", sa.BigInteger(), nullable=False),
        sa.Column("indicator", sa.String(40), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("largest", sa.BigInteger(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_figures")),
        sa.ForeignKeyConstraint(["municipality_id"], ["tenants.id"],
                                name=op.f("fk_outcome_figures_municipality_id_tenants")),
        sa.ForeignKeyConstraint(["provider_id"], ["tenants.id"],
                                name=op.f("fk_outcome_figures_provider_id_tenants")),
        sa.UniqueConstraint("month", "municipality_id", "provider_id", "indicator",
                            name=op.f("uq_outcome_figures_month_municipality_id_provider_id_indicator")),
        sa.CheckConstraint("month = date_trunc('month', month)::date", name=op.f("ck_outcome_figures_first_of_month")),
        sa.CheckConstraint("indicator ~ '^[a-z0-9_]+$'", name=op.f("ck_outcome_figures_indicator_code")),
        sa.CheckConstraint("people >= 0 AND total >= 0 AND largest >= 0 AND largest <= total",
                           name=op.f("ck_outcome_figures_not_negative")),
    )
    op.create_index("ix_outcome_figures_municipality_month", "outcome_figures", ["municipality_id", "month"])
    op.create_index("ix_outcome_figures_indicator_month", "outcome_figures", ["indicator", "month"])
    # The dashboards only read; the umbrella role (default privileges) writes.
    op.execute(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON outcome_figures FROM {APP_ROLE}")
    op.execute(f"GRANT SELECT ON outcome_figures TO {APP_ROLE}")

    # The household type the saving on benefits is estimated with (NULL: unknown).
    op.add_column("members", sa.Column("household", sa.String(10)))
    op.create_check_constraint(op.f("ck_members_household"), "members",
                               "household IS NULL OR household IN ('single', 'couple')")


def downgrade():
    op.drop_constraint(op.f("ck_members_household"), "members", type_="check")
    op.drop_column("members", "household")
    op.drop_index("ix_outcome_figures_indicator_month", table_name="outcome_figures")
    op.drop_index("ix_outcome_figures_municipality_month", table_name="outcome_figures")
    op.drop_table("outcome_figures")
