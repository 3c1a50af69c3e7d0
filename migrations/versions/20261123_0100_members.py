"""members: the cooperative's members, their businesses and journey, journey settings

Revision ID: 20261123_0100_members
Revises: 20261122_2305_organisations
Create Date: 2026-11-23 01:00:00
"""

import sqlalchemy as sa
from alembic import op

from koepel.platform.db import (
    disable_tenant_isolation,
    enable_tenant_isolation,
    tenant_keys,
    tenant_reference,
)

revision = "20261123_0100_members"
down_revision = "20261122_2305_organisations"
branch_labels = None
depends_on = None

STAGES = "'referred', 'intake', 'business_plan', 'trial', 'member', 'outflow', 'stopped'"
OUTCOMES = "'regular_job', 'own_business', 'other_independence', 'own_choice', 'health', 'moved', 'no_fit', 'other'"
SOURCES = "'municipality', 'work_organisation', 'social_services', 'self', 'other'"
TABLES = ("journey_settings", "members", "member_businesses", "journey_transitions")




def upgrade():
    op.create_table(
        "journey_settings",
        *tenant_keys("journey_settings"),
        sa.Column("trial_months", sa.Integer(), nullable=False),
        sa.Column("trial_warning_days", sa.Integer(), nullable=False),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_journey_settings_tenant_id")),
        sa.CheckConstraint("trial_months BETWEEN 1 AND 12", name=op.f("ck_journey_settings_trial_months")),
        sa.CheckConstraint("trial_warning_days BETWEEN 1 AND 90", name=op.f("ck_journey_settings_trial_warning_days")),
    )
    op.create_table(
        "members",
        *tenant_keys("members"),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(254)),
        sa.Column("phone", sa.String(40)),
        sa.Column("date_of_birth", sa.Date()),
        sa.Column("municipality", sa.String(100)),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("referral_source", sa.String(32), nullable=False),
        sa.Column("coach_user_id", sa.BigInteger()),
        sa.Column("user_id", sa.BigInteger()),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("stage_since", sa.Date(), nullable=False),
        sa.Column("trial_ends_on", sa.Date()),
        sa.Column("outcome", sa.String(32)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["coach_user_id"], ["users.id"], name="fk_members_coach_user_id_users"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_members_user_id_users"),
        sa.UniqueConstraint("tenant_id", "user_id", name=op.f("uq_members_tenant_id_user_id")),
        sa.CheckConstraint(f"stage IN ({STAGES})", name=op.f("ck_members_stage")),
        sa.CheckConstraint(f"outcome IS NULL OR outcome IN ({OUTCOMES})", name=op.f("ck_members_outcome")),
        sa.CheckConstraint("(stage IN ('outflow', 'stopped')) = (outcome IS NOT NULL)",
                           name=op.f("ck_members_outcome_on_end")),
        sa.CheckConstraint("(stage = 'trial') = (trial_ends_on IS NOT NULL)", name=op.f("ck_members_trial_end_in_trial")),
        sa.CheckConstraint("name = btrim(name) AND name <> ''", name=op.f("ck_members_name_present")),
        sa.CheckConstraint(f"referral_source IN ({SOURCES})", name=op.f("ck_members_referral_source")),
    )
    op.create_index("ix_members_tenant_id_lower_email", "members", ["tenant_id", "email"])
    op.create_table(
        "member_businesses",
        *tenant_keys("member_businesses"),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("trade_name", sa.String(200), nullable=False),
        sa.Column("activity", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("photo_file", sa.String(200)),
        tenant_reference("member_businesses", "member_id", "members", ondelete="CASCADE"),
        sa.UniqueConstraint("tenant_id", "member_id", name=op.f("uq_member_businesses_tenant_id_member_id")),
    )
    op.create_table(
        "journey_transitions",
        *tenant_keys("journey_transitions"),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("from_stage", sa.String(20)),
        sa.Column("to_stage", sa.String(20), nullable=False),
        sa.Column("outcome", sa.String(32)),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor_user_id", sa.BigInteger()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        tenant_reference("journey_transitions", "member_id", "members", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["actor_user_id"], ["users.id"], name="fk_journey_transitions_actor_user_id_users"),
        sa.CheckConstraint(f"to_stage IN ({STAGES})", name=op.f("ck_journey_transitions_to_stage")),
        sa.CheckConstraint(f"from_stage IS NULL OR from_stage IN ({STAGES})",
                           name=op.f("ck_journey_transitions_from_stage")),
        sa.CheckConstraint(f"outcome IS NULL OR outcome IN ({OUTCOMES})", name=op.f("ck_journey_transitions_outcome")),
    )
    op.create_index("ix_journey_transitions_member", "journey_transitions", ["tenant_id", "member_id", "id"])
    for table in TABLES:
        enable_tenant_isolation(table)


def downgrade():
    for table in reversed(TABLES):
        disable_tenant_isolation(table)
        op.drop_table(table)
