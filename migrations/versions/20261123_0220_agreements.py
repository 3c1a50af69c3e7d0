"""agreements: the terms between a cooperative and a municipality, in versions

Revision ID: 20261123_0220_agreements
Revises: 20261123_0210_parameters
Create Date: 2026-11-23 02:20:00
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

from koepel.platform.db import (  # noqa: F401
    disable_tenant_isolation,
    enable_tenant_isolation,
    tenant_keys,
    tenant_reference,
)

revision = "20261123_0220_agreements"
down_revision = "20261123_0210_parameters"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
