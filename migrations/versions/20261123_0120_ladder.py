"""ladder: participation ladder measurements

Revision ID: 20261123_0120_ladder
Revises: 20261123_0110_referrals
Create Date: 2026-11-23 01:20:00
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

from koepel.platform.db import disable_tenant_isolation, enable_tenant_isolation  # noqa: F401

revision = "20261123_0120_ladder"
down_revision = "20261123_0110_referrals"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
