"""meetings: cooperative meetings, attendance and minutes

Revision ID: 20261123_0140_meetings
Revises: 20261123_0130_coaching
Create Date: 2026-11-23 01:40:00
"""

import sqlalchemy as sa
from alembic import op

from koepel.platform.db import (
    disable_tenant_isolation,
    enable_tenant_isolation,
    tenant_keys,
    tenant_reference,
)

revision = "20261123_0140_meetings"
down_revision = "20261123_0130_coaching"
branch_labels = None
depends_on = None

TABLES = ("meetings", "meeting_attendance")



def upgrade():
    op.create_table(
        "meetings",
        *tenant_keys("meetings"),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(200), nullable=False),
        sa.Column("agenda", sa.Text(), nullable=False),
        sa.Column("minutes", sa.Text(), nullable=False),
        sa.Column("created_by_user_id", sa.BigInteger()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("minutes_by_user_id", sa.BigInteger()),
        sa.Column("minutes_at", sa.DateTime(timezone=True)),
        sa.ForeignKeyConstraint(["created_by_user_id"], ["users.id"], name="fk_meetings_created_by_user_id_users"),
        sa.ForeignKeyConstraint(["minutes_by_user_id"], ["users.id"], name="fk_meetings_minutes_by_user_id_users"),
        sa.CheckConstraint("title = btrim(title) AND title <> ''", name=op.f("ck_meetings_title_present")),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_meetings_ends_after_start")),
        sa.CheckConstraint("char_length(agenda) <= 4000", name=op.f("ck_meetings_agenda_length")),
        sa.CheckConstraint("char_length(minutes) <= 4000", name=op.f("ck_meetings_minutes_length")),
        sa.CheckConstraint("minutes = '' OR minutes_at IS NOT NULL", name=op.f("ck_meetings_minutes_dated")),
    )
    op.create_index("ix_meetings_starts_at", "meetings", ["tenant_id", "starts_at"])
    op.create_table(
        "meeting_attendance",
        *tenant_keys("meeting_attendance"),
        sa.Column("meeting_id", sa.BigInteger(), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("recorded_by_user_id", sa.BigInteger()),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        tenant_reference("meeting_attendance", "meeting_id", "meetings", ondelete="CASCADE"),
        tenant_reference("meeting_attendance", "member_id", "members", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recorded_by_user_id"], ["users.id"],
                                name="fk_meeting_attendance_recorded_by_user_id_users"),
        sa.UniqueConstraint("tenant_id", "meeting_id", "member_id",
                            name=op.f("uq_meeting_attendance_tenant_id_meeting_id_member_id")),
        sa.CheckConstraint("status IN ('present', 'absent', 'excused')", name=op.f("ck_meeting_attendance_status")),
    )
    op.create_index("ix_meeting_attendance_member", "meeting_attendance", ["tenant_id", "member_id"])
    for table in TABLES:
        enable_tenant_isolation(table)


def downgrade():
    for table in reversed(TABLES):
        disable_tenant_isolation(table)
        op.drop_table(table)
