"""agreements: the terms between a cooperative and a municipality, in versions

Revision ID: 20261123_0220_agreements
Revises: 20261123_0210_parameters
Create Date: 2026-11-23 02:20:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

from koepel.platform.db import (
    disable_tenant_isolation,
    enable_tenant_isolation,
    tenant_keys,
    tenant_reference,
    user_reference,
)

revision = "20261123_0220_agreements"
down_revision = "20261123_0210_parameters"
branch_labels = None
depends_on = None

# As in koepel.tenants.agreements at the time of writing (a migration never imports them).
SIDES = "'cooperative', 'municipality'"
AGREEMENT_STATUSES = "'proposed', 'active'"
VERSION_STATUSES = "'proposed', 'accepted', 'rejected', 'withdrawn'"
SHARE_KINDS = "'percentage', 'flat_per_member', 'none'"
POT_CATEGORIES = "'tools', 'materials', 'training', 'equipment', 'transport', 'other'"
POT_ON_LEAVING = "'spend_on_business', 'keep_for_period', 'return'"
TABLES = ("agreements", "agreement_versions")


def _check(table, condition, name):
    return sa.CheckConstraint(condition, name=op.f(f"ck_{table}_{name}"))



def upgrade():
    op.create_table(
        "agreements",
        *tenant_keys("agreements"),
        sa.Column("link_key", sa.String(64), nullable=False),
        sa.Column("side", sa.String(16), nullable=False),
        sa.Column("partner_tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("partner_name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["partner_tenant_id"], ["tenants.id"], name="fk_agreements_partner_tenant_id_tenants"),
        sa.UniqueConstraint("tenant_id", "link_key", name=op.f("uq_agreements_tenant_id_link_key")),
        sa.UniqueConstraint("tenant_id", "partner_tenant_id", name=op.f("uq_agreements_tenant_id_partner_tenant_id")),
        _check("agreements", f"side IN ({SIDES})", "side"),
        _check("agreements", f"status IN ({AGREEMENT_STATUSES})", "status"),
        _check("agreements", "partner_tenant_id <> tenant_id", "two_tenants"),
        _check("agreements", "partner_name = btrim(partner_name) AND partner_name <> ''", "partner_name_present"),
    )
    t = "agreement_versions"
    op.create_table(
        t,
        *tenant_keys(t),
        sa.Column("agreement_id", sa.BigInteger(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("proposed_by_side", sa.String(16), nullable=False),
        sa.Column("proposed_by", sa.BigInteger()),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.BigInteger()),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("reject_reason", sa.Text()),
        sa.Column("cooperative_share_kind", sa.String(20), nullable=False),
        sa.Column("cooperative_share_bp", sa.Integer()),
        sa.Column("cooperative_flat_cents", sa.BigInteger()),
        sa.Column("training_pot_bp", sa.Integer(), nullable=False),
        sa.Column("municipality_share_bp", sa.Integer(), nullable=False),
        sa.Column("municipality_threshold_cents", sa.BigInteger(), nullable=False),
        sa.Column("pot_categories", ARRAY(sa.String(20)), nullable=False),
        sa.Column("pot_on_leaving", sa.String(20), nullable=False),
        sa.Column("pot_keep_months", sa.Integer()),
        sa.Column("exempt_from_job_applications", sa.Boolean(), nullable=False),
        sa.Column("exempt_from_reintegration", sa.Boolean(), nullable=False),
        sa.Column("coordination_hours_per_month", sa.Numeric(5, 1), nullable=False),
        sa.Column("housing_contribution_cents", sa.BigInteger(), nullable=False),
        sa.Column("notes", sa.Text()),
        tenant_reference(t, "agreement_id", "agreements", ondelete="CASCADE"),
        user_reference(t, "proposed_by"),
        user_reference(t, "decided_by"),
        sa.UniqueConstraint("tenant_id", "agreement_id", "number",
                            name=op.f("uq_agreement_versions_tenant_id_agreement_id_number")),
        _check(t, "number >= 1", "number_positive"),
        _check(t, f"status IN ({VERSION_STATUSES})", "status"),
        _check(t, f"proposed_by_side IN ({SIDES})", "proposed_by_side"),
        _check(t, "(status = 'proposed') = (decided_at IS NULL)", "decided_when_closed"),
        _check(t, "(status = 'rejected') = (reject_reason IS NOT NULL)", "reject_reason"),
        _check(t, "reject_reason IS NULL OR length(reject_reason) <= 1000", "reject_reason_length"),
        _check(t, f"cooperative_share_kind IN ({SHARE_KINDS})", "cooperative_share_kind"),
        _check(t, "(cooperative_share_kind = 'percentage') = (cooperative_share_bp IS NOT NULL)",
               "cooperative_share_bp_when_percentage"),
        _check(t, "(cooperative_share_kind = 'flat_per_member') = (cooperative_flat_cents IS NOT NULL)",
               "cooperative_flat_when_flat"),
        _check(t, "cooperative_share_bp BETWEEN 0 AND 10000", "cooperative_share_bp_range"),
        _check(t, "cooperative_flat_cents >= 0", "cooperative_flat_not_negative"),
        _check(t, "training_pot_bp BETWEEN 0 AND 10000", "training_pot_bp_range"),
        _check(t, "municipality_share_bp BETWEEN 0 AND 10000", "municipality_share_bp_range"),
        _check(t, "COALESCE(cooperative_share_bp, 0) + training_pot_bp + municipality_share_bp <= 10000",
               "shares_at_most_whole"),
        _check(t, "municipality_threshold_cents >= 0", "threshold_not_negative"),
        _check(t, f"cardinality(pot_categories) >= 1 AND pot_categories <@ ARRAY[{POT_CATEGORIES}]::varchar[]",
               "pot_categories"),
        _check(t, f"pot_on_leaving IN ({POT_ON_LEAVING})", "pot_on_leaving"),
        _check(t, "(pot_on_leaving = 'keep_for_period') = (pot_keep_months IS NOT NULL)", "keep_months_when_kept"),
        _check(t, "pot_keep_months BETWEEN 1 AND 120", "keep_months_range"),
        _check(t, "coordination_hours_per_month BETWEEN 0 AND 744", "coordination_hours_range"),
        _check(t, "housing_contribution_cents >= 0", "housing_not_negative"),
        _check(t, "notes IS NULL OR length(notes) <= 2000", "notes_length"),
    )
    op.create_index("uq_agreement_versions_one_open", t, ["tenant_id", "agreement_id"], unique=True,
                    postgresql_where=sa.text("status = 'proposed'"))
    op.create_index("uq_agreement_versions_accepted_valid_from", t, ["tenant_id", "agreement_id", "valid_from"],
                    unique=True, postgresql_where=sa.text("status = 'accepted'"))
    for table in TABLES:
        enable_tenant_isolation(table)


def downgrade():
    for table in reversed(TABLES):
        disable_tenant_isolation(table)
        op.drop_table(table)
