"""invoice vat rates: a line's rate is any percentage the parameters give, not a fixed list

Revision ID: 20261123_0325_invoice_vat_rates
Revises: 20261123_0320_settlements
Create Date: 2026-11-23 03:25:00

The VAT rates an invoice may use come from the platform parameters valid on its date
(`vat.general`, `vat.reduced`, `vat.zero`), so a rate change needs no migration; the
database still keeps a rate a percentage.
"""

from alembic import op

revision = "20261123_0325_invoice_vat_rates"
down_revision = "20261123_0320_settlements"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_constraint(op.f("ck_invoice_lines_vat_rate"), "invoice_lines", type_="check")
    op.create_check_constraint(op.f("ck_invoice_lines_vat_rate"), "invoice_lines", "vat_rate_bp BETWEEN 0 AND 10000")


def downgrade():
    op.drop_constraint(op.f("ck_invoice_lines_vat_rate"), "invoice_lines", type_="check")
    op.create_check_constraint(op.f("ck_invoice_lines_vat_rate"), "invoice_lines", "vat_rate_bp IN (2100, 900, 0)")
