"""member imports: imported member files

Revision ID: 20261123_0150_member_imports
Revises: 20261123_0140_meetings
Create Date: 2026-11-23 01:50:00
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

from koepel.platform.db import disable_tenant_isolation, enable_tenant_isolation  # noqa: F401

revision = "20261123_0150_member_imports"
down_revision = "20261123_0140_meetings"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
