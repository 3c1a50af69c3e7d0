"""pots: spending requests from members' savings pots, payout batches, closings

Revision ID: 20261123_0250_pots
Revises: 20261123_0240_member_benefit
Create Date: 2026-11-23 02:50:00
"""

import sqlalchemy as sa
from alembic import op

from koepel.platform.db import (
    disable_tenant_isolation,
    enable_tenant_isolation,
    tenant_keys,
    tenant_reference,
    user_reference,
)

revision = "20261123_0250_pots"
down_revision = "20261123_0240_member_benefit"
branch_labels = None
depends_on = None

TABLES = ("payout_batches", "pot_requests", "pot_closings")
CATEGORIES = "'tools', 'materials', 'training', 'equipment', 'transport', 'other'"



def upgrade():
    op.create_table(
        "payout_batches",
        *tenant_keys("payout_batches"),
        sa.Column("execution_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("message_id", sa.String(35), nullable=False),
        sa.Column("transaction_count", sa.Integer(), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("debtor_iban", sa.String(34), nullable=False),
        sa.Column("sepa_xml", sa.Text(), nullable=False),
        sa.Column("created_by", sa.BigInteger()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paid_on", sa.Date()),
        sa.Column("paid_by", sa.BigInteger()),
        user_reference("payout_batches", "created_by"),
        user_reference("payout_batches", "paid_by"),
        sa.UniqueConstraint("tenant_id", "message_id", name=op.f("uq_payout_batches_tenant_id_message_id")),
        sa.CheckConstraint("status IN ('created', 'paid')", name=op.f("ck_payout_batches_status")),
        sa.CheckConstraint("transaction_count > 0 AND total_cents > 0", name=op.f("ck_payout_batches_not_empty")),
        sa.CheckConstraint("(status = 'paid') = (paid_on IS NOT NULL)", name=op.f("ck_payout_batches_paid_on_when_paid")),
    )
    op.create_table(
        "pot_requests",
        *tenant_keys("pot_requests"),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("supplier_name", sa.String(70), nullable=False),
        sa.Column("supplier_iban", sa.String(34), nullable=False),
        sa.Column("attachment_file", sa.String(100), nullable=False),
        sa.Column("attachment_name", sa.String(200), nullable=False),
        sa.Column("attachment_type", sa.String(8), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("requested_by", sa.BigInteger()),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.BigInteger()),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("refusal_reason", sa.Text()),
        sa.Column("approval_entry_id", sa.BigInteger()),
        sa.Column("batch_id", sa.BigInteger()),
        sa.Column("paid_on", sa.Date()),
        sa.Column("paid_entry_id", sa.BigInteger()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        tenant_reference("pot_requests", "member_id", "members", ondelete="CASCADE"),
        tenant_reference("pot_requests", "approval_entry_id", "journal_entries"),
        tenant_reference("pot_requests", "paid_entry_id", "journal_entries"),
        tenant_reference("pot_requests", "batch_id", "payout_batches"),
        user_reference("pot_requests", "requested_by"),
        user_reference("pot_requests", "decided_by"),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_pot_requests_amount_positive")),
        sa.CheckConstraint(f"category IN ({CATEGORIES})", name=op.f("ck_pot_requests_category")),
        sa.CheckConstraint("status IN ('requested', 'approved', 'refused', 'paid')", name=op.f("ck_pot_requests_status")),
        sa.CheckConstraint("attachment_type IN ('pdf', 'png', 'jpg')", name=op.f("ck_pot_requests_attachment_type")),
        sa.CheckConstraint("btrim(description) <> '' AND btrim(supplier_name) <> ''",
                           name=op.f("ck_pot_requests_texts_present")),
        sa.CheckConstraint("(status = 'requested') = (decided_at IS NULL)",
                           name=op.f("ck_pot_requests_decided_when_not_requested")),
        sa.CheckConstraint("(status IN ('approved', 'paid')) = (approval_entry_id IS NOT NULL)",
                           name=op.f("ck_pot_requests_approval_entry")),
        sa.CheckConstraint("(status = 'refused') = (refusal_reason IS NOT NULL AND btrim(refusal_reason) <> '')",
                           name=op.f("ck_pot_requests_refusal_reason")),
        sa.CheckConstraint("(status = 'paid') = (paid_entry_id IS NOT NULL AND paid_on IS NOT NULL)",
                           name=op.f("ck_pot_requests_paid_entry")),
        sa.CheckConstraint("batch_id IS NULL OR status IN ('approved', 'paid')",
                           name=op.f("ck_pot_requests_batch_only_approved")),
    )
    op.create_index("ix_pot_requests_member", "pot_requests", ["tenant_id", "member_id", "id"])
    op.create_index("ix_pot_requests_batch", "pot_requests", ["tenant_id", "batch_id"])
    op.create_table(
        "pot_closings",
        *tenant_keys("pot_closings"),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("transition_id", sa.BigInteger(), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=False),
        sa.Column("rule", sa.String(20), nullable=False),
        sa.Column("partner_tenant_id", sa.BigInteger()),
        sa.Column("keep_months", sa.Integer()),
        sa.Column("open_until", sa.Date()),
        sa.Column("held_cents", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("confirmed_by", sa.BigInteger()),
        sa.Column("confirmed_at", sa.DateTime(timezone=True)),
        sa.Column("returned_cents", sa.BigInteger()),
        sa.Column("entry_id", sa.BigInteger()),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        tenant_reference("pot_closings", "member_id", "members", ondelete="CASCADE"),
        tenant_reference("pot_closings", "transition_id", "journey_transitions", ondelete="CASCADE"),
        tenant_reference("pot_closings", "entry_id", "journal_entries"),
        sa.ForeignKeyConstraint(["partner_tenant_id"], ["tenants.id"], name="fk_pot_closings_partner_tenant_id_tenants"),
        user_reference("pot_closings", "confirmed_by"),
        sa.UniqueConstraint("tenant_id", "transition_id", name=op.f("uq_pot_closings_tenant_id_transition_id")),
        sa.CheckConstraint("rule IN ('spend_on_business', 'keep_for_period', 'return', 'no_agreement')",
                           name=op.f("ck_pot_closings_rule")),
        sa.CheckConstraint("status IN ('pending', 'confirmed', 'cancelled')", name=op.f("ck_pot_closings_status")),
        sa.CheckConstraint("held_cents > 0", name=op.f("ck_pot_closings_held_positive")),
        sa.CheckConstraint("(rule = 'keep_for_period') = (keep_months IS NOT NULL)",
                           name=op.f("ck_pot_closings_keep_months_when_kept")),
        sa.CheckConstraint("(rule = 'return') = (partner_tenant_id IS NOT NULL)",
                           name=op.f("ck_pot_closings_partner_when_returned")),
        sa.CheckConstraint("(rule IN ('spend_on_business', 'keep_for_period')) = (open_until IS NOT NULL)",
                           name=op.f("ck_pot_closings_open_until_when_open")),
        sa.CheckConstraint("(status = 'confirmed') = (confirmed_at IS NOT NULL)",
                           name=op.f("ck_pot_closings_confirmed_at")),
        sa.CheckConstraint("entry_id IS NULL OR (rule = 'return' AND status = 'confirmed')",
                           name=op.f("ck_pot_closings_entry_only_returned")),
    )
    op.create_index("ix_pot_closings_member", "pot_closings", ["tenant_id", "member_id", "id"])
    for table in TABLES:
        enable_tenant_isolation(table)


def downgrade():
    for table in reversed(TABLES):
        disable_tenant_isolation(table)
        op.drop_table(table)
