"""settlements: closed months in the books, and the monthly settlement with each municipality

Revision ID: 20261123_0320_settlements
Revises: 20261123_0310_books
Create Date: 2026-11-23 03:20:00

- `closed_months`: a month whose books are closed. A trigger refuses any journal entry
  dated in or before the last closed month (once per statement, on its earliest day); it
  takes the same per-tenant advisory lock (shared) as the app's postings, which closing a
  month takes exclusively.
- `journal_entries.occurred_on`: the real day of an entry dated on the first open day
  because its own month was closed already.
- `agreement_versions.income_for_benefit`: what counts as income for the benefit.
- `settlements` and `settlement_lines`: one copy per side, lines append-only.
"""

import sqlalchemy as sa
from alembic import op

from koepel.platform.config import APP_ROLE, UMBRELLA_ROLE
from koepel.platform.db import (
    disable_tenant_isolation,
    enable_tenant_isolation,
    tenant_keys,
    tenant_reference,
    user_reference,
)

revision = "20261123_0320_settlements"
down_revision = "20261123_0310_books"
branch_labels = None
depends_on = None

PERIOD_LOCK_CLASS = 0x504552  # koepel.tenants.ledger.operations.PERIOD_LOCK_CLASS
SHARES = ("earned_cents", "late_cents", "cooperative_cents", "flat_fee_cents", "training_cents",
          "municipality_cents", "pot_cents", "income_cents", "disregard_general_cents")

ENTRY_IN_OPEN_MONTH = f"""
    DECLARE
        entry record;
        last_closed date;
    BEGIN
        FOR entry IN SELECT tenant_id, min(on_date) AS first_day FROM new_entries GROUP BY tenant_id LOOP
            PERFORM pg_advisory_xact_lock_shared({PERIOD_LOCK_CLASS}, (entry.tenant_id % 2147483648)::int);
            SELECT max(month) INTO last_closed FROM closed_months WHERE tenant_id = entry.tenant_id;
            IF last_closed IS NOT NULL AND entry.first_day < (last_closed + interval '1 month')::date THEN
                RAISE EXCEPTION 'journal entry dated % falls in a closed month (closed through %)',
                    entry.first_day, to_char(last_closed, 'YYYY-MM') USING ERRCODE = 'check_violation';
            END IF;
        END LOOP;
        RETURN NULL;
    END
"""
BANK_LINE_CHECKS = {
    "matched_to_one": "(status = 'matched') = (num_nonnulls(invoice_id, batch_id, pot_request_id, settlement_id) = 1)",
    "payout_for_money_out": "batch_id IS NULL AND pot_request_id IS NULL AND settlement_id IS NULL "
                            "OR amount_cents < 0",
}
BANK_LINE_CHECKS_BEFORE = {
    "matched_to_one": "(status = 'matched') = (num_nonnulls(invoice_id, batch_id, pot_request_id) = 1)",
    "payout_for_money_out": "batch_id IS NULL AND pot_request_id IS NULL OR amount_cents < 0",
}


def _money(*names: str) -> list[sa.Column]:
    return [sa.Column(name, sa.BigInteger(), nullable=False) for name in names]


def _not_negative(*columns: str) -> str:
    return " AND ".join(f"{c} >= 0" for c in columns)


def upgrade():
    op.create_table(
        "closed_months",
        *tenant_keys("closed_months"),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("closed_by", sa.BigInteger()),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        user_reference("closed_months", "closed_by"),
        sa.UniqueConstraint("tenant_id", "month", name=op.f("uq_closed_months_tenant_id_month")),
        sa.CheckConstraint("extract(day from month) = 1", name=op.f("ck_closed_months_first_of_month")),
    )
    enable_tenant_isolation("closed_months")
    op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON closed_months FROM {APP_ROLE}, {UMBRELLA_ROLE}")
    op.add_column("journal_entries", sa.Column("occurred_on", sa.Date()))
    op.execute(f"CREATE FUNCTION ledger_entry_in_open_month() RETURNS trigger LANGUAGE plpgsql "
               f"AS $${ENTRY_IN_OPEN_MONTH}$$")
    # Once per statement (a bank statement inserts its entries with one): the earliest day.
    op.execute("CREATE TRIGGER journal_entry_in_open_month AFTER INSERT ON journal_entries "
               "REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION ledger_entry_in_open_month()")

    op.add_column("agreement_versions", sa.Column("income_for_benefit", sa.String(8), server_default="none",
                                                  nullable=False))
    op.create_check_constraint(op.f("ck_agreement_versions_income_for_benefit"), "agreement_versions",
                               "income_for_benefit IN ('none', 'pot', 'net')")

    op.create_table(
        "settlements",
        *tenant_keys("settlements"),
        sa.Column("link_key", sa.String(64), nullable=False),
        sa.Column("side", sa.String(16), nullable=False),
        sa.Column("partner_tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("partner_name", sa.String(200), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("agreement_id", sa.BigInteger()),
        sa.Column("members_count", sa.Integer(), nullable=False),
        *_money(*SHARES, "returned_pots_cents", "owed_cents"),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True)),
        sa.Column("processed_by", sa.BigInteger()),
        sa.Column("owed_status", sa.String(16), nullable=False),
        sa.Column("claim_reference", sa.String(35)),
        sa.Column("claim_iban", sa.String(34)),
        sa.Column("claimed_at", sa.DateTime(timezone=True)),
        sa.Column("claimed_by", sa.BigInteger()),
        sa.Column("end_to_end_id", sa.String(35)),
        sa.Column("payment_file", sa.Text()),
        sa.Column("settled_on", sa.Date()),
        sa.Column("paid_entry_id", sa.BigInteger()),
        sa.Column("closed_by", sa.BigInteger()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["partner_tenant_id"], ["tenants.id"],
                                name="fk_settlements_partner_tenant_id_tenants"),
        tenant_reference("settlements", "paid_entry_id", "journal_entries"),
        user_reference("settlements", "processed_by"),
        user_reference("settlements", "claimed_by"),
        user_reference("settlements", "closed_by"),
        sa.UniqueConstraint("tenant_id", "link_key", name=op.f("uq_settlements_tenant_id_link_key")),
        sa.UniqueConstraint("tenant_id", "partner_tenant_id", "month",
                            name=op.f("uq_settlements_tenant_id_partner_tenant_id_month")),
        sa.CheckConstraint("side IN ('cooperative', 'municipality')", name=op.f("ck_settlements_side")),
        sa.CheckConstraint("status IN ('sent', 'processed')", name=op.f("ck_settlements_status")),
        sa.CheckConstraint("owed_status IN ('nothing_owed', 'owed', 'invoiced', 'paying', 'settled')",
                           name=op.f("ck_settlements_owed_status")),
        sa.CheckConstraint("extract(day from month) = 1", name=op.f("ck_settlements_first_of_month")),
        sa.CheckConstraint("partner_tenant_id <> tenant_id", name=op.f("ck_settlements_two_tenants")),
        sa.CheckConstraint(_not_negative("members_count", *SHARES, "returned_pots_cents", "owed_cents"),
                           name=op.f("ck_settlements_figures_not_negative")),
        sa.CheckConstraint("(owed_status = 'nothing_owed') = (owed_cents = 0)",
                           name=op.f("ck_settlements_nothing_owed_when_zero")),
        sa.CheckConstraint("(status = 'processed') = (processed_at IS NOT NULL)",
                           name=op.f("ck_settlements_processed_when_processed")),
        sa.CheckConstraint("owed_status IN ('nothing_owed', 'owed') OR (claim_reference IS NOT NULL "
                           "AND claim_iban IS NOT NULL)", name=op.f("ck_settlements_claimed_when_invoiced")),
        sa.CheckConstraint("owed_status NOT IN ('paying', 'settled') OR end_to_end_id IS NOT NULL",
                           name=op.f("ck_settlements_paid_by_a_transfer")),
        sa.CheckConstraint("(owed_status = 'settled') = (settled_on IS NOT NULL)",
                           name=op.f("ck_settlements_settled_on_when_settled")),
    )
    op.create_table(
        "settlement_lines",
        *tenant_keys("settlement_lines"),
        sa.Column("settlement_id", sa.BigInteger(), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("member_name", sa.String(200), nullable=False),
        sa.Column("client_reference", sa.String(100)),
        *_money("earned_cents", "late_cents"),
        sa.Column("late_months", sa.String(200), nullable=False),
        *_money("cooperative_cents", "flat_fee_cents", "training_cents", "municipality_cents", "pot_cents"),
        sa.Column("income_basis", sa.String(8), nullable=False),
        *_money("income_cents", "disregard_general_cents"),
        sa.Column("general_month", sa.Integer()),
        sa.Column("general_note", sa.String(16)),
        *_money("disregard_single_parent_cents", "disregard_medical_cents"),
        tenant_reference("settlement_lines", "settlement_id", "settlements"),
        sa.UniqueConstraint("tenant_id", "settlement_id", "member_id",
                            name=op.f("uq_settlement_lines_tenant_id_settlement_id_member_id")),
        sa.CheckConstraint("income_basis IN ('none', 'pot', 'net')", name=op.f("ck_settlement_lines_income_basis")),
        sa.CheckConstraint("general_note IS NULL OR general_note IN ('age_unknown', 'under_age', 'period_over', "
                           "'no_income')", name=op.f("ck_settlement_lines_general_note")),
        sa.CheckConstraint(_not_negative(*SHARES, "disregard_single_parent_cents", "disregard_medical_cents"),
                           name=op.f("ck_settlement_lines_figures_not_negative")),
        sa.CheckConstraint("cooperative_cents + training_cents + municipality_cents + pot_cents + flat_fee_cents "
                           "= earned_cents", name=op.f("ck_settlement_lines_split_adds_up")),
        sa.CheckConstraint("late_cents <= earned_cents", name=op.f("ck_settlement_lines_late_within_earned")),
        sa.CheckConstraint("disregard_general_cents <= income_cents AND disregard_single_parent_cents <= "
                           "income_cents AND disregard_medical_cents <= income_cents",
                           name=op.f("ck_settlement_lines_disregard_within_income")),
    )
    op.create_index("ix_settlement_lines_tenant_id_member_id", "settlement_lines", ["tenant_id", "member_id"])
    # A bank line that pays a municipality's settlement.
    op.add_column("bank_lines", sa.Column("settlement_id", sa.BigInteger()))
    op.create_foreign_key("fk_bank_lines_tenant_id_settlement_id_settlements", "bank_lines", "settlements",
                          ["tenant_id", "settlement_id"], ["tenant_id", "id"])
    op.create_unique_constraint("uq_bank_lines_tenant_id_settlement_id", "bank_lines", ["tenant_id", "settlement_id"])
    for name, condition in BANK_LINE_CHECKS.items():
        op.drop_constraint(op.f(f"ck_bank_lines_{name}"), "bank_lines", type_="check")
        op.create_check_constraint(op.f(f"ck_bank_lines_{name}"), "bank_lines", condition)
    for table in ("settlements", "settlement_lines"):
        enable_tenant_isolation(table)
    # The figures of a settlement are never changed; where it stands is.
    op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON settlement_lines FROM {APP_ROLE}, {UMBRELLA_ROLE}")
    op.execute(f"REVOKE DELETE, TRUNCATE ON settlements FROM {APP_ROLE}, {UMBRELLA_ROLE}")


def downgrade():
    for name, condition in BANK_LINE_CHECKS_BEFORE.items():
        op.drop_constraint(op.f(f"ck_bank_lines_{name}"), "bank_lines", type_="check")
        op.create_check_constraint(op.f(f"ck_bank_lines_{name}"), "bank_lines", condition)
    op.drop_constraint("uq_bank_lines_tenant_id_settlement_id", "bank_lines", type_="unique")
    op.drop_constraint("fk_bank_lines_tenant_id_settlement_id_settlements", "bank_lines", type_="foreignkey")
    op.drop_column("bank_lines", "settlement_id")
    for table in ("settlement_lines", "settlements"):
        disable_tenant_isolation(table)
    op.drop_index("ix_settlement_lines_tenant_id_member_id", table_name="settlement_lines")
    op.drop_table("settlement_lines")
    op.drop_table("settlements")
    op.drop_constraint(op.f("ck_agreement_versions_income_for_benefit"), "agreement_versions", type_="check")
    op.drop_column("agreement_versions", "income_for_benefit")
    op.execute("DROP TRIGGER journal_entry_in_open_month ON journal_entries")
    op.execute("DROP FUNCTION ledger_entry_in_open_month()")
    op.drop_column("journal_entries", "occurred_on")
    disable_tenant_isolation("closed_months")
    op.drop_table("closed_months")
