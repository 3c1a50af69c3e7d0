"""identity: email verification, account tokens, lockout, two-factor, erasure

Revision ID: 20261122_2300_identity
Revises: 20261122_2230_platform_core
Create Date: 2026-11-22 23:00:00
"""

revision = "20261122_2300_identity"
down_revision = "20261122_2230_platform_core"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
