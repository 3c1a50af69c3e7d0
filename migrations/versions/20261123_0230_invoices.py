"""invoices: customers, invoices on behalf of members, number series

Revision ID: 20261123_0230_invoices
Revises: 20261123_0220_agreements
Create Date: 2026-11-23 02:30:00
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

from koepel.platform.db import (  # noqa: F401
    disable_tenant_isolation,
    enable_tenant_isolation,
    tenant_keys,
    tenant_reference,
)

revision = "20261123_0230_invoices"
down_revision = "20261123_0220_agreements"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
