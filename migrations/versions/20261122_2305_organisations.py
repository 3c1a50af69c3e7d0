"""organisations: invitations, tenant profiles and status history, support access

Revision ID: 20261122_2305_organisations
Revises: 20261122_2300_identity
Create Date: 2026-11-22 23:05:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from koepel.platform.db import disable_tenant_isolation, enable_tenant_isolation, tenant_keys

revision = "20261122_2305_organisations"
down_revision = "20261122_2300_identity"
branch_labels = None
depends_on = None

OLD_STATUSES = "'pending', 'active', 'suspended', 'archived'"
STATUSES = "'pending', 'active', 'suspended', 'rejected', 'archived'"
ROLES = (
    "'candidate', 'client_manager', 'coach', 'coordinator', 'employer', 'finance', 'member', "
    "'participant', 'policy_advisor', 'treasurer', 'umbrella_admin', 'umbrella_staff'"
)
LEGAL_FORMS = "'cooperatie_ua', 'cooperatie_ba', 'cooperatie_wa', 'stichting', 'vereniging', 'bv'"
STATUS_ACTIONS = "'applied', 'approved', 'rejected', 'suspended', 'reactivated', 'archived'"



def upgrade():
    # A rejected application stays visible to its applicant, with the reason.
    op.drop_constraint(op.f("ck_tenants_status"), "tenants", type_="check")
    op.create_check_constraint(op.f("ck_tenants_status"), "tenants", f"status IN ({STATUSES})")

    op.create_table(
        "invitations",
        *tenant_keys("invitations"),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("invited_by", sa.BigInteger()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True)),
        sa.Column("accepted_by", sa.BigInteger()),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_by", sa.BigInteger()),
        sa.ForeignKeyConstraint(["invited_by"], ["users.id"], name="fk_invitations_invited_by_users"),
        sa.ForeignKeyConstraint(["accepted_by"], ["users.id"], name="fk_invitations_accepted_by_users"),
        sa.ForeignKeyConstraint(["revoked_by"], ["users.id"], name="fk_invitations_revoked_by_users"),
        sa.CheckConstraint(f"role IN ({ROLES})", name=op.f("ck_invitations_role")),
        sa.CheckConstraint(
            "email = btrim(email) AND position('@' in email) > 1", name=op.f("ck_invitations_email_format")
        ),
        sa.CheckConstraint("expires_at > created_at", name=op.f("ck_invitations_expires_after_created")),
        sa.CheckConstraint(
            "accepted_at IS NULL OR revoked_at IS NULL", name=op.f("ck_invitations_accepted_or_revoked")
        ),
    )
    op.create_index("ix_invitations_token_hash", "invitations", ["token_hash"])
    enable_tenant_isolation("invitations")
    # The holder of an invitation link reads exactly that invitation, with no tenant in
    # context: the request sets app.invitation_token to the hash of the link's token.
    op.execute(
        "CREATE POLICY invitation_by_token ON invitations FOR SELECT "
        "USING (token_hash = NULLIF(current_setting('app.invitation_token', true), ''))"
    )

    op.create_table(
        "tenant_profiles",
        *tenant_keys("tenant_profiles"),
        sa.Column("legal_form", sa.String(32), nullable=False),
        sa.Column("kvk_number", sa.String(8), nullable=False),
        sa.Column("vat_number", sa.String(20)),
        sa.Column("iban", sa.String(34), nullable=False),
        sa.Column("street", sa.String(200), nullable=False),
        sa.Column("postal_code", sa.String(7), nullable=False),
        sa.Column("city", sa.String(100), nullable=False),
        sa.Column("municipality_ids", postgresql.JSONB(), nullable=False),
        sa.Column("other_municipalities", postgresql.JSONB(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("tenant_id", name="uq_tenant_profiles_tenant_id"),
        sa.CheckConstraint(f"legal_form IN ({LEGAL_FORMS})", name=op.f("ck_tenant_profiles_legal_form")),
        sa.CheckConstraint("kvk_number ~ '^[0-9]{8}$'", name=op.f("ck_tenant_profiles_kvk_format")),
    )
    enable_tenant_isolation("tenant_profiles")

    op.create_table(
        "tenant_status_changes",
        *tenant_keys("tenant_status_changes"),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("from_status", sa.String(16)),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("changed_by", sa.BigInteger()),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["changed_by"], ["users.id"], name="fk_tenant_status_changes_changed_by_users"),
        sa.CheckConstraint(f"action IN ({STATUS_ACTIONS})", name=op.f("ck_tenant_status_changes_action")),
        sa.CheckConstraint(f"to_status IN ({STATUSES})", name=op.f("ck_tenant_status_changes_to_status")),
    )
    op.create_index(
        "ix_tenant_status_changes_tenant_changed", "tenant_status_changes", ["tenant_id", "changed_at"]
    )
    enable_tenant_isolation("tenant_status_changes")

    op.create_table(
        "support_grants",
        *tenant_keys("support_grants"),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("closed_by", sa.BigInteger()),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_support_grants_user_id_users"),
        sa.ForeignKeyConstraint(["closed_by"], ["users.id"], name="fk_support_grants_closed_by_users"),
        sa.CheckConstraint("expires_at > created_at", name=op.f("ck_support_grants_expires_after_created")),
        sa.CheckConstraint("length(btrim(reason)) > 0", name=op.f("ck_support_grants_reason_given")),
    )
    op.create_index("ix_support_grants_user_id", "support_grants", ["user_id"])
    enable_tenant_isolation("support_grants")


def downgrade():
    disable_tenant_isolation("support_grants")
    op.drop_table("support_grants")
    disable_tenant_isolation("tenant_status_changes")
    op.drop_table("tenant_status_changes")
    disable_tenant_isolation("tenant_profiles")
    op.drop_table("tenant_profiles")
    op.execute("DROP POLICY invitation_by_token ON invitations")
    disable_tenant_isolation("invitations")
    op.drop_table("invitations")
    # Rejected applications were never admitted: archived is the nearest older status.
    op.execute("UPDATE tenants SET status = 'archived' WHERE status = 'rejected'")
    op.drop_constraint(op.f("ck_tenants_status"), "tenants", type_="check")
    op.create_check_constraint(op.f("ck_tenants_status"), "tenants", f"status IN ({OLD_STATUSES})")
