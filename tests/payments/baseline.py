"""The payments of the baseline: in cooperative A and in B the baseline member's benefit
municipality is set (M and N, whose agreements apply), an invoice of the member is issued,
and a CAMT.053 statement is imported that pays it by its number (matched, posted and
split by the agreement) and holds a line nobody can place (left to be matched by hand)."""

from __future__ import annotations

from datetime import date

ORDER = 45

OBJECT_IDS = {
    "statement_id": lambda b: (b.extra["bank_statement_a"], b.extra["bank_statement_b"]),
    "line_id": lambda b: (b.extra["bank_line_a"], b.extra["bank_line_b"]),
    "split_id": lambda b: (b.extra["payment_split_a"], b.extra["payment_split_b"]),
}


def paid_statement(member_id: int, customer_id: int, tag: str):
    """Issue an invoice (of 2025) for the member and import a statement paying it, with a second,
    unknown line: (statement, matched line, unmatched line, split)."""
    from sqlalchemy import select

    from koepel.platform.dates import amsterdam_today
    from koepel.platform.db import db
    from koepel.tenants.payments import BankLine, PaymentSplit
    from tests.invoices.support import issued
    from tests.payments.support import Entry, camt053, import_file

    today = amsterdam_today()
    # Issued in 2025: the invoice tests count on the baseline's 2026 series holding one invoice.
    invoice = issued(member_id, customer_id, on=date(2025, 12, 1), delivery_date=date(2025, 11, 28))
    data = camt053([Entry(invoice.total_cents, today, f"Factuur {invoice.number}", ref=f"{tag}-1"),
                    Entry(1234, today, "Onbekende storting", ref=f"{tag}-2", name="Iemand")], statement_id=tag)
    result = import_file(data, f"{tag}.xml")
    lines = {line.status: line for line in db.session.scalars(
        select(BankLine).where(BankLine.statement_id == result.statement.id))}
    split = db.session.scalar(select(PaymentSplit).where(PaymentSplit.bank_line_id == lines["matched"].id))
    return result.statement, lines["matched"], lines["unmatched"], split


def rows(orgs, people, extra) -> dict:
    from koepel.platform.db import db
    from koepel.platform.tenancy import tenant_context
    from koepel.tenants.members import Member, do_update_member

    made = {}
    for key, suffix, municipality in (("coop_a", "a", "municipality"), ("coop_b", "b", "municipality_b")):
        with tenant_context(orgs[key].id):  # no person: the audit log of the baseline people stays theirs
            member = db.session.get(Member, (orgs[key].id, extra[f"member_{suffix}"]))
            do_update_member(member, benefit_municipality_id=orgs[municipality].id, actor_id=None)
            statement, matched, _unmatched, split = paid_statement(member.id, extra[f"customer_{suffix}"],
                                                                   f"BASE-{suffix.upper()}")
        made[f"bank_statement_{suffix}"], made[f"bank_line_{suffix}"] = statement.id, matched.id
        made[f"payment_split_{suffix}"] = split.id
    return made


def matrix_objects(kind, tenant, people) -> dict:
    """In a cooperative: a statement of a member coached by the matrix coach, its line left
    to be matched by hand, and the split of its matched line."""
    if kind != "cooperative":
        return {}
    from koepel.platform.tenancy import tenant_context
    from koepel.tenants.members import do_register_member
    from tests.invoices.support import customer

    with tenant_context(tenant.id):
        member = do_register_member(name="Matrix Payment Member", stage="intake", coach_user_id=people["coach"].id,
                                    actor_id=None)
        buyer = customer("Matrix Payment Customer")
        statement, _matched, unmatched, split = paid_statement(member.id, buyer.id, f"MATRIX-{tenant.id}")
    return {"statement_id": statement.id, "line_id": unmatched.id, "split_id": split.id}
