"""parameters: rules that change by year, with validity periods

Revision ID: 20261123_0210_parameters
Revises: 20261123_0200_ledger
Create Date: 2026-11-23 02:10:00
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

from koepel.platform.db import (  # noqa: F401
    disable_tenant_isolation,
    enable_tenant_isolation,
    tenant_keys,
    tenant_reference,
)

revision = "20261123_0210_parameters"
down_revision = "20261123_0200_ledger"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
