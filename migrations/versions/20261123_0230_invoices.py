"""invoices: customers, invoices on behalf of members, number series

Revision ID: 20261123_0230_invoices
Revises: 20261123_0220_agreements
Create Date: 2026-11-23 02:30:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from koepel.platform.db import (
    disable_tenant_isolation,
    enable_tenant_isolation,
    tenant_keys,
    tenant_reference,
)

revision = "20261123_0230_invoices"
down_revision = "20261123_0220_agreements"
branch_labels = None
depends_on = None

TABLES = ("invoice_settings", "customers", "invoice_number_series", "invoices", "invoice_lines")
KINDS = "'invoice', 'credit_note'"
STATUSES = "'draft', 'sent', 'partly_paid', 'paid', 'cancelled'"
RATES = "2100, 900, 0"


def upgrade():
    op.create_table(
        "invoice_settings",
        *tenant_keys("invoice_settings"),
        sa.Column("kor", sa.Boolean(), nullable=False),
        sa.Column("payment_term_days", sa.Integer(), nullable=False),
        sa.Column("reminder_after_days", sa.Integer(), nullable=False),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_invoice_settings_tenant_id")),
        sa.CheckConstraint("payment_term_days BETWEEN 1 AND 365", name=op.f("ck_invoice_settings_payment_term_days")),
        sa.CheckConstraint("reminder_after_days BETWEEN 1 AND 90", name=op.f("ck_invoice_settings_reminder_after_days")),
    )
    op.create_table(
        "customers",
        *tenant_keys("customers"),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("street", sa.String(200), nullable=False),
        sa.Column("postal_code", sa.String(20), nullable=False),
        sa.Column("city", sa.String(100), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("email", sa.String(254)),
        sa.Column("kvk_number", sa.String(8)),
        sa.Column("vat_number", sa.String(20)),
        sa.Column("is_business", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("name = btrim(name) AND name <> ''", name=op.f("ck_customers_name_present")),
        sa.CheckConstraint("country ~ '^[A-Z]{2}$'", name=op.f("ck_customers_country_code")),
        sa.CheckConstraint("kvk_number IS NULL OR kvk_number ~ '^[0-9]{8}$'", name=op.f("ck_customers_kvk_format")),
    )
    op.create_index("ix_customers_tenant_id_name", "customers", ["tenant_id", "name"])
    op.create_table(
        "invoice_number_series",
        *tenant_keys("invoice_number_series"),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.UniqueConstraint("tenant_id", "year", name=op.f("uq_invoice_number_series_tenant_id_year")),
        sa.CheckConstraint("last_number >= 0", name=op.f("ck_invoice_number_series_last_number")),
        sa.CheckConstraint("year BETWEEN 2000 AND 9999", name=op.f("ck_invoice_number_series_year")),
    )
    op.create_table(
        "invoices",
        *tenant_keys("invoices"),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("credits_invoice_id", sa.BigInteger()),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("number", sa.String(20)),
        sa.Column("number_year", sa.Integer()),
        sa.Column("number_seq", sa.Integer()),
        sa.Column("issue_date", sa.Date()),
        sa.Column("delivery_date", sa.Date(), nullable=False),
        sa.Column("delivery_end", sa.Date()),
        sa.Column("due_date", sa.Date()),
        sa.Column("kor", sa.Boolean(), nullable=False),
        sa.Column("net_cents", sa.BigInteger(), nullable=False),
        sa.Column("vat_cents", sa.BigInteger(), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("amount_paid_cents", sa.BigInteger(), nullable=False),
        sa.Column("paid_on", sa.Date()),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("parties", postgresql.JSONB()),
        sa.Column("pdf_file", sa.String(200)),
        sa.Column("mailed_at", sa.DateTime(timezone=True)),
        sa.Column("last_reminded_at", sa.DateTime(timezone=True)),
        sa.Column("reminder_count", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.BigInteger()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True)),
        tenant_reference("invoices", "member_id", "members"),
        tenant_reference("invoices", "customer_id", "customers"),
        tenant_reference("invoices", "credits_invoice_id", "invoices"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name="fk_invoices_created_by_users"),
        sa.UniqueConstraint("tenant_id", "number", name=op.f("uq_invoices_tenant_id_number")),
        sa.UniqueConstraint("tenant_id", "credits_invoice_id", name=op.f("uq_invoices_tenant_id_credits_invoice_id")),
        sa.CheckConstraint(f"kind IN ({KINDS})", name=op.f("ck_invoices_kind")),
        sa.CheckConstraint(f"status IN ({STATUSES})", name=op.f("ck_invoices_status")),
        sa.CheckConstraint("(kind = 'credit_note') = (credits_invoice_id IS NOT NULL)",
                           name=op.f("ck_invoices_credit_note_credits")),
        sa.CheckConstraint("(status = 'draft') = (number IS NULL)", name=op.f("ck_invoices_number_when_issued")),
        sa.CheckConstraint("status = 'draft' OR (issue_date IS NOT NULL AND due_date IS NOT NULL "
                           "AND parties IS NOT NULL AND issued_at IS NOT NULL)", name=op.f("ck_invoices_issued_complete")),
        sa.CheckConstraint("number IS NULL OR number = to_char(number_year, 'FM0000') || '-' || "
                           "to_char(number_seq, 'FM0000')", name=op.f("ck_invoices_number_format")),
        sa.CheckConstraint("total_cents = net_cents + vat_cents", name=op.f("ck_invoices_total_adds_up")),
        sa.CheckConstraint("kind = 'invoice' OR (total_cents <= 0 AND status IN ('draft', 'sent'))",
                           name=op.f("ck_invoices_credit_note_negative")),
        sa.CheckConstraint("status = 'draft' OR kind = 'credit_note' OR total_cents > 0",
                           name=op.f("ck_invoices_invoice_positive")),
        sa.CheckConstraint("amount_paid_cents >= 0 AND (kind = 'credit_note' OR amount_paid_cents <= total_cents "
                           "OR status = 'cancelled')", name=op.f("ck_invoices_amount_paid")),
        sa.CheckConstraint("kind = 'credit_note' OR amount_paid_cents = 0 OR status IN ('partly_paid', 'paid', "
                           "'cancelled')", name=op.f("ck_invoices_paid_status")),
        sa.CheckConstraint("delivery_end IS NULL OR delivery_end >= delivery_date", name=op.f("ck_invoices_delivery_period")),
    )
    op.create_index("ix_invoices_tenant_id_member_id", "invoices", ["tenant_id", "member_id"])
    op.create_index("ix_invoices_tenant_id_status_due_date", "invoices", ["tenant_id", "status", "due_date"])
    op.create_table(
        "invoice_lines",
        *tenant_keys("invoice_lines"),
        sa.Column("invoice_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(300), nullable=False),
        sa.Column("quantity_hundredths", sa.Integer(), nullable=False),
        sa.Column("unit_price_cents", sa.BigInteger(), nullable=False),
        sa.Column("vat_rate_bp", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        tenant_reference("invoice_lines", "invoice_id", "invoices", ondelete="CASCADE"),
        sa.UniqueConstraint("tenant_id", "invoice_id", "position", name=op.f("uq_invoice_lines_tenant_id_invoice_id_position")),
        sa.CheckConstraint("description = btrim(description) AND description <> ''",
                           name=op.f("ck_invoice_lines_description_present")),
        sa.CheckConstraint("quantity_hundredths <> 0", name=op.f("ck_invoice_lines_quantity_not_zero")),
        sa.CheckConstraint(f"vat_rate_bp IN ({RATES})", name=op.f("ck_invoice_lines_vat_rate")),
        sa.CheckConstraint("amount_cents = round(quantity_hundredths::numeric * unit_price_cents / 100)",
                           name=op.f("ck_invoice_lines_amount_computed")),
    )
    for table in TABLES:
        enable_tenant_isolation(table)


def downgrade():
    for table in reversed(TABLES):
        disable_tenant_isolation(table)
        op.drop_table(table)
