"""ledger: accounts, journal entries and lines (double-entry, balanced and immutable in the database)

Revision ID: 20261123_0200_ledger
Revises: 20261123_0150_member_imports
Create Date: 2026-11-23 02:00:00
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

from koepel.platform.db import (  # noqa: F401
    disable_tenant_isolation,
    enable_tenant_isolation,
    tenant_keys,
    tenant_reference,
)

revision = "20261123_0200_ledger"
down_revision = "20261123_0150_member_imports"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
