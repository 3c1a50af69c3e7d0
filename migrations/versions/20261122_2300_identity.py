"""identity: email verification, account tokens, lockout, two-factor, erasure

Revision ID: 20261122_2300_identity
Revises: 20261122_2230_platform_core
Create Date: 2026-11-22 23:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "20261122_2300_identity"
down_revision = "20261122_2230_platform_core"
branch_labels = None
depends_on = None

USER_COLUMNS = [
    ("email_verified_at", lambda: sa.Column("email_verified_at", sa.DateTime(timezone=True))),
    ("session_epoch", lambda: sa.Column("session_epoch", sa.Integer(), nullable=False, server_default=sa.text("0"))),
    ("password_changed_at", lambda: sa.Column("password_changed_at", sa.DateTime(timezone=True))),
    ("failed_sign_ins", lambda: sa.Column("failed_sign_ins", sa.Integer(), nullable=False, server_default=sa.text("0"))),
    ("locked_until", lambda: sa.Column("locked_until", sa.DateTime(timezone=True))),
    ("totp_secret_encrypted", lambda: sa.Column("totp_secret_encrypted", sa.Text())),
    ("two_factor_enabled_at", lambda: sa.Column("two_factor_enabled_at", sa.DateTime(timezone=True))),
    ("erased_at", lambda: sa.Column("erased_at", sa.DateTime(timezone=True))),
]


def upgrade():
    for _name, column in USER_COLUMNS:
        op.add_column("users", column())

    op.create_table(
        "account_tokens",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_account_tokens"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_account_tokens_user_id_users", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("token_hash", name="uq_account_tokens_token_hash"),
        sa.CheckConstraint(
            "purpose IN ('verify_email', 'reset_password')", name=op.f("ck_account_tokens_purpose")
        ),
    )
    op.create_index("ix_account_tokens_user_id_purpose", "account_tokens", ["user_id", "purpose"])

    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("code_hash", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_recovery_codes"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_recovery_codes_user_id_users", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_recovery_codes_user_id", "recovery_codes", ["user_id"])

    op.create_table(
        "erasure_requests",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.BigInteger()),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_erasure_requests"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_erasure_requests_user_id_users"),
        sa.ForeignKeyConstraint(["decided_by"], ["users.id"], name="fk_erasure_requests_decided_by_users"),
        sa.CheckConstraint(
            "status IN ('pending', 'confirmed', 'cancelled')", name=op.f("ck_erasure_requests_status")
        ),
    )
    op.create_index(
        "uq_erasure_requests_pending", "erasure_requests", ["user_id"], unique=True,
        postgresql_where=sa.text("status = 'pending'"),
    )

    op.create_table(
        "data_exports",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("rq_job_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("file", sa.String(200)),
        sa.Column("error", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_data_exports"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_data_exports_user_id_users", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("rq_job_id", name="uq_data_exports_rq_job_id"),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'finished', 'failed')", name=op.f("ck_data_exports_status")
        ),
    )
    op.create_index("ix_data_exports_user_id", "data_exports", ["user_id"])


def downgrade():
    op.drop_table("data_exports")
    op.drop_table("erasure_requests")
    op.drop_table("recovery_codes")
    op.drop_table("account_tokens")
    for name, _column in reversed(USER_COLUMNS):
        op.drop_column("users", name)
