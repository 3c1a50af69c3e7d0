"""stripe: online payment of invoices (settings, payment links, webhook events), the ledger's
payment_provider account, and a payment split sourced by an online payment

Revision ID: 20261123_0330_stripe
Revises: 20261123_0325_invoice_vat_rates
Create Date: 2026-11-23 03:30:00
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

revision = "20261123_0330_stripe"
down_revision = "20261123_0325_invoice_vat_rates"
branch_labels = None
depends_on = None

ACCOUNT_PATTERN = r"^acct_[A-Za-z0-9]{6,250}$"
KINDS_BEFORE = ("bank", "receivable", "vat_payable", "earnings", "cooperative", "costs", "training_pot",
                "municipality_owed", "member_pot", "payouts_due")
KINDS_AFTER = (*KINDS_BEFORE, "payment_provider")
TABLES = ("online_payment_settings", "online_payments")


def _kinds(kinds) -> str:
    return f"kind IN ({', '.join(repr(k) for k in kinds)})"


def upgrade():
    op.drop_constraint(op.f("ck_ledger_accounts_kind"), "ledger_accounts", type_="check")
    op.create_check_constraint(op.f("ck_ledger_accounts_kind"), "ledger_accounts", _kinds(KINDS_AFTER))

    op.create_table(
        "online_payment_settings",
        *tenant_keys("online_payment_settings"),
        sa.Column("stripe_account_id", sa.String(255)),
        sa.Column("updated_by", sa.BigInteger()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        user_reference("online_payment_settings", "updated_by"),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_online_payment_settings_tenant_id")),
        sa.CheckConstraint(f"stripe_account_id IS NULL OR stripe_account_id ~ '{ACCOUNT_PATTERN}'",
                           name=op.f("ck_online_payment_settings_account_format")),
    )
    op.create_table(
        "online_payments",
        *tenant_keys("online_payments"),
        sa.Column("invoice_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("stripe_account_id", sa.String(255), nullable=False),
        sa.Column("session_id", sa.String(255), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True)),
        sa.Column("created_by", sa.BigInteger()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paid_on", sa.Date()),
        sa.Column("registered_cents", sa.BigInteger(), nullable=False),
        sa.Column("payment_intent_id", sa.String(255), nullable=False),
        sa.Column("event_id", sa.String(255)),
        sa.Column("entry_id", sa.BigInteger()),
        tenant_reference("online_payments", "invoice_id", "invoices"),
        tenant_reference("online_payments", "entry_id", "journal_entries"),
        user_reference("online_payments", "created_by"),
        sa.UniqueConstraint("tenant_id", "session_id", name=op.f("uq_online_payments_tenant_id_session_id")),
        sa.UniqueConstraint("tenant_id", "idempotency_key",
                            name=op.f("uq_online_payments_tenant_id_idempotency_key")),
        sa.CheckConstraint("status IN ('open', 'superseded', 'expired', 'paid')", name=op.f("ck_online_payments_status")),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_online_payments_amount_positive")),
        sa.CheckConstraint(f"stripe_account_id ~ '{ACCOUNT_PATTERN}'", name=op.f("ck_online_payments_account_format")),
        sa.CheckConstraint("(status = 'paid') = (paid_on IS NOT NULL AND entry_id IS NOT NULL "
                           "AND event_id IS NOT NULL)", name=op.f("ck_online_payments_paid_complete")),
        sa.CheckConstraint("status <> 'paid' OR (registered_cents >= 0 AND registered_cents <= amount_cents)",
                           name=op.f("ck_online_payments_registered_within_amount")),
    )
    op.create_index("uq_online_payments_open_invoice", "online_payments", ["tenant_id", "invoice_id"], unique=True,
                    postgresql_where=sa.text("status = 'open'"))
    op.create_index("ix_online_payments_tenant_id_invoice_id", "online_payments", ["tenant_id", "invoice_id"])
    for table in TABLES:
        enable_tenant_isolation(table)

    # Not a tenant's table: the webhook records each event before it knows the tenant.
    op.create_table(
        "stripe_events",
        sa.Column("event_id", sa.String(255), nullable=False),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("account", sa.String(255), nullable=False),
        sa.Column("cooperative_id", sa.BigInteger(), nullable=False),
        sa.Column("session_id", sa.String(255), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_stripe_events"),
        sa.ForeignKeyConstraint(["cooperative_id"], ["tenants.id"], name="fk_stripe_events_cooperative_id_tenants"),
        sa.CheckConstraint("outcome IN ('posted', 'already_paid', 'not_paid')", name=op.f("ck_stripe_events_outcome")),
        sa.CheckConstraint("event_id ~ '^evt_'", name=op.f("ck_stripe_events_event_id_format")),
    )

    # A payment split is sourced by a bank line or by an online payment, exactly one.
    op.alter_column("payment_splits", "bank_line_id", existing_type=sa.BigInteger(), nullable=True)
    op.add_column("payment_splits", sa.Column("online_payment_id", sa.BigInteger()))
    op.create_foreign_key("fk_payment_splits_tenant_id_online_payment_id_online_payments", "payment_splits",
                          "online_payments", ["tenant_id", "online_payment_id"], ["tenant_id", "id"])
    op.create_unique_constraint(op.f("uq_payment_splits_tenant_id_online_payment_id"), "payment_splits",
                                ["tenant_id", "online_payment_id"])
    op.create_check_constraint(op.f("ck_payment_splits_one_source"), "payment_splits",
                               "num_nonnulls(bank_line_id, online_payment_id) = 1")


def downgrade():
    op.drop_constraint(op.f("ck_payment_splits_one_source"), "payment_splits", type_="check")
    op.drop_constraint(op.f("uq_payment_splits_tenant_id_online_payment_id"), "payment_splits", type_="unique")
    op.drop_constraint("fk_payment_splits_tenant_id_online_payment_id_online_payments", "payment_splits",
                       type_="foreignkey")
    op.drop_column("payment_splits", "online_payment_id")
    # Fails while splits of online payments exist: they would lose their source.
    op.alter_column("payment_splits", "bank_line_id", existing_type=sa.BigInteger(), nullable=False)

    op.drop_table("stripe_events")
    for table in reversed(TABLES):
        disable_tenant_isolation(table)
    op.drop_index("ix_online_payments_tenant_id_invoice_id", table_name="online_payments")
    op.drop_index("uq_online_payments_open_invoice", table_name="online_payments")
    op.drop_table("online_payments")
    op.drop_table("online_payment_settings")

    # Fails while payment_provider accounts exist: their entries would have no kind.
    op.drop_constraint(op.f("ck_ledger_accounts_kind"), "ledger_accounts", type_="check")
    op.create_check_constraint(op.f("ck_ledger_accounts_kind"), "ledger_accounts", _kinds(KINDS_BEFORE))
