"""payments: bank statements, their lines, and the split of each received payment

Revision ID: 20261123_0300_payments
Revises: 20261123_0250_pots
Create Date: 2026-11-23 03:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from koepel.platform.db import (
    disable_tenant_isolation,
    enable_tenant_isolation,
    tenant_keys,
    tenant_reference,
    user_reference,
)

revision = "20261123_0300_payments"
down_revision = "20261123_0250_pots"
branch_labels = None
depends_on = None

TABLES = ("bank_statements", "bank_lines", "payment_splits")



def upgrade():
    op.create_table(
        "bank_statements",
        *tenant_keys("bank_statements"),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("account_iban", sa.String(34), nullable=False),
        sa.Column("period_start", sa.Date()),
        sa.Column("period_end", sa.Date()),
        sa.Column("report", postgresql.JSONB(), nullable=False),
        sa.Column("created_by", sa.BigInteger()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        user_reference("bank_statements", "created_by"),
        sa.UniqueConstraint("tenant_id", "sha256", name=op.f("uq_bank_statements_tenant_id_sha256")),
        sa.CheckConstraint("format IN ('camt053', 'mt940')", name=op.f("ck_bank_statements_format")),
        sa.CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name=op.f("ck_bank_statements_sha256_format")),
        sa.CheckConstraint("period_end IS NULL OR period_start IS NULL OR period_end >= period_start",
                           name=op.f("ck_bank_statements_period")),
    )
    op.create_table(
        "bank_lines",
        *tenant_keys("bank_lines"),
        sa.Column("statement_id", sa.BigInteger(), nullable=False),
        sa.Column("booking_date", sa.Date(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("counterparty_name", sa.String(140), nullable=False),
        sa.Column("counterparty_iban", sa.String(34), nullable=False),
        sa.Column("remittance", sa.Text(), nullable=False),
        sa.Column("end_to_end_id", sa.String(35), nullable=False),
        sa.Column("bank_reference", sa.String(100), nullable=False),
        sa.Column("message_id", sa.String(35), nullable=False),
        sa.Column("line_key", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("invoice_id", sa.BigInteger()),
        sa.Column("batch_id", sa.BigInteger()),
        sa.Column("pot_request_id", sa.BigInteger()),
        sa.Column("ignore_reason", sa.Text(), nullable=False),
        sa.Column("entry_id", sa.BigInteger()),
        sa.Column("matched_by", sa.BigInteger()),
        sa.Column("matched_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        tenant_reference("bank_lines", "statement_id", "bank_statements"),
        tenant_reference("bank_lines", "invoice_id", "invoices"),
        tenant_reference("bank_lines", "batch_id", "payout_batches"),
        tenant_reference("bank_lines", "pot_request_id", "pot_requests"),
        tenant_reference("bank_lines", "entry_id", "journal_entries"),
        user_reference("bank_lines", "matched_by"),
        sa.UniqueConstraint("tenant_id", "line_key", name=op.f("uq_bank_lines_tenant_id_line_key")),
        sa.UniqueConstraint("tenant_id", "batch_id", name=op.f("uq_bank_lines_tenant_id_batch_id")),
        sa.UniqueConstraint("tenant_id", "pot_request_id", name=op.f("uq_bank_lines_tenant_id_pot_request_id")),
        sa.CheckConstraint("amount_cents <> 0", name=op.f("ck_bank_lines_amount_not_zero")),
        sa.CheckConstraint("status IN ('unmatched', 'matched', 'ignored')", name=op.f("ck_bank_lines_status")),
        sa.CheckConstraint("(status = 'matched') = (num_nonnulls(invoice_id, batch_id, pot_request_id) = 1)",
                           name=op.f("ck_bank_lines_matched_to_one")),
        sa.CheckConstraint("invoice_id IS NULL OR amount_cents > 0", name=op.f("ck_bank_lines_invoice_for_money_in")),
        sa.CheckConstraint("batch_id IS NULL AND pot_request_id IS NULL OR amount_cents < 0",
                           name=op.f("ck_bank_lines_payout_for_money_out")),
        sa.CheckConstraint("(status = 'ignored') = (btrim(ignore_reason) <> '')",
                           name=op.f("ck_bank_lines_ignored_with_reason")),
    )
    op.create_index("ix_bank_lines_tenant_id_status", "bank_lines", ["tenant_id", "status"])
    op.create_index("ix_bank_lines_tenant_id_statement_id", "bank_lines", ["tenant_id", "statement_id"])
    op.create_table(
        "payment_splits",
        *tenant_keys("payment_splits"),
        sa.Column("bank_line_id", sa.BigInteger(), nullable=False),
        sa.Column("invoice_id", sa.BigInteger(), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("municipality_id", sa.BigInteger()),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("received_cents", sa.BigInteger(), nullable=False),
        sa.Column("vat_cents", sa.BigInteger(), nullable=False),
        sa.Column("net_cents", sa.BigInteger(), nullable=False),
        sa.Column("earned_before_cents", sa.BigInteger(), nullable=False),
        sa.Column("cooperative_cents", sa.BigInteger(), nullable=False),
        sa.Column("training_cents", sa.BigInteger(), nullable=False),
        sa.Column("municipality_cents", sa.BigInteger(), nullable=False),
        sa.Column("pot_cents", sa.BigInteger(), nullable=False),
        sa.Column("version_id", sa.BigInteger()),
        sa.Column("rule", postgresql.JSONB(), nullable=False),
        sa.Column("entry_id", sa.BigInteger()),
        sa.Column("split_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        tenant_reference("payment_splits", "bank_line_id", "bank_lines"),
        tenant_reference("payment_splits", "invoice_id", "invoices"),
        tenant_reference("payment_splits", "member_id", "members"),
        tenant_reference("payment_splits", "entry_id", "journal_entries"),
        sa.ForeignKeyConstraint(["municipality_id"], ["tenants.id"], name="fk_payment_splits_municipality_id_tenants"),
        sa.UniqueConstraint("tenant_id", "bank_line_id", name=op.f("uq_payment_splits_tenant_id_bank_line_id")),
        sa.CheckConstraint("status IN ('waiting', 'split')", name=op.f("ck_payment_splits_status")),
        sa.CheckConstraint("received_cents > 0 AND net_cents >= 0 AND vat_cents = received_cents - net_cents",
                           name=op.f("ck_payment_splits_amounts")),
        sa.CheckConstraint("cooperative_cents >= 0 AND training_cents >= 0 AND municipality_cents >= 0 "
                           "AND pot_cents >= 0", name=op.f("ck_payment_splits_shares_not_negative")),
        sa.CheckConstraint("status = 'waiting' OR cooperative_cents + training_cents + municipality_cents + pot_cents "
                           "= net_cents", name=op.f("ck_payment_splits_shares_add_up")),
        sa.CheckConstraint("status = 'split' OR cooperative_cents + training_cents + municipality_cents + pot_cents = 0",
                           name=op.f("ck_payment_splits_waiting_has_no_shares")),
        sa.CheckConstraint("(status = 'split') = (version_id IS NOT NULL AND split_at IS NOT NULL)",
                           name=op.f("ck_payment_splits_split_by_a_version")),
    )
    op.create_index("ix_payment_splits_tenant_id_member_id_paid_on", "payment_splits",
                    ["tenant_id", "member_id", "paid_on"])
    for table in TABLES:
        enable_tenant_isolation(table)


def downgrade():
    for table in reversed(TABLES):
        disable_tenant_isolation(table)
        op.drop_table(table)
