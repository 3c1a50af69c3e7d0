"""member imports: imported member files

Revision ID: 20261123_0150_member_imports
Revises: 20261123_0140_meetings
Create Date: 2026-11-23 01:50:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from koepel.platform.db import disable_tenant_isolation, enable_tenant_isolation, tenant_reference

revision = "20261123_0150_member_imports"
down_revision = "20261123_0140_meetings"
branch_labels = None
depends_on = None

TABLE = "member_imports"


def upgrade():
    op.create_table(
        TABLE,
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("stored_name", sa.String(100)),
        sa.Column("file_format", sa.String(8), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("created_count", sa.Integer(), nullable=False),
        sa.Column("present_count", sa.Integer(), nullable=False),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.Column("errors", postgresql.JSONB(), nullable=False),
        sa.Column("job_run_id", sa.BigInteger()),
        sa.Column("created_by", sa.BigInteger()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_member_imports"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_member_imports_tenant_id_tenants"),
        tenant_reference("member_imports", "job_run_id", "job_runs"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name="fk_member_imports_created_by_users"),
        sa.CheckConstraint("file_format IN ('csv', 'xlsx')", name=op.f("ck_member_imports_file_format")),
        sa.CheckConstraint("status IN ('queued', 'imported', 'rejected')", name=op.f("ck_member_imports_status")),
        sa.CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name=op.f("ck_member_imports_sha256")),
        sa.CheckConstraint(
            "size_bytes >= 0 AND line_count >= 0 AND created_count >= 0 AND present_count >= 0 AND error_count >= 0",
            name=op.f("ck_member_imports_counts"),
        ),
        sa.CheckConstraint("(status IN ('imported', 'rejected')) = (finished_at IS NOT NULL)",
                           name=op.f("ck_member_imports_finished")),
        sa.CheckConstraint("status <> 'imported' OR error_count = 0",
                           name=op.f("ck_member_imports_imported_without_errors")),
    )
    op.create_index("ix_member_imports_tenant_id_created_at", TABLE, ["tenant_id", "created_at"])
    op.create_index("ix_member_imports_tenant_id_sha256", TABLE, ["tenant_id", "sha256"])
    enable_tenant_isolation(TABLE)


def downgrade():
    disable_tenant_isolation(TABLE)
    op.drop_table(TABLE)
