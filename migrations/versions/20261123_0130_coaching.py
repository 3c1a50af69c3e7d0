"""coaching: coaching sessions, notes and goals

Revision ID: 20261123_0130_coaching
Revises: 20261123_0120_ladder
Create Date: 2026-11-23 01:30:00
"""

import sqlalchemy as sa
from alembic import op

from koepel.platform.db import (
    disable_tenant_isolation,
    enable_tenant_isolation,
    tenant_keys,
    tenant_reference,
)

revision = "20261123_0130_coaching"
down_revision = "20261123_0120_ladder"
branch_labels = None
depends_on = None

KINDS = "'personal', 'business_skills', 'external'"
STATUSES = "'open', 'achieved', 'dropped'"
TABLES = ("coaching_notes", "coaching_goals", "coaching_goal_updates")




def upgrade():
    op.create_table(
        "coaching_notes",
        *tenant_keys("coaching_notes"),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("coach_user_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("next_appointment_on", sa.Date()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True)),
        tenant_reference("coaching_notes", "member_id", "members", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["coach_user_id"], ["users.id"], name="fk_coaching_notes_coach_user_id_users"),
        sa.CheckConstraint(f"kind IN ({KINDS})", name=op.f("ck_coaching_notes_kind")),
        sa.CheckConstraint("body = btrim(body) AND body <> '' AND char_length(body) <= 4000",
                           name=op.f("ck_coaching_notes_body")),
        sa.CheckConstraint("held_on <= (created_at AT TIME ZONE 'Europe/Amsterdam')::date",
                           name=op.f("ck_coaching_notes_held_not_later")),
        sa.CheckConstraint("next_appointment_on IS NULL OR next_appointment_on >= held_on",
                           name=op.f("ck_coaching_notes_next_after_held")),
        sa.CheckConstraint("edited_at IS NULL OR edited_at >= created_at",
                           name=op.f("ck_coaching_notes_edited_after_created")),
    )
    op.create_index("ix_coaching_notes_member", "coaching_notes", ["tenant_id", "member_id", "held_on"])
    op.create_table(
        "coaching_goals",
        *tenant_keys("coaching_goals"),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("target_on", sa.Date()),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("created_by_user_id", sa.BigInteger()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        tenant_reference("coaching_goals", "member_id", "members", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_user_id"], ["users.id"],
                                name="fk_coaching_goals_created_by_user_id_users"),
        sa.CheckConstraint(f"status IN ({STATUSES})", name=op.f("ck_coaching_goals_status")),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name=op.f("ck_coaching_goals_progress")),
        sa.CheckConstraint("status <> 'achieved' OR progress = 100", name=op.f("ck_coaching_goals_achieved_is_complete")),
        sa.CheckConstraint("title = btrim(title) AND title <> '' AND char_length(title) <= 200",
                           name=op.f("ck_coaching_goals_title")),
    )
    op.create_index("ix_coaching_goals_member", "coaching_goals", ["tenant_id", "member_id"])
    op.create_table(
        "coaching_goal_updates",
        *tenant_keys("coaching_goal_updates"),
        sa.Column("goal_id", sa.BigInteger(), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("by_user_id", sa.BigInteger()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "goal_id"], ["coaching_goals.tenant_id", "coaching_goals.id"],
            name="fk_coaching_goal_updates_tenant_id_goal_id_coaching_goals", ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["by_user_id"], ["users.id"], name="fk_coaching_goal_updates_by_user_id_users"),
        sa.CheckConstraint(f"status IN ({STATUSES})", name=op.f("ck_coaching_goal_updates_status")),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name=op.f("ck_coaching_goal_updates_progress")),
        sa.CheckConstraint("status <> 'achieved' OR progress = 100",
                           name=op.f("ck_coaching_goal_updates_achieved_is_complete")),
        sa.CheckConstraint("char_length(note) <= 2000", name=op.f("ck_coaching_goal_updates_note_length")),
    )
    op.create_index("ix_coaching_goal_updates_goal", "coaching_goal_updates", ["tenant_id", "goal_id", "id"])
    for table in TABLES:
        enable_tenant_isolation(table)


def downgrade():
    for table in reversed(TABLES):
        disable_tenant_isolation(table)
        op.drop_table(table)
