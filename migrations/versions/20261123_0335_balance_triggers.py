"""balance triggers: balances and the entry's-transaction check once per statement

Revision ID: 20261123_0335_balance_triggers
Revises: 20261123_0330_stripe
Create Date: 2026-11-23 03:35:00

A bank statement posts its payments and their splits with one INSERT of journal lines.
The cached balances and the rule that lines join only an entry made in the same
transaction were row triggers: one UPDATE of an account and one lookup per line. They
become statement triggers over the inserted lines (a transition table): one UPDATE per
account moved and one check per statement. What they enforce is the same; a pot's CHECK
now sees each account's movement of the statement at once (the order of the lines
inside one statement no longer matters). The entry-balanced check stays a deferred row
trigger: it must see all lines of an entry, whichever statements added them.
"""

from alembic import op

revision = "20261123_0335_balance_triggers"
down_revision = "20261123_0330_stripe"
branch_labels = None
depends_on = None

# A loop of index lookups, not one join: the planner knows nothing of a transition
# table's size and could scan every account or entry for a posting of two lines. The
# accounts are updated in id order, so two postings lock them in the same order.
MOVE_BALANCES = """
    DECLARE moved record;
    BEGIN
        FOR moved IN SELECT tenant_id, account_id, sum(amount_cents) AS cents FROM new_lines
                      GROUP BY tenant_id, account_id ORDER BY tenant_id, account_id LOOP
            UPDATE ledger_accounts SET balance_cents = balance_cents + moved.cents
             WHERE tenant_id = moved.tenant_id AND id = moved.account_id;
        END LOOP;
        RETURN NULL;
    END
"""
LINES_IN_THEIR_ENTRYS_TRANSACTION = """
    DECLARE line record;
    BEGIN
        FOR line IN SELECT DISTINCT tenant_id, entry_id FROM new_lines LOOP
            IF NOT EXISTS (SELECT 1 FROM journal_entries
                            WHERE tenant_id = line.tenant_id AND id = line.entry_id AND txid = txid_current()) THEN
                RAISE EXCEPTION 'lines are added to a journal entry only when it is made'
                      USING ERRCODE = 'check_violation';
            END IF;
        END LOOP;
        RETURN NULL;
    END
"""
# The row-level versions, as 20261123_0200_ledger made them (for the downgrade).
ROW_MOVES_BALANCE = ("UPDATE ledger_accounts SET balance_cents = balance_cents + NEW.amount_cents "
                     "WHERE tenant_id = NEW.tenant_id AND id = NEW.account_id; RETURN NEW;")


def upgrade():
    op.execute("DROP TRIGGER journal_line_moves_balance ON journal_lines")
    op.execute("DROP TRIGGER journal_line_in_its_entrys_transaction ON journal_lines")
    # Still the owner's (SECURITY DEFINER): the app may not update accounts itself.
    op.execute("CREATE FUNCTION ledger_lines_move_balances() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER "
               f"SET search_path = public AS $${MOVE_BALANCES}$$")
    op.execute("CREATE FUNCTION ledger_lines_in_their_entrys_transaction() RETURNS trigger LANGUAGE plpgsql "
               f"AS $${LINES_IN_THEIR_ENTRYS_TRANSACTION}$$")
    op.execute("CREATE TRIGGER journal_lines_in_their_entrys_transaction AFTER INSERT ON journal_lines "
               "REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT "
               "EXECUTE FUNCTION ledger_lines_in_their_entrys_transaction()")
    op.execute("CREATE TRIGGER journal_lines_move_balances AFTER INSERT ON journal_lines "
               "REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION ledger_lines_move_balances()")


def downgrade():
    op.execute("DROP TRIGGER journal_lines_move_balances ON journal_lines")
    op.execute("DROP TRIGGER journal_lines_in_their_entrys_transaction ON journal_lines")
    op.execute("DROP FUNCTION ledger_lines_move_balances()")
    op.execute("DROP FUNCTION ledger_lines_in_their_entrys_transaction()")
    op.execute("CREATE TRIGGER journal_line_in_its_entrys_transaction BEFORE INSERT ON journal_lines "
               "FOR EACH ROW EXECUTE FUNCTION ledger_line_in_its_entrys_transaction()")
    op.execute("CREATE TRIGGER journal_line_moves_balance AFTER INSERT ON journal_lines "
               "FOR EACH ROW EXECUTE FUNCTION ledger_line_moves_balance()")
