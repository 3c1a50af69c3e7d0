"""platform core: tenants, users, memberships, audit log, job runs

Revision ID: 20261122_2230_platform_core
Revises:
Create Date: 2026-11-22 22:30:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from koepel.platform.config import APP_ROLE, UMBRELLA_ROLE
from koepel.platform.db import disable_tenant_isolation, enable_tenant_isolation

revision = "20261122_2230_platform_core"
down_revision = None
branch_labels = None
depends_on = None

KINDS = "'umbrella', 'cooperative', 'employer_cooperative', 'municipality'"
STATUSES = "'pending', 'active', 'suspended', 'archived'"
ROLES = (
    "'candidate', 'client_manager', 'coach', 'coordinator', 'employer', 'finance', 'member', "
    "'participant', 'policy_advisor', 'treasurer', 'umbrella_admin', 'umbrella_staff'"
)


def _tenant_keys():
    return [
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
    ]


def upgrade():
    op.create_table(
        "tenants",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("slug", sa.String(63), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tenants"),
        sa.UniqueConstraint("slug", name="uq_tenants_slug"),
        sa.CheckConstraint(f"kind IN ({KINDS})", name=op.f("ck_tenants_kind")),
        sa.CheckConstraint(f"status IN ({STATUSES})", name=op.f("ck_tenants_status")),
        sa.CheckConstraint("slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'", name=op.f("ck_tenants_slug_format")),
    )
    # Exactly one umbrella: the operator of the platform.
    op.create_index(
        "uq_tenants_one_umbrella", "tenants", ["kind"], unique=True,
        postgresql_where=sa.text("kind = 'umbrella'"),
    )

    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.CheckConstraint("language IN ('nl', 'en')", name=op.f("ck_users_language")),
        sa.CheckConstraint("email = btrim(email) AND position('@' in email) > 1", name=op.f("ck_users_email_format")),
    )
    op.create_index("uq_users_email_lower", "users", [sa.text("lower(email)")], unique=True)

    op.create_table(
        "memberships",
        *_tenant_keys(),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_memberships"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_memberships_tenant_id_tenants"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_memberships_user_id_users"),
        sa.UniqueConstraint("tenant_id", "user_id", "role", name="uq_memberships_tenant_id_user_id_role"),
        sa.CheckConstraint(f"role IN ({ROLES})", name=op.f("ck_memberships_role")),
    )
    op.create_index("ix_memberships_user_id", "memberships", ["user_id"])
    enable_tenant_isolation("memberships")
    # A signed-in person may read their own memberships in every tenant (the tenant
    # switcher); only for reading, and only their own.
    op.execute(
        "CREATE POLICY own_memberships ON memberships FOR SELECT "
        "USING (user_id = NULLIF(current_setting('app.user_id', true), '')::bigint)"
    )

    op.create_table(
        "audit_events",
        *_tenant_keys(),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_user_id", sa.BigInteger()),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("object_type", sa.String(100)),
        sa.Column("object_id", sa.String(100)),
        sa.Column("details", postgresql.JSONB(), nullable=False),
        sa.Column("ip_address", sa.String(64)),
        sa.Column("user_agent", sa.String(400)),
        sa.Column("request_id", sa.String(64)),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_audit_events"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_audit_events_tenant_id_tenants"),
        sa.ForeignKeyConstraint(["actor_user_id"], ["users.id"], name="fk_audit_events_actor_user_id_users"),
    )
    op.create_index("ix_audit_events_tenant_occurred", "audit_events", ["tenant_id", "occurred_at"])
    enable_tenant_isolation("audit_events")
    # Append-only: the app and umbrella roles may add and read, never change or remove;
    # the trigger stops the owner too.
    op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM {APP_ROLE}, {UMBRELLA_ROLE}")
    op.execute(
        "CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$"
    )
    op.execute(
        "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
    )

    op.create_table(
        "job_runs",
        *_tenant_keys(),
        sa.Column("rq_job_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("requested_by", sa.BigInteger()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("result", postgresql.JSONB(), nullable=False),
        sa.Column("error", sa.Text()),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_job_runs"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_job_runs_tenant_id_tenants"),
        sa.ForeignKeyConstraint(["requested_by"], ["users.id"], name="fk_job_runs_requested_by_users"),
        sa.UniqueConstraint("tenant_id", "rq_job_id", name="uq_job_runs_tenant_id_rq_job_id"),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'finished', 'failed')", name=op.f("ck_job_runs_status")
        ),
    )
    enable_tenant_isolation("job_runs")


def downgrade():
    disable_tenant_isolation("job_runs")
    op.drop_table("job_runs")
    op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
    op.execute("DROP FUNCTION audit_events_append_only()")
    disable_tenant_isolation("audit_events")
    op.drop_table("audit_events")
    op.execute("DROP POLICY own_memberships ON memberships")
    disable_tenant_isolation("memberships")
    op.drop_table("memberships")
    op.drop_table("users")
    op.drop_table("tenants")
