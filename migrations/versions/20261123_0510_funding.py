"""funding: subsidy periods under an agreement and what is recorded against them

Revision ID: 20261123_0510_funding
Revises: 20261123_0500_outcomes
Create Date: 2026-11-23 05:10:00
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

revision = "20261123_0510_funding"
down_revision = "20261123_0500_outcomes"
branch_labels = None
depends_on = None

# As in koepel.tenants.funding at the time of writing (a migration never imports them).
SIDES = "'cooperative', 'municipality'"
KINDS = "'hours', 'housing'"
TABLES = ("funding_periods", "funding_records")


def _check(table, condition, name):
    return sa.CheckConstraint(condition, name=op.f(f"ck_{table}_{name}"))


def upgrade():
    t = "funding_periods"
    op.create_table(
        t,
        *tenant_keys(t),
        sa.Column("side", sa.String(16), nullable=False),
        sa.Column("agreement_id", sa.BigInteger(), nullable=False),
        sa.Column("partner_tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("partner_name", sa.String(200), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("granted_cents", sa.BigInteger()),
        sa.Column("notes", sa.Text()),
        sa.Column("opened_by", sa.BigInteger()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        tenant_reference(t, "agreement_id", "agreements"),
        sa.ForeignKeyConstraint(["partner_tenant_id"], ["tenants.id"], name="fk_funding_periods_partner_tenant_id_tenants"),
        user_reference(t, "opened_by"),
        sa.UniqueConstraint("tenant_id", "agreement_id", "first_day",
                            name=op.f("uq_funding_periods_tenant_id_agreement_id_first_day")),
        _check(t, f"side IN ({SIDES})", "side"),
        _check(t, "partner_tenant_id <> tenant_id", "two_tenants"),
        _check(t, "extract(day from first_day) = 1", "starts_on_first"),
        _check(t, "extract(day from last_day + 1) = 1", "ends_on_last"),
        _check(t, "last_day > first_day", "ends_after_start"),
        _check(t, "granted_cents IS NULL OR granted_cents BETWEEN 0 AND 10000000000", "granted_range"),
        _check(t, "notes IS NULL OR length(notes) <= 2000", "notes_length"),
    )
    t = "funding_records"
    op.create_table(
        t,
        *tenant_keys(t),
        sa.Column("period_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("hours", sa.Numeric(4, 1)),
        sa.Column("amount_cents", sa.BigInteger()),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("done_by", sa.String(200)),
        sa.Column("request_key", sa.String(64), nullable=False),
        sa.Column("recorded_by", sa.BigInteger()),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True)),
        sa.Column("withdrawn_by", sa.BigInteger()),
        sa.Column("withdraw_reason", sa.Text()),
        tenant_reference(t, "period_id", "funding_periods"),
        user_reference(t, "recorded_by"),
        user_reference(t, "withdrawn_by"),
        sa.UniqueConstraint("tenant_id", "request_key", name=op.f("uq_funding_records_tenant_id_request_key")),
        _check(t, f"kind IN ({KINDS})", "kind"),
        _check(t, "(kind = 'hours') = (hours IS NOT NULL)", "hours_when_hours"),
        _check(t, "(kind = 'housing') = (amount_cents IS NOT NULL)", "amount_when_housing"),
        _check(t, "hours > 0 AND hours <= 24.0", "hours_range"),
        _check(t, "amount_cents > 0 AND amount_cents <= 100000000", "amount_range"),
        _check(t, "kind = 'hours' OR extract(day from on_date) = 1", "housing_by_month"),
        _check(t, "description = btrim(description) AND description <> '' AND length(description) <= 500",
               "description_present"),
        _check(t, "done_by IS NULL OR length(done_by) <= 200", "done_by_length"),
        _check(t, "(withdrawn_at IS NULL) = (withdraw_reason IS NULL)", "withdrawn_with_reason"),
        _check(t, "withdraw_reason IS NULL OR length(withdraw_reason) <= 1000", "withdraw_reason_length"),
    )
    op.create_index("ix_funding_records_tenant_id_period_id", t, ["tenant_id", "period_id"])
    for table in TABLES:
        enable_tenant_isolation(table)


def downgrade():
    for table in reversed(TABLES):
        disable_tenant_isolation(table)
        op.drop_table(table)
