"""referrals: municipalities refer residents to cooperatives, with consent

Revision ID: 20261123_0110_referrals
Revises: 20261123_0100_members
Create Date: 2026-11-23 01:10:00
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

revision = "20261123_0110_referrals"
down_revision = "20261123_0100_members"
branch_labels = None
depends_on = None

STAGES = "'referred', 'intake', 'business_plan', 'trial', 'member', 'outflow', 'stopped'"
OUTCOMES = "'regular_job', 'own_business', 'other_independence', 'own_choice', 'health', 'moved', 'no_fit', 'other'"
REFERRAL_STATUSES = "'sent', 'accepted', 'declined', 'withdrawn'"
INCOMING_STATUSES = "'pending', 'accepted', 'declined', 'withdrawn'"
HANDOVER_MAX = 1000
TABLES = ("referrals", "referral_events", "incoming_referrals")




def upgrade():
    op.create_table(
        "referrals",
        *tenant_keys("referrals"),
        sa.Column("link_key", sa.String(64), nullable=False),
        sa.Column("idempotency_key", sa.String(64), nullable=False),
        sa.Column("resident_name", sa.String(200), nullable=False),
        sa.Column("resident_email", sa.String(254)),
        sa.Column("resident_phone", sa.String(40)),
        sa.Column("resident_date_of_birth", sa.Date()),
        sa.Column("client_reference", sa.String(100)),
        sa.Column("consent_recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consent_recorded_by", sa.BigInteger()),
        sa.Column("share_contact", sa.Boolean(), nullable=False),
        sa.Column("share_date_of_birth", sa.Boolean(), nullable=False),
        sa.Column("share_handover", sa.Boolean(), nullable=False),
        sa.Column("handover", sa.Text(), nullable=False),
        sa.Column("target_tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("stage", sa.String(20)),
        sa.Column("outcome", sa.String(32)),
        sa.Column("stage_on", sa.Date()),
        sa.Column("decline_reason", sa.Text()),
        sa.Column("sent_by", sa.BigInteger()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        user_reference("referrals", "consent_recorded_by"),
        user_reference("referrals", "sent_by"),
        sa.ForeignKeyConstraint(["target_tenant_id"], ["tenants.id"], name="fk_referrals_target_tenant_id_tenants"),
        sa.UniqueConstraint("tenant_id", "link_key", name=op.f("uq_referrals_tenant_id_link_key")),
        sa.UniqueConstraint("tenant_id", "idempotency_key", name=op.f("uq_referrals_tenant_id_idempotency_key")),
        sa.CheckConstraint(f"status IN ({REFERRAL_STATUSES})", name=op.f("ck_referrals_status")),
        sa.CheckConstraint("resident_name = btrim(resident_name) AND resident_name <> ''",
                           name=op.f("ck_referrals_name_present")),
        sa.CheckConstraint(f"length(btrim(handover)) BETWEEN 1 AND {HANDOVER_MAX}",
                           name=op.f("ck_referrals_handover_length")),
        sa.CheckConstraint(f"stage IS NULL OR stage IN ({STAGES})", name=op.f("ck_referrals_stage")),
        sa.CheckConstraint(f"outcome IS NULL OR outcome IN ({OUTCOMES})", name=op.f("ck_referrals_outcome")),
        sa.CheckConstraint("(stage IS NULL) = (stage_on IS NULL)", name=op.f("ck_referrals_stage_dated")),
        sa.CheckConstraint("stage IS NULL OR status = 'accepted'", name=op.f("ck_referrals_stage_when_accepted")),
        sa.CheckConstraint("outcome IS NULL OR stage IN ('outflow', 'stopped')",
                           name=op.f("ck_referrals_outcome_on_end")),
        sa.CheckConstraint("(status = 'declined') = (decline_reason IS NOT NULL)",
                           name=op.f("ck_referrals_decline_reason")),
    )
    op.create_index("ix_referrals_tenant_id_created_at", "referrals", ["tenant_id", "created_at"])
    op.create_table(
        "referral_events",
        *tenant_keys("referral_events"),
        sa.Column("referral_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16)),
        sa.Column("stage", sa.String(20)),
        sa.Column("outcome", sa.String(32)),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        tenant_reference("referral_events", "referral_id", "referrals", ondelete="CASCADE"),
        sa.CheckConstraint(f"status IS NULL OR status IN ({REFERRAL_STATUSES})", name=op.f("ck_referral_events_status")),
        sa.CheckConstraint(f"stage IS NULL OR stage IN ({STAGES})", name=op.f("ck_referral_events_stage")),
        sa.CheckConstraint(f"outcome IS NULL OR outcome IN ({OUTCOMES})", name=op.f("ck_referral_events_outcome")),
        sa.CheckConstraint("status IS NOT NULL OR stage IS NOT NULL",
                           name=op.f("ck_referral_events_something_happened")),
    )
    op.create_index("ix_referral_events_referral", "referral_events", ["tenant_id", "referral_id", "id"])
    op.create_table(
        "incoming_referrals",
        *tenant_keys("incoming_referrals"),
        sa.Column("link_key", sa.String(64), nullable=False),
        sa.Column("from_tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("from_name", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(254)),
        sa.Column("phone", sa.String(40)),
        sa.Column("date_of_birth", sa.Date()),
        sa.Column("handover", sa.Text()),
        sa.Column("shared_contact", sa.Boolean(), nullable=False),
        sa.Column("shared_date_of_birth", sa.Boolean(), nullable=False),
        sa.Column("shared_handover", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("member_id", sa.BigInteger()),
        sa.Column("decline_reason", sa.Text()),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("decided_by", sa.BigInteger()),
        sa.ForeignKeyConstraint(["from_tenant_id"], ["tenants.id"], name="fk_incoming_referrals_from_tenant_id_tenants"),
        tenant_reference("incoming_referrals", "member_id", "members", ondelete="CASCADE"),
        user_reference("incoming_referrals", "decided_by"),
        sa.UniqueConstraint("tenant_id", "link_key", name=op.f("uq_incoming_referrals_tenant_id_link_key")),
        sa.UniqueConstraint("tenant_id", "member_id", name=op.f("uq_incoming_referrals_tenant_id_member_id")),
        sa.CheckConstraint(f"status IN ({INCOMING_STATUSES})", name=op.f("ck_incoming_referrals_status")),
        sa.CheckConstraint("name = btrim(name) AND name <> ''", name=op.f("ck_incoming_referrals_name_present")),
        sa.CheckConstraint("shared_contact OR (email IS NULL AND phone IS NULL)",
                           name=op.f("ck_incoming_referrals_contact_consented")),
        sa.CheckConstraint("shared_date_of_birth OR date_of_birth IS NULL",
                           name=op.f("ck_incoming_referrals_date_of_birth_consented")),
        sa.CheckConstraint("shared_handover OR handover IS NULL", name=op.f("ck_incoming_referrals_handover_consented")),
        sa.CheckConstraint(f"handover IS NULL OR length(handover) <= {HANDOVER_MAX}",
                           name=op.f("ck_incoming_referrals_handover_length")),
        sa.CheckConstraint("(status = 'accepted') = (member_id IS NOT NULL)",
                           name=op.f("ck_incoming_referrals_member_when_accepted")),
        sa.CheckConstraint("(status = 'declined') = (decline_reason IS NOT NULL)",
                           name=op.f("ck_incoming_referrals_decline_reason")),
    )
    op.create_index("ix_incoming_referrals_tenant_id_received_at", "incoming_referrals", ["tenant_id", "received_at"])
    for table in TABLES:
        enable_tenant_isolation(table)


def downgrade():
    for table in reversed(TABLES):
        disable_tenant_isolation(table)
        op.drop_table(table)
