"""member benefit: the municipality whose benefit a member keeps (its agreement applies)

Revision ID: 20261123_0240_member_benefit
Revises: 20261123_0230_invoices
Create Date: 2026-11-23 02:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "20261123_0240_member_benefit"
down_revision = "20261123_0230_invoices"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("members", sa.Column("benefit_municipality_id", sa.BigInteger()))
    op.create_foreign_key("fk_members_benefit_municipality_id_tenants", "members", "tenants",
                          ["benefit_municipality_id"], ["id"])


def downgrade():
    op.drop_constraint("fk_members_benefit_municipality_id_tenants", "members", type_="foreignkey")
    op.drop_column("members", "benefit_municipality_id")
