"""ledger: accounts, journal entries and lines (double-entry, balanced and immutable in the database)

Revision ID: 20261123_0200_ledger
Revises: 20261123_0150_member_imports
Create Date: 2026-11-23 02:00:00

The rules of the books are kept by PostgreSQL itself, whatever code writes to them:
- an entry's lines sum to zero, checked at commit (a deferred constraint trigger);
- entries and lines are append-only (no UPDATE/DELETE grant, and a trigger for any role);
- lines are added only in the transaction that made their entry;
- `ledger_accounts.balance_cents` follows the lines (a trigger running as the owner; the
  app may not update accounts), and a pot's CHECK refuses a line that would overdraw it,
  so two payouts approved at once cannot both pass.
"""

import sqlalchemy as sa
from alembic import op

from koepel.platform.config import APP_ROLE, UMBRELLA_ROLE
from koepel.platform.db import (
    disable_tenant_isolation,
    enable_tenant_isolation,
    tenant_keys,
    tenant_reference,
)

revision = "20261123_0200_ledger"
down_revision = "20261123_0150_member_imports"
branch_labels = None
depends_on = None

KINDS = ("'bank', 'receivable', 'vat_payable', 'earnings', 'cooperative', 'costs', 'training_pot', "
         "'municipality_owed', 'member_pot', 'payouts_due'")
TABLES = ("ledger_accounts", "journal_entries", "journal_lines")

FUNCTIONS = {
    # Runs at commit, when the transaction may act for another tenant (or none): it reads
    # the lines as the tenant of the row it checks, then puts the setting back.
    "ledger_entry_balanced": """
        DECLARE total bigint; lines integer; previous text := current_setting('app.tenant_id', true);
        BEGIN
            PERFORM set_config('app.tenant_id', NEW.tenant_id::text, true);
            SELECT coalesce(sum(amount_cents), 0), count(*) INTO total, lines
              FROM journal_lines WHERE tenant_id = NEW.tenant_id AND entry_id = NEW.entry_id;
            PERFORM set_config('app.tenant_id', coalesce(previous, ''), true);
            IF total <> 0 THEN
                RAISE EXCEPTION 'journal entry % does not balance: its lines sum to % cents', NEW.entry_id, total
                      USING ERRCODE = 'check_violation';
            END IF;
            IF lines < 2 THEN
                RAISE EXCEPTION 'journal entry % needs at least two lines', NEW.entry_id
                      USING ERRCODE = 'check_violation';
            END IF;
            RETURN NULL;
        END""",
    "ledger_line_in_its_entrys_transaction": """
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM journal_entries
                            WHERE tenant_id = NEW.tenant_id AND id = NEW.entry_id AND txid = txid_current()) THEN
                RAISE EXCEPTION 'lines are added to a journal entry only when it is made'
                      USING ERRCODE = 'check_violation';
            END IF;
            RETURN NEW;
        END""",
    "ledger_append_only": """
        BEGIN
            RAISE EXCEPTION '% is append-only: correct an entry with a reversal', TG_TABLE_NAME;
        END""",
}


def upgrade():
    op.create_table(
        "ledger_accounts",
        *tenant_keys("ledger_accounts"),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("member_id", sa.BigInteger()),
        sa.Column("partner_tenant_id", sa.BigInteger()),
        sa.Column("customer_id", sa.BigInteger()),
        sa.Column("balance_cents", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        tenant_reference("ledger_accounts", "member_id", "members"),
        sa.ForeignKeyConstraint(["partner_tenant_id"], ["tenants.id"], name="fk_ledger_accounts_partner_tenant_id_tenants"),
        sa.UniqueConstraint("tenant_id", "key", name=op.f("uq_ledger_accounts_tenant_id_key")),
        sa.CheckConstraint(f"kind IN ({KINDS})", name=op.f("ck_ledger_accounts_kind")),
        sa.CheckConstraint("(kind = 'member_pot') = (member_id IS NOT NULL)", name=op.f("ck_ledger_accounts_member_of_pot")),
        sa.CheckConstraint("(kind = 'municipality_owed') = (partner_tenant_id IS NOT NULL)",
                           name=op.f("ck_ledger_accounts_municipality_owed")),
        sa.CheckConstraint("(kind = 'receivable') = (customer_id IS NOT NULL)",
                           name=op.f("ck_ledger_accounts_customer_of_receivable")),
        sa.CheckConstraint("kind NOT IN ('member_pot', 'training_pot') OR balance_cents <= 0",
                           name=op.f("ck_ledger_accounts_pot_not_overdrawn")),
    )
    op.create_table(
        "journal_entries",
        *tenant_keys("journal_entries"),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("description", sa.String(300), nullable=False),
        sa.Column("idempotency_key", sa.String(120), nullable=False),
        sa.Column("reverses_entry_id", sa.BigInteger()),
        sa.Column("source_type", sa.String(40)),
        sa.Column("source_id", sa.BigInteger()),
        sa.Column("created_by", sa.BigInteger()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("txid", sa.BigInteger(), server_default=sa.text("txid_current()"), nullable=False),
        tenant_reference("journal_entries", "reverses_entry_id", "journal_entries"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name="fk_journal_entries_created_by_users"),
        sa.UniqueConstraint("tenant_id", "idempotency_key", name=op.f("uq_journal_entries_tenant_id_idempotency_key")),
        sa.UniqueConstraint("tenant_id", "reverses_entry_id", name=op.f("uq_journal_entries_tenant_id_reverses_entry_id")),
        sa.CheckConstraint("idempotency_key <> ''", name=op.f("ck_journal_entries_idempotency_key_present")),
        sa.CheckConstraint("description <> ''", name=op.f("ck_journal_entries_description_present")),
    )
    op.create_table(
        "journal_lines",
        *tenant_keys("journal_lines"),
        sa.Column("entry_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        tenant_reference("journal_lines", "entry_id", "journal_entries"),
        tenant_reference("journal_lines", "account_id", "ledger_accounts"),
        sa.CheckConstraint("amount_cents <> 0", name=op.f("ck_journal_lines_amount_not_zero")),
    )
    op.create_index("ix_journal_lines_entry", "journal_lines", ["tenant_id", "entry_id"])
    op.create_index("ix_journal_lines_account", "journal_lines", ["tenant_id", "account_id", "id"])
    for table in TABLES:
        enable_tenant_isolation(table)

    for name, body in FUNCTIONS.items():
        op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $${body}$$")
    # The cached balance is written by the owner only (SECURITY DEFINER), still under the
    # tenant policy (FORCE), so a line moves exactly its own tenant's account.
    op.execute(
        "CREATE FUNCTION ledger_line_moves_balance() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER "
        "SET search_path = public AS $$ BEGIN "
        "UPDATE ledger_accounts SET balance_cents = balance_cents + NEW.amount_cents "
        "WHERE tenant_id = NEW.tenant_id AND id = NEW.account_id; RETURN NEW; END $$"
    )
    op.execute("CREATE CONSTRAINT TRIGGER journal_entry_balanced AFTER INSERT ON journal_lines "
               "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_entry_balanced()")
    op.execute("CREATE TRIGGER journal_line_in_its_entrys_transaction BEFORE INSERT ON journal_lines "
               "FOR EACH ROW EXECUTE FUNCTION ledger_line_in_its_entrys_transaction()")
    op.execute("CREATE TRIGGER journal_line_moves_balance AFTER INSERT ON journal_lines "
               "FOR EACH ROW EXECUTE FUNCTION ledger_line_moves_balance()")
    for table in ("journal_entries", "journal_lines"):
        op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()")
    # Accounts are made by the app; their balance is moved by the trigger above only.
    op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON ledger_accounts, journal_entries, journal_lines "
               f"FROM {APP_ROLE}, {UMBRELLA_ROLE}")


def downgrade():
    for table in ("journal_entries", "journal_lines"):
        op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
    op.execute("DROP TRIGGER journal_line_moves_balance ON journal_lines")
    op.execute("DROP TRIGGER journal_line_in_its_entrys_transaction ON journal_lines")
    op.execute("DROP TRIGGER journal_entry_balanced ON journal_lines")
    for name in (*FUNCTIONS, "ledger_line_moves_balance"):
        op.execute(f"DROP FUNCTION {name}()")
    for table in reversed(TABLES):
        disable_tenant_isolation(table)
        op.drop_table(table)
