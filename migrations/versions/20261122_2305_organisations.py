"""organisations: invitations, tenant profiles and status history, support access

Revision ID: 20261122_2305_organisations
Revises: 20261122_2300_identity
Create Date: 2026-11-22 23:05:00
"""

revision = "20261122_2305_organisations"
down_revision = "20261122_2300_identity"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
