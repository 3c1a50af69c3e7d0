"""books: the cooperative's own costs (category, supplier, receipt of a ledger entry)

Revision ID: 20261123_0310_books
Revises: 20261123_0300_payments
Create Date: 2026-11-23 03:10:00
"""

import sqlalchemy as sa
from alembic import op

from koepel.platform.db import (
    disable_tenant_isolation,
    enable_tenant_isolation,
    tenant_keys,
    tenant_reference,
)

revision = "20261123_0310_books"
down_revision = "20261123_0300_payments"
branch_labels = None
depends_on = None

CATEGORIES = "'rent', 'insurance', 'materials', 'training', 'coordination', 'other'"


def upgrade():
    op.create_table(
        "costs",
        *tenant_keys("costs"),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("supplier", sa.String(200), nullable=False),
        sa.Column("description", sa.String(300), nullable=False),
        sa.Column("receipt", sa.String(100), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("vat_cents", sa.BigInteger(), nullable=False),
        sa.Column("entry_id", sa.BigInteger(), nullable=False),
        sa.Column("idempotency_key", sa.String(120), nullable=False),
        sa.Column("created_by", sa.BigInteger()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        tenant_reference("costs", "entry_id", "journal_entries"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name="fk_costs_created_by_users"),
        sa.UniqueConstraint("tenant_id", "idempotency_key", name=op.f("uq_costs_tenant_id_idempotency_key")),
        sa.UniqueConstraint("tenant_id", "entry_id", name=op.f("uq_costs_tenant_id_entry_id")),
        sa.CheckConstraint(f"category IN ({CATEGORIES})", name=op.f("ck_costs_category")),
        sa.CheckConstraint("amount_cents > 0 AND vat_cents >= 0 AND vat_cents < amount_cents",
                           name=op.f("ck_costs_amounts")),
        sa.CheckConstraint("btrim(supplier) <> '' AND btrim(description) <> ''", name=op.f("ck_costs_texts_present")),
        sa.CheckConstraint("idempotency_key <> ''", name=op.f("ck_costs_idempotency_key_present")),
    )
    op.create_index("ix_costs_tenant_id_on_date", "costs", ["tenant_id", "on_date"])
    enable_tenant_isolation("costs")


def downgrade():
    disable_tenant_isolation("costs")
    op.drop_index("ix_costs_tenant_id_on_date", table_name="costs")
    op.drop_table("costs")
