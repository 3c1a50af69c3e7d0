"""ladder: participation ladder measurements

Revision ID: 20261123_0120_ladder
Revises: 20261123_0110_referrals
Create Date: 2026-11-23 01:20:00
"""

import sqlalchemy as sa
from alembic import op

from koepel.platform.db import disable_tenant_isolation, enable_tenant_isolation, tenant_reference

revision = "20261123_0120_ladder"
down_revision = "20261123_0110_referrals"
branch_labels = None
depends_on = None

TABLE = "ladder_measurements"


def upgrade():
    op.create_table(
        TABLE,
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("rung", sa.SmallInteger(), nullable=False),
        sa.Column("measured_on", sa.Date(), nullable=False),
        sa.Column("measured_by_user_id", sa.BigInteger()),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=f"pk_{TABLE}"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=f"fk_{TABLE}_tenant_id_tenants"),
        tenant_reference(TABLE, "member_id", "members", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["measured_by_user_id"], ["users.id"], name=f"fk_{TABLE}_measured_by_user_id_users"),
        sa.CheckConstraint("rung BETWEEN 1 AND 6", name=op.f(f"ck_{TABLE}_rung")),
        sa.CheckConstraint("char_length(note) <= 500", name=op.f(f"ck_{TABLE}_note_length")),
    )
    op.create_index("ix_ladder_measurements_member", TABLE, ["tenant_id", "member_id", "measured_on", "id"])
    enable_tenant_isolation(TABLE)


def downgrade():
    disable_tenant_isolation(TABLE)
    op.drop_table(TABLE)
